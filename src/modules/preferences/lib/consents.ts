import { Channel, ConsentState, ContactPurpose } from '../preference.enums';
import { type ConsentEntryRecord } from '../preference.model';
import { type PushTopic } from './push-topics';

/** The channels with one consent each; PUSH has one per topic. */
export const PLAIN_CHANNELS = [Channel.EMAIL, Channel.SMS, Channel.POST, Channel.PHONE] as const;
export type PlainChannel = (typeof PLAIN_CHANNELS)[number];

/** The purpose-wide switches, which apply whatever the channel. */
export const SWITCHES = [
  ContactPurpose.THIRD_PARTY_OFFERS,
  ContactPurpose.QUOTE_FOLLOW_UP,
] as const;
export type Switch = (typeof SWITCHES)[number];

/** What one consent is about: a channel, a push topic, or a purpose-wide switch. */
export type ConsentSubject =
  | { kind: 'channel'; channel: PlainChannel }
  | { kind: 'push'; topic: string }
  | { kind: 'switch'; purpose: Switch };

/** The key of a subject in a preference document's `consents`. */
export function consentKey(subject: ConsentSubject): string {
  switch (subject.kind) {
    case 'channel':
      return subject.channel;
    case 'push':
      return `PUSH:${subject.topic}`;
    case 'switch':
      return subject.purpose;
  }
}

/** How a subject is named in reasons: "email", "push OFFERS", "thirdPartyOffers". */
export function consentLabel(subject: ConsentSubject): string {
  switch (subject.kind) {
    case 'channel':
      return subject.channel.toLowerCase();
    case 'push':
      return `push ${subject.topic}`;
    case 'switch':
      return subject.purpose === ContactPurpose.THIRD_PARTY_OFFERS
        ? 'thirdPartyOffers'
        : 'quoteFollowUp';
  }
}

/** Every subject of a brand, in the order the API lists them. */
export function subjectsOf(topics: readonly PushTopic[]): ConsentSubject[] {
  return [
    ...PLAIN_CHANNELS.map((channel): ConsentSubject => ({ kind: 'channel', channel })),
    ...topics.map(({ topic }): ConsentSubject => ({ kind: 'push', topic })),
    ...SWITCHES.map((purpose): ConsentSubject => ({ kind: 'switch', purpose })),
  ];
}

export function stateOf(entry: ConsentEntryRecord | undefined): ConsentState {
  return entry?.state ?? ConsentState.NOT_ASKED;
}

/** A calendar day as reasons show it: 2026-11-20 (UTC). */
export function dayOf(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** "email WITHDRAWN via EMAIL_UNSUBSCRIBE on 2026-11-20", or "email NOT_ASKED". */
export function describeConsent(
  subject: ConsentSubject,
  entry: ConsentEntryRecord | undefined,
): string {
  const label = consentLabel(subject);
  if (!entry) return `${label} ${ConsentState.NOT_ASKED}`;
  return `${label} ${entry.state} via ${entry.source} on ${dayOf(entry.updatedAt)}`;
}

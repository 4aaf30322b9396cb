import { Brand } from '../../customers/brand';
import { Channel, ConsentState, ContactPurpose } from '../preference.enums';
import { type ConsentEntryRecord } from '../preference.model';
import { consentKey, dayOf, describeConsent, type ConsentSubject } from './consents';

export interface PermissionQuestion {
  brand: Brand;
  channel: Channel;
  topic?: string;
  purpose: ContactPurpose;
  /** The brand's stored consents (empty when never set). */
  consents: Readonly<Record<string, ConsentEntryRecord>>;
  /** For QUOTE_FOLLOW_UP: the QUOTED quote valid longest, when one is still valid. */
  validQuote?: { reference: string; validUntil: Date };
}

export interface PermissionAnswer {
  allowed: boolean;
  reason: string;
}

const QUOTE_FOLLOW_UP_CHANNELS: readonly Channel[] = [Channel.PHONE, Channel.EMAIL];

function channelSubject(channel: Channel, topic?: string): ConsentSubject {
  return channel === Channel.PUSH
    ? { kind: 'push', topic: topic ?? '' }
    : { kind: 'channel', channel };
}

function consent(question: PermissionQuestion, subject: ConsentSubject) {
  const entry = question.consents[consentKey(subject)];
  return {
    granted: entry?.state === ConsentState.GRANTED,
    withdrawn: entry?.state === ConsentState.WITHDRAWN,
    reason: describeConsent(subject, entry),
  };
}

/** The send-time rule of each purpose; every answer names the rule and its evidence. */
export function decideContactPermission(question: PermissionQuestion): PermissionAnswer {
  const channel = consent(question, channelSubject(question.channel, question.topic));
  switch (question.purpose) {
    case ContactPurpose.MARKETING:
      return { allowed: channel.granted, reason: channel.reason };
    case ContactPurpose.THIRD_PARTY_OFFERS: {
      if (!channel.granted) return { allowed: false, reason: channel.reason };
      const offers = consent(question, {
        kind: 'switch',
        purpose: ContactPurpose.THIRD_PARTY_OFFERS,
      });
      return {
        allowed: offers.granted,
        reason: offers.granted ? `${channel.reason} and ${offers.reason}` : offers.reason,
      };
    }
    case ContactPurpose.QUOTE_FOLLOW_UP: {
      if (question.brand !== Brand.JOHN_LEWIS_FINANCE) {
        return { allowed: false, reason: 'quote follow-up is by JOHN_LEWIS_FINANCE only' };
      }
      if (!QUOTE_FOLLOW_UP_CHANNELS.includes(question.channel)) {
        return { allowed: false, reason: 'quote follow-up is by PHONE or EMAIL only' };
      }
      const followUp = consent(question, {
        kind: 'switch',
        purpose: ContactPurpose.QUOTE_FOLLOW_UP,
      });
      if (followUp.withdrawn) return { allowed: false, reason: followUp.reason };
      const quote = question.validQuote;
      if (!quote) return { allowed: false, reason: 'no QUOTED quote still valid' };
      return {
        allowed: true,
        reason: `quote ${quote.reference} valid until ${dayOf(quote.validUntil)}`,
      };
    }
  }
}

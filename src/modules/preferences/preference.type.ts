import { Field, ID, Int, ObjectType } from 'type-graphql';

import { PageInfo } from '../../graphql/page-info';
import { Brand } from '../customers/brand';
import { Channel, ConsentSource, ConsentState, ContactPurpose } from './preference.enums';

@ObjectType({ description: "One push topic of a brand's app" })
export class PushTopicPreference {
  @Field({ description: 'The topic, such as OFFERS or ORDER_UPDATES' })
  topic!: string;

  @Field({ description: 'True only when GRANTED' })
  enabled!: boolean;

  @Field(() => ConsentState, { description: 'Granted, withdrawn or never asked' })
  state!: ConsentState;
}

@ObjectType({ description: 'One consent with where it came from' })
export class ChannelConsent {
  @Field(() => Channel, { description: 'The channel this consent is for' })
  channel!: Channel;

  @Field(() => String, { nullable: true, description: 'The push topic; null for other channels' })
  topic?: string;

  @Field(() => ConsentState, { description: 'Granted, withdrawn or never asked' })
  state!: ConsentState;

  @Field(() => Date, { nullable: true, description: 'When it was last set; null when NOT_ASKED' })
  updatedAt?: Date;

  @Field(() => ConsentSource, {
    nullable: true,
    description: 'Where it was last set; null when NOT_ASKED',
  })
  source?: ConsentSource;
}

@ObjectType({
  description:
    "A customer's contact preferences at one brand. Every Boolean is true only when GRANTED: " +
    'a value never set is false and NOT_ASKED',
})
export class BrandPreferences {
  @Field(() => Brand, { description: 'The brand these preferences allow or refuse' })
  brand!: Brand;

  @Field({ description: 'Marketing email' })
  email!: boolean;

  @Field({ description: 'Marketing text messages' })
  sms!: boolean;

  @Field({ description: 'Marketing post' })
  post!: boolean;

  @Field({ description: 'Marketing phone calls' })
  phone!: boolean;

  @Field({ description: "Offers from the brand's suppliers, on the channels allowed" })
  thirdPartyOffers!: boolean;

  @Field({
    description:
      'John Lewis Finance may discuss a valid quote by phone or email; false until asked, yet ' +
      'follow-up is refused only once WITHDRAWN',
  })
  quoteFollowUp!: boolean;

  @Field(() => [PushTopicPreference], { description: "Each topic of the brand's app" })
  push!: PushTopicPreference[];

  @Field(() => [ChannelConsent], {
    description: 'Every channel with its state and origin; PUSH once per topic',
  })
  channels!: ChannelConsent[];

  @Field(() => Int, { description: 'Rises by one with every change; 0 until the first' })
  version!: number;

  @Field(() => Date, { nullable: true, description: 'The last change; null until the first' })
  updatedAt?: Date;
}

@ObjectType({ description: 'Who made a consent change' })
export class ConsentActor {
  @Field({ description: 'The role of the token: customer, brand or staff' })
  role!: string;

  @Field({ description: "The token's subject: the customer id for a customer" })
  subject!: string;
}

@ObjectType({ description: 'One change of one consent: append-only and hash-chained' })
export class ConsentEvent {
  @Field(() => ID, { description: "The event's id" })
  id!: string;

  @Field(() => ID, { description: 'The customer whose consent changed' })
  customerId!: string;

  @Field(() => Brand, { description: 'The brand whose preference changed' })
  brand!: Brand;

  @Field(() => Channel, {
    nullable: true,
    description: 'Null for a purpose-wide switch (thirdPartyOffers, quoteFollowUp)',
  })
  channel?: Channel;

  @Field(() => String, { nullable: true, description: 'The push topic, for PUSH' })
  topic?: string;

  @Field(() => ContactPurpose, { description: 'MARKETING for channels and push topics' })
  purpose!: ContactPurpose;

  @Field({ description: 'The new value: true for GRANTED, false for WITHDRAWN' })
  granted!: boolean;

  @Field(() => ConsentState, { description: 'The value before the change' })
  previous!: ConsentState;

  @Field(() => ConsentSource, { description: 'Where the change came from' })
  source!: ConsentSource;

  @Field(() => ConsentActor, { description: 'Who made the change (role and token subject)' })
  actor!: ConsentActor;

  @Field({ description: 'When the change was made' })
  at!: Date;

  @Field(() => String, {
    nullable: true,
    description:
      'What the caller gave as proof (app and version, a letter reference); null when none ' +
      'was given or it has been erased',
  })
  evidence?: string;

  @Field({ description: "SHA-256 over the event's content and the previous event's hash" })
  hash!: string;
}

@ObjectType({ description: 'One consent event in a page, with its place in the list' })
export class ConsentEventEdge {
  @Field({ description: 'Opaque; pass it as after to read on' })
  cursor!: string;

  @Field(() => ConsentEvent, { description: 'The event' })
  node!: ConsentEvent;
}

@ObjectType({ description: 'A page of consent events' })
export class ConsentEventConnection {
  @Field(() => [ConsentEventEdge], { description: "This page's events, in the list's order" })
  edges!: ConsentEventEdge[];

  @Field(() => PageInfo, {
    description:
      'In the change feed endCursor is set even on an empty page, so a reader can always resume',
  })
  pageInfo!: PageInfo;
}

@ObjectType({ description: 'May this brand contact this customer this way now, and why' })
export class ContactPermission {
  @Field({ description: 'True when the brand may make this contact now; the reason says why' })
  allowed!: boolean;

  @Field({
    description:
      'The rule and its evidence, such as "email WITHDRAWN via EMAIL_UNSUBSCRIBE on 2026-11-20"',
  })
  reason!: string;

  @Field(() => Int, { description: "The version of the brand's preferences the answer read" })
  version!: number;

  @Field({ description: 'When the answer was given' })
  asOf!: Date;
}

@ObjectType({ description: "The result of recomputing a customer's consent trail" })
export class ConsentTrailVerification {
  @Field({ description: 'Every event verifies' })
  valid!: boolean;

  @Field(() => Int, { description: 'How many events the trail has' })
  events!: number;

  @Field(() => ID, { nullable: true, description: 'The first event that does not verify' })
  firstBrokenEventId?: string;
}

@ObjectType({ description: 'What setPreferences did' })
export class SetPreferencesPayload {
  @Field(() => BrandPreferences, { description: "The brand's preferences after the call" })
  preferences!: BrandPreferences;

  @Field(() => [ConsentEvent], {
    description: 'One event per value that changed; empty when nothing changed',
  })
  changes!: ConsentEvent[];
}

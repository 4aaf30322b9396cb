import { Field, ID, InputType, Int } from 'type-graphql';

import { Brand } from '../customers/brand';
import { ConsentSource } from './preference.enums';

/** Said of every switch: true grants, false withdraws. */
const UNCHANGED = ': true grants, false withdraws; null or left out leaves it as it is';

@InputType({ description: 'One push topic turned on or off' })
export class PushTopicInput {
  @Field({ description: "A topic of the brand's app; an unknown one is BAD_USER_INPUT" })
  topic!: string;

  @Field({ description: 'True grants the topic, false withdraws it' })
  enabled!: boolean;
}

@InputType({
  description:
    "Changes to a customer's preferences at one brand; a field left out (or null) is unchanged",
})
export class SetPreferencesInput {
  @Field(() => ID, {
    nullable: true,
    description: 'Required for brands and staff; a customer may leave it out (themselves)',
  })
  customerId?: string | null;

  @Field(() => Brand, { description: 'The brand whose preferences change (a brand: its own)' })
  brand!: Brand;

  @Field(() => Boolean, { nullable: true, description: `Marketing email${UNCHANGED}` })
  email?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: `Marketing text messages${UNCHANGED}` })
  sms?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: `Marketing post${UNCHANGED}` })
  post?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: `Marketing phone calls${UNCHANGED}` })
  phone?: boolean | null;

  @Field(() => Boolean, {
    nullable: true,
    description: `Offers from the brand's suppliers${UNCHANGED}`,
  })
  thirdPartyOffers?: boolean | null;

  @Field(() => Boolean, {
    nullable: true,
    description: `John Lewis Finance following up a valid quote by phone or email${UNCHANGED}`,
  })
  quoteFollowUp?: boolean | null;

  @Field(() => [PushTopicInput], {
    nullable: true,
    description: 'Topics to turn on or off; applied after pushAll',
  })
  push?: PushTopicInput[] | null;

  @Field(() => Boolean, {
    nullable: true,
    description: "Every topic of the brand's app at once: false turns them all off",
  })
  pushAll?: boolean | null;

  @Field(() => ConsentSource, {
    description: 'WEB or APP for customers and brands; STAFF or POST for staff',
  })
  source!: ConsentSource;

  @Field(() => String, {
    nullable: true,
    description:
      'Proof of the change, such as the app and its version or a letter reference; at most ' +
      '500 characters, kept apart from the chain so it can be erased',
  })
  evidence?: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      'The same key from the same caller returns the first result and writes nothing ' +
      '(remembered for 24 hours); the same key with another input is BAD_USER_INPUT',
  })
  idempotencyKey?: string | null;

  @Field(() => Int, {
    nullable: true,
    description: 'The version the caller last read; another current version is VERSION_CONFLICT',
  })
  expectedVersion?: number | null;
}

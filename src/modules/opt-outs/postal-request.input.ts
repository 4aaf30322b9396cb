import { ArgsType, Field, ID, InputType, Int } from 'type-graphql';

import { MAX_QUEUE_PAGE } from '../../graphql/queue-page';
import { Brand } from '../customers/brand';
import { PersonNameInput, PostalAddressInput } from '../customers/customer.input';
import { PostalRequestStatus } from './postal-request.model';

const LEFT_AS_IT_IS = 'Absent or null leaves it as it is';

@InputType({ description: "What a letter asks of one brand's marketing" })
export class PostalPreferenceUpdateInput {
  @Field(() => Brand, { description: 'The brand the letter names' })
  brand!: Brand;

  @Field(() => Boolean, { nullable: true, description: `Marketing email. ${LEFT_AS_IT_IS}` })
  email?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: `Text messages. ${LEFT_AS_IT_IS}` })
  sms?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: `Letters. ${LEFT_AS_IT_IS}` })
  post?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: `Phone calls. ${LEFT_AS_IT_IS}` })
  phone?: boolean | null;

  @Field(() => Boolean, {
    nullable: true,
    description: `Offers from third-party suppliers. ${LEFT_AS_IT_IS}`,
  })
  thirdPartyOffers?: boolean | null;
}

@InputType({ description: 'A letter to Group Customer Insight, as staff key it in' })
export class PostalRequestInput {
  @Field(() => PersonNameInput, { description: 'The name the letter gives' })
  name!: PersonNameInput;

  @Field({ description: 'The email the letter gives' })
  email!: string;

  @Field(() => PostalAddressInput, { description: 'The postal address the letter gives' })
  postalAddress!: PostalAddressInput;

  @Field(() => [PostalPreferenceUpdateInput], {
    description: 'The preference update for each brand the letter names (each brand once)',
  })
  updates!: PostalPreferenceUpdateInput[];

  @Field({
    description: "The letter's reference: the same letter keyed in twice is one request",
  })
  letterReference!: string;

  @Field({ description: 'When the letter arrived' })
  receivedAt!: Date;
}

@ArgsType()
export class PostalRequestsArgs {
  @Field(() => PostalRequestStatus, {
    nullable: true,
    description:
      'Only requests in this state; by default the review queue (NEEDS_REVIEW, NO_MATCH)',
  })
  status?: PostalRequestStatus | null;

  @Field(() => Int, { defaultValue: 20, description: `At most ${MAX_QUEUE_PAGE}` })
  first!: number;

  @Field(() => String, { nullable: true, description: 'The endCursor of the previous page' })
  after?: string | null;
}

@ArgsType()
export class ResolvePostalRequestArgs {
  @Field(() => ID, { description: 'The kept postal request (NEEDS_REVIEW or NO_MATCH)' })
  id!: string;

  @Field(() => ID, { description: 'The customer staff decided the letter is from' })
  customerId!: string;
}

@ArgsType()
export class DismissPostalRequestArgs {
  @Field(() => ID, { description: 'The postal request to close; not one already APPLIED' })
  id!: string;

  @Field({ description: 'Why the letter is closed without a change, for the record' })
  reason!: string;
}

import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';

import { PageInfo } from '../../graphql/page-info';
import { Brand } from '../customers/brand';
import { PersonName, PostalAddress } from '../customers/customer.type';
import { ConsentEvent } from '../preferences/preference.type';
import { PostalRequestStatus } from './postal-request.model';

registerEnumType(PostalRequestStatus, {
  name: 'PostalRequestStatus',
  description: 'What became of a letter',
  valuesConfig: {
    APPLIED: { description: "Applied to the customer's preferences" },
    NEEDS_REVIEW: {
      description: 'The email matches but the postcode does not, or several customers match',
    },
    NO_MATCH: { description: 'No customer has the email' },
    DISMISSED: { description: 'Staff closed it without a change' },
  },
});

@ObjectType({ description: "What a letter asks of one brand's marketing" })
export class PostalPreferenceUpdate {
  @Field(() => Brand)
  brand!: Brand;

  @Field(() => Boolean, { nullable: true, description: 'Null: left as it is' })
  email?: boolean;

  @Field(() => Boolean, { nullable: true, description: 'Null: left as it is' })
  sms?: boolean;

  @Field(() => Boolean, { nullable: true, description: 'Null: left as it is' })
  post?: boolean;

  @Field(() => Boolean, { nullable: true, description: 'Null: left as it is' })
  phone?: boolean;

  @Field(() => Boolean, { nullable: true, description: 'Null: left as it is' })
  thirdPartyOffers?: boolean;
}

@ObjectType({ description: 'A letter to Group Customer Insight and what became of it' })
export class PostalRequest {
  @Field(() => ID)
  id!: string;

  @Field()
  letterReference!: string;

  @Field()
  receivedAt!: Date;

  @Field(() => PersonName)
  name!: PersonName;

  @Field()
  email!: string;

  @Field(() => PostalAddress)
  postalAddress!: PostalAddress;

  @Field(() => [PostalPreferenceUpdate])
  updates!: PostalPreferenceUpdate[];

  @Field(() => PostalRequestStatus)
  status!: PostalRequestStatus;

  @Field(() => [ID], { description: 'The customers the letter might be from, for review' })
  candidateIds!: string[];

  @Field(() => ID, { nullable: true, description: 'The customer the updates were applied to' })
  customerId?: string;

  @Field({ description: 'The staff member who keyed the letter in' })
  recordedBy!: string;

  @Field()
  recordedAt!: Date;

  @Field(() => String, { nullable: true, description: 'The staff member who resolved it' })
  resolvedBy?: string;

  @Field(() => Date, { nullable: true })
  resolvedAt?: Date;

  @Field(() => String, { nullable: true })
  dismissReason?: string;
}

@ObjectType()
export class PostalRequestPayload {
  @Field(() => PostalRequestStatus)
  status!: PostalRequestStatus;

  @Field(() => PostalRequest)
  request!: PostalRequest;

  @Field(() => [ConsentEvent], {
    description: 'The consent events this call wrote (none unless it applied the letter)',
  })
  changes!: ConsentEvent[];
}

@ObjectType()
export class PostalRequestEdge {
  @Field()
  cursor!: string;

  @Field(() => PostalRequest)
  node!: PostalRequest;
}

@ObjectType({ description: 'Kept letters, oldest first' })
export class PostalRequestConnection {
  @Field(() => [PostalRequestEdge])
  edges!: PostalRequestEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

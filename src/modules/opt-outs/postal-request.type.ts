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
  @Field(() => Brand, { description: 'The brand the letter names' })
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
  @Field(() => ID, { description: "The request's id, for resolving or dismissing it" })
  id!: string;

  @Field({ description: "The letter's reference, unique: the same letter is one request" })
  letterReference!: string;

  @Field({ description: 'When the letter arrived' })
  receivedAt!: Date;

  @Field(() => PersonName, { description: 'The name the letter gives' })
  name!: PersonName;

  @Field({ description: 'The email the letter gives, as written' })
  email!: string;

  @Field(() => PostalAddress, { description: 'The postal address the letter gives' })
  postalAddress!: PostalAddress;

  @Field(() => [PostalPreferenceUpdate], { description: 'What the letter asks, per brand' })
  updates!: PostalPreferenceUpdate[];

  @Field(() => PostalRequestStatus, { description: 'What became of the letter so far' })
  status!: PostalRequestStatus;

  @Field(() => [ID], { description: 'The customers the letter might be from, for review' })
  candidateIds!: string[];

  @Field(() => ID, { nullable: true, description: 'The customer the updates were applied to' })
  customerId?: string;

  @Field({ description: 'The staff member who keyed the letter in' })
  recordedBy!: string;

  @Field({ description: 'When the letter was keyed in' })
  recordedAt!: Date;

  @Field(() => String, { nullable: true, description: 'The staff member who resolved it' })
  resolvedBy?: string;

  @Field(() => Date, {
    nullable: true,
    description: 'When it was applied or dismissed; null while it is kept for review',
  })
  resolvedAt?: Date;

  @Field(() => String, {
    nullable: true,
    description: 'Why staff dismissed it; null unless DISMISSED',
  })
  dismissReason?: string;
}

@ObjectType({ description: 'What a call about a letter did' })
export class PostalRequestPayload {
  @Field(() => PostalRequestStatus, { description: "The request's status after the call" })
  status!: PostalRequestStatus;

  @Field(() => PostalRequest, { description: 'The request as stored after the call' })
  request!: PostalRequest;

  @Field(() => [ConsentEvent], {
    description: 'The consent events this call wrote (none unless it applied the letter)',
  })
  changes!: ConsentEvent[];
}

@ObjectType({ description: 'One kept letter in a page, with its place in the queue' })
export class PostalRequestEdge {
  @Field({ description: 'Opaque: pass it as `after` to read on from this letter' })
  cursor!: string;

  @Field(() => PostalRequest, { description: 'The letter' })
  node!: PostalRequest;
}

@ObjectType({ description: 'Kept letters, oldest first' })
export class PostalRequestConnection {
  @Field(() => [PostalRequestEdge], { description: "This page's letters, oldest first" })
  edges!: PostalRequestEdge[];

  @Field(() => PageInfo, { description: 'Whether more letters follow, and the cursor to ask with' })
  pageInfo!: PageInfo;
}

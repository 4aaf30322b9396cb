import { Field, ID, ObjectType } from 'type-graphql';

import { PageInfo } from '../../graphql/page-info';
import { Brand } from '../customers/brand';
import { QuoteProduct, QuoteStatus } from './quote.enums';

@ObjectType({ description: 'An amount of money, exact to the penny' })
export class Money {
  @Field({ description: 'A decimal string such as "182.40"; money is never a float' })
  amount!: string;

  @Field({ description: 'ISO 4217 currency code' })
  currency!: string;
}

@ObjectType({ description: 'An insurance quote made by John Lewis Finance' })
export class Quote {
  @Field(() => ID, { description: "The gateway's opaque id of the quote" })
  id!: string;

  @Field({ description: "The quote engine's reference; unique per brand" })
  reference!: string;

  @Field(() => Brand, { description: 'The seller: always JOHN_LEWIS_FINANCE' })
  brand!: Brand;

  @Field(() => QuoteProduct, { description: 'What the quote insures' })
  product!: QuoteProduct;

  @Field(() => QuoteStatus, { description: 'Where the quote stands now' })
  status!: QuoteStatus;

  @Field(() => Money, { description: 'The premium quoted, in GBP' })
  premium!: Money;

  @Field({ description: 'When the quote was made' })
  createdAt!: Date;

  @Field({ description: 'The last instant the quote can be taken up' })
  validUntil!: Date;
}

@ObjectType({ description: 'One quote in a page, with its place in the list' })
export class QuoteEdge {
  @Field({ description: 'Opaque: pass it as `after` to read on from this quote' })
  cursor!: string;

  @Field(() => Quote, { description: 'The quote' })
  node!: Quote;
}

/** What `totalCount` counts: the customer's quotes under the page's filters. */
export interface QuoteCountKey {
  customerId: string;
  product?: QuoteProduct;
  status?: QuoteStatus;
}

@ObjectType({ description: "A page of a customer's quotes, newest first" })
export class QuoteConnection {
  @Field(() => [QuoteEdge], { description: "This page's quotes, newest first" })
  edges!: QuoteEdge[];

  @Field(() => PageInfo, { description: 'Whether more quotes follow, and the cursor to ask with' })
  pageInfo!: PageInfo;

  /** Not in the API: lets `totalCount` be counted only when a client asks for it. */
  countKey!: QuoteCountKey;
}

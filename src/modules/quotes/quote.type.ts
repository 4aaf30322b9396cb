import { Field, ID, ObjectType } from 'type-graphql';

import { PageInfo } from '../../graphql/page-info';
import { Brand } from '../customers/brand';
import { QuoteProduct, QuoteStatus } from './quote.enums';

@ObjectType()
export class Money {
  @Field({ description: 'A decimal string such as "182.40"; money is never a float' })
  amount!: string;

  @Field({ description: 'ISO 4217 currency code' })
  currency!: string;
}

@ObjectType({ description: 'An insurance quote made by John Lewis Finance' })
export class Quote {
  @Field(() => ID)
  id!: string;

  @Field({ description: "The quote engine's reference; unique per brand" })
  reference!: string;

  @Field(() => Brand)
  brand!: Brand;

  @Field(() => QuoteProduct)
  product!: QuoteProduct;

  @Field(() => QuoteStatus)
  status!: QuoteStatus;

  @Field(() => Money)
  premium!: Money;

  @Field()
  createdAt!: Date;

  @Field()
  validUntil!: Date;
}

@ObjectType()
export class QuoteEdge {
  @Field()
  cursor!: string;

  @Field(() => Quote)
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
  @Field(() => [QuoteEdge])
  edges!: QuoteEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  /** Not in the API: lets `totalCount` be counted only when a client asks for it. */
  countKey!: QuoteCountKey;
}

import { Field, Int, ObjectType } from 'type-graphql';

import { Brand } from '../customers/brand';
import { QuoteProduct } from '../quotes/quote.enums';

@ObjectType({ description: 'A discount the customer is eligible for, and why' })
export class DiscountEligibility {
  @Field({ description: 'The rule that grants it, such as MEMBER_HOME_10' })
  code!: string;

  @Field({ description: 'What the discount is, in words for the customer' })
  description!: string;

  @Field(() => Brand, { description: 'The brand that gives the discount' })
  brand!: Brand;

  @Field(() => [QuoteProduct], { description: 'The insurance products the discount applies to' })
  products!: QuoteProduct[];

  @Field(() => Int, { description: 'The discount off the premium, in whole percent (10 = 10%)' })
  percentage!: number;

  @Field({ description: 'The evidence, such as "my Waitrose member since 2019-03-02"' })
  reason!: string;

  @Field(() => Date, { nullable: true, description: 'When the offer ends; null when it runs on' })
  validUntil?: Date;
}

@ObjectType({ description: "The customer's standing across the group's loyalty rules" })
export class Loyalty {
  /** Not in the API: whose loyalty this is, for `eligibleDiscounts`. */
  customerId!: string;
}

import { Field, ID, InputType } from 'type-graphql';

import { QuoteProduct, QuoteStatus } from './quote.enums';

@InputType()
export class MoneyInput {
  @Field({ description: 'A non-negative decimal string with at most two decimals: "182.40"' })
  amount!: string;

  @Field(() => String, { defaultValue: 'GBP', description: 'Only GBP for now' })
  currency!: string;
}

@InputType({ description: "John Lewis Finance's quote engine reporting a quote" })
export class QuoteInput {
  @Field(() => ID)
  customerId!: string;

  @Field({ description: 'Unique per brand: a repeated reference updates the quote' })
  reference!: string;

  @Field(() => QuoteProduct)
  product!: QuoteProduct;

  @Field(() => QuoteStatus)
  status!: QuoteStatus;

  @Field(() => MoneyInput)
  premium!: MoneyInput;

  @Field({
    description:
      'When the quote was made: not in the future, nor on a UK calendar date before the ' +
      'earliest the gateway accepts (2000-01-01 unless configured otherwise)',
  })
  createdAt!: Date;

  @Field()
  validUntil!: Date;
}

import { Field, ID, InputType } from 'type-graphql';

import { QuoteProduct, QuoteStatus } from './quote.enums';

@InputType({ description: 'An amount of money, exact to the penny' })
export class MoneyInput {
  @Field({ description: 'A non-negative decimal string with at most two decimals: "182.40"' })
  amount!: string;

  @Field(() => String, { defaultValue: 'GBP', description: 'Only GBP for now' })
  currency!: string;
}

@InputType({ description: "John Lewis Finance's quote engine reporting a quote" })
export class QuoteInput {
  @Field(() => ID, { description: 'The customer quoted: the gateway id of a known customer' })
  customerId!: string;

  @Field({ description: 'Unique per brand: a repeated reference updates the quote' })
  reference!: string;

  @Field(() => QuoteProduct, {
    description: 'What the quote insures; may not change on a later report',
  })
  product!: QuoteProduct;

  @Field(() => QuoteStatus, {
    description: 'Where the quote stands; a settled quote (not QUOTED) may not move elsewhere',
  })
  status!: QuoteStatus;

  @Field(() => MoneyInput, { description: 'The premium quoted; may not change on a later report' })
  premium!: MoneyInput;

  @Field({
    description:
      'When the quote was made: not in the future, nor on a UK calendar date before the ' +
      'earliest the gateway accepts (2000-01-01 unless configured otherwise)',
  })
  createdAt!: Date;

  @Field({ description: 'The last instant the quote can be taken up; a later report may move it' })
  validUntil!: Date;
}

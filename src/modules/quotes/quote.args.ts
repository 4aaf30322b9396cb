import { ArgsType, Field, Int } from 'type-graphql';

import { QuoteProduct, QuoteStatus } from './quote.enums';

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

@ArgsType()
export class QuotesArgs {
  @Field(() => Int, {
    nullable: true,
    defaultValue: DEFAULT_PAGE_SIZE,
    description: `1 to ${MAX_PAGE_SIZE}`,
  })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'The endCursor of the previous page' })
  after?: string | null;

  @Field(() => QuoteProduct, { nullable: true, description: 'Only quotes for this product' })
  product?: QuoteProduct | null;

  @Field(() => QuoteStatus, { nullable: true, description: 'Only quotes with this status' })
  status?: QuoteStatus | null;
}

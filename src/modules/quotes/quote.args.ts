import { ArgsType, Field, Int } from 'type-graphql';

import { QuoteProduct, QuoteStatus } from './quote.enums';

export const MAX_PAGE_SIZE = 100;

@ArgsType()
export class QuotesArgs {
  @Field(() => Int, { defaultValue: 20, description: `1 to ${MAX_PAGE_SIZE}` })
  first!: number;

  @Field(() => String, { nullable: true, description: 'The endCursor of the previous page' })
  after?: string | null;

  @Field(() => QuoteProduct, { nullable: true })
  product?: QuoteProduct | null;

  @Field(() => QuoteStatus, { nullable: true })
  status?: QuoteStatus | null;
}

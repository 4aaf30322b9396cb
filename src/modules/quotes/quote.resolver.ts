import { Arg, Args, Ctx, FieldResolver, Int, Mutation, Resolver, Root } from 'type-graphql';

import { type Context } from '../../graphql/context';
import { Customer } from '../customers/customer.type';
import { QuotesArgs } from './quote.args';
import { QuoteInput } from './quote.input';
import { Quote, QuoteConnection } from './quote.type';

@Resolver(() => Quote)
export class QuoteResolver {
  @Mutation(() => Quote, { description: "John Lewis Finance's quote engine reports a quote" })
  recordQuote(
    @Arg('input', () => QuoteInput, { description: 'The quote as the quote engine holds it' })
    input: QuoteInput,
    @Ctx() { services }: Context,
  ): Promise<Quote> {
    return services.quotes.recordQuote(input);
  }
}

@Resolver(() => Customer)
export class CustomerQuotesResolver {
  @FieldResolver(() => QuoteConnection, {
    nullable: true,
    description:
      'Newest first. Null, with a FORBIDDEN error for this field alone, for a caller who may not ' +
      'read quote history (a brand other than John Lewis Finance)',
  })
  quotes(
    @Root() customer: Customer,
    @Args(() => QuotesArgs) args: QuotesArgs,
    @Ctx() { services }: Context,
  ): Promise<QuoteConnection> {
    return services.quotes.quotesOf(customer.id, args);
  }
}

@Resolver(() => QuoteConnection)
export class QuoteConnectionResolver {
  @FieldResolver(() => Int, { description: 'Quotes under the same filters, on every page' })
  totalCount(@Root() connection: QuoteConnection, @Ctx() { services }: Context): Promise<number> {
    return services.quotes.totalCount(connection);
  }
}

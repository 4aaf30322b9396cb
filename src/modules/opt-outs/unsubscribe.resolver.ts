import { Arg, Args, Ctx, Mutation, Query, Resolver } from 'type-graphql';

import { type Context } from '../../graphql/context';
import { UnsubscribeLinkArgs, UnsubscribePayload } from './unsubscribe.type';

@Resolver()
export class UnsubscribeResolver {
  @Query(() => String, {
    description:
      'The one-click unsubscribe link for an email to this customer from this brand: put it in ' +
      'the List-Unsubscribe header and the email body. Valid for two years',
  })
  unsubscribeLink(
    @Args(() => UnsubscribeLinkArgs) { customerId, brand }: UnsubscribeLinkArgs,
    @Ctx() { services }: Context,
  ): Promise<string> {
    return services.unsubscribe.linkFor(customerId, brand);
  }

  @Mutation(() => UnsubscribePayload, {
    description:
      'Withdraws the marketing email of the brand an unsubscribe link names. Anyone may call it: ' +
      'the token is the authority',
  })
  unsubscribe(
    @Arg('token', { description: 'The token of an unsubscribe link' }) token: string,
    @Ctx() { services }: Context,
  ): Promise<UnsubscribePayload> {
    return services.unsubscribe.redeem(token);
  }
}

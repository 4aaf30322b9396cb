import { Arg, Args, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';

import { authenticatedViewer } from '../../auth/viewer';
import { type Context } from '../../graphql/context';
import { Customer } from './customer.type';
import {
  LinkAccountsArgs,
  PossibleMatch,
  PossibleMatchConnection,
  PossibleMatchesArgs,
} from './possible-match.type';

@Resolver(() => PossibleMatch)
export class PossibleMatchResolver {
  @Query(() => PossibleMatchConnection, {
    description: 'Accounts waiting for staff to decide whether they belong to another customer',
  })
  possibleMatches(
    @Args(() => PossibleMatchesArgs) args: PossibleMatchesArgs,
    @Ctx() { services }: Context,
  ): Promise<PossibleMatchConnection> {
    return services.possibleMatches.openMatches(args);
  }

  @Mutation(() => Customer, {
    description: 'Staff link a brand account to the customer it belongs to; returns that customer',
  })
  linkAccounts(
    @Args(() => LinkAccountsArgs) args: LinkAccountsArgs,
    @Ctx() { services, viewer }: Context,
  ): Promise<Customer> {
    return services.possibleMatches.linkAccounts(args, authenticatedViewer(viewer));
  }

  @Mutation(() => PossibleMatch, { description: 'Staff decide a possible match is two people' })
  dismissPossibleMatch(
    @Arg('id', () => ID, { description: 'The possible match to close' }) id: string,
    @Ctx() { services, viewer }: Context,
  ): Promise<PossibleMatch> {
    return services.possibleMatches.dismiss(id, authenticatedViewer(viewer));
  }
}

import { Arg, Args, Ctx, Mutation, Query, Resolver } from 'type-graphql';

import { authenticatedViewer } from '../../auth/viewer';
import { type Context } from '../../graphql/context';
import {
  DismissPostalRequestArgs,
  PostalRequestInput,
  PostalRequestsArgs,
  ResolvePostalRequestArgs,
} from './postal-request.input';
import { PostalRequestConnection, PostalRequestPayload } from './postal-request.type';

@Resolver()
export class PostalRequestResolver {
  @Mutation(() => PostalRequestPayload, {
    description:
      'Staff key in a letter asking to change marketing preferences: applied at once when its ' +
      'email and postcode name one customer, otherwise kept for review',
  })
  recordPostalRequest(
    @Arg('input', () => PostalRequestInput, { description: 'What the letter says' })
    input: PostalRequestInput,
    @Ctx() { services, viewer }: Context,
  ): Promise<PostalRequestPayload> {
    return services.postalRequests.record(input, authenticatedViewer(viewer));
  }

  @Query(() => PostalRequestConnection, {
    description: 'Letters kept for review (or in the status asked), oldest first',
  })
  postalRequests(
    @Args(() => PostalRequestsArgs) args: PostalRequestsArgs,
    @Ctx() { services }: Context,
  ): Promise<PostalRequestConnection> {
    return services.postalRequests.list(args);
  }

  @Mutation(() => PostalRequestPayload, {
    description: 'Staff apply a kept letter to the customer they decided it is from',
  })
  resolvePostalRequest(
    @Args(() => ResolvePostalRequestArgs) args: ResolvePostalRequestArgs,
    @Ctx() { services, viewer }: Context,
  ): Promise<PostalRequestPayload> {
    return services.postalRequests.resolve(args, authenticatedViewer(viewer));
  }

  @Mutation(() => PostalRequestPayload, {
    description: 'Staff close a kept letter without a change, saying why',
  })
  dismissPostalRequest(
    @Args(() => DismissPostalRequestArgs) args: DismissPostalRequestArgs,
    @Ctx() { services, viewer }: Context,
  ): Promise<PostalRequestPayload> {
    return services.postalRequests.dismiss(args, authenticatedViewer(viewer));
  }
}

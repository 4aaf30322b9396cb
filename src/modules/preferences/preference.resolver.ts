import { Arg, Args, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';

import { authenticatedViewer } from '../../auth/viewer';
import { type Context } from '../../graphql/context';
import { Customer } from '../customers/customer.type';
import {
  ConsentHistoryArgs,
  ContactPermissionArgs,
  PreferenceChangesArgs,
  PreferencesArgs,
  VerifyConsentTrailArgs,
} from './preference.args';
import { SetPreferencesInput } from './preference.input';
import {
  BrandPreferences,
  ConsentEventConnection,
  ConsentTrailVerification,
  ContactPermission,
  SetPreferencesPayload,
} from './preference.type';

@Resolver(() => BrandPreferences)
export class PreferenceResolver {
  @Mutation(() => SetPreferencesPayload, {
    description:
      "Changes a customer's contact preferences at one brand, durably and with one consent " +
      'event per value that changed, before it returns',
  })
  setPreferences(
    @Arg('input', () => SetPreferencesInput, { description: 'Which brand, and what changes' })
    input: SetPreferencesInput,
    @Ctx() { services, viewer }: Context,
  ): Promise<SetPreferencesPayload> {
    return services.preferences.setPreferences(input, authenticatedViewer(viewer));
  }

  @Query(() => ContactPermission, {
    description:
      'The send-time check: may this brand contact the customer on this channel for this ' +
      'purpose now, and why',
  })
  contactPermission(
    @Args(() => ContactPermissionArgs) args: ContactPermissionArgs,
    @Ctx() { services }: Context,
  ): Promise<ContactPermission> {
    return services.preferences.contactPermission(args);
  }

  @Query(() => ConsentEventConnection, {
    description:
      'Every consent change of every customer, oldest first, in commit order: reading on from ' +
      'a saved cursor returns every later change exactly once',
  })
  preferenceChanges(
    @Args(() => PreferenceChangesArgs) args: PreferenceChangesArgs,
    @Ctx() { services }: Context,
  ): Promise<ConsentEventConnection> {
    return services.preferences.changes(args);
  }

  @Query(() => ConsentTrailVerification, {
    description: "Recomputes the customer's consent hash chain",
  })
  verifyConsentTrail(
    @Args(() => VerifyConsentTrailArgs) { customerId }: VerifyConsentTrailArgs,
    @Ctx() { services }: Context,
  ): Promise<ConsentTrailVerification> {
    return services.preferences.verifyTrail(customerId);
  }
}

@Resolver(() => Customer)
export class CustomerPreferencesResolver {
  @FieldResolver(() => [BrandPreferences], {
    description: 'One entry per brand of the group, or the one asked',
  })
  preferences(
    @Root() customer: Customer,
    @Args(() => PreferencesArgs) { brand }: PreferencesArgs,
    @Ctx() { services, viewer }: Context,
  ): Promise<BrandPreferences[]> {
    return services.preferences.preferencesOf(customer.id, brand, authenticatedViewer(viewer));
  }

  @FieldResolver(() => ConsentEventConnection, {
    description: "The customer's consent changes, newest first",
  })
  consentHistory(
    @Root() customer: Customer,
    @Args(() => ConsentHistoryArgs) args: ConsentHistoryArgs,
    @Ctx() { services, viewer }: Context,
  ): Promise<ConsentEventConnection> {
    return services.preferences.history(customer.id, args, authenticatedViewer(viewer));
  }
}

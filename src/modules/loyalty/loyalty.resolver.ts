import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';

import { type Context } from '../../graphql/context';
import { Customer } from '../customers/customer.type';
import { DiscountEligibility, Loyalty } from './loyalty.type';

@Resolver(() => Customer)
export class CustomerLoyaltyResolver {
  @FieldResolver(() => Loyalty, { description: 'The loyalty discounts the customer may have' })
  loyalty(@Root() customer: Customer): Loyalty {
    return { customerId: customer.id };
  }
}

@Resolver(() => Loyalty)
export class LoyaltyResolver {
  @FieldResolver(() => [DiscountEligibility], {
    description:
      'Every discount the rules grant now; reasons name only evidence the caller may read',
  })
  eligibleDiscounts(
    @Root() loyalty: Loyalty,
    @Ctx() { services, viewer }: Context,
  ): Promise<DiscountEligibility[]> {
    return services.loyalty.eligibleDiscounts(loyalty.customerId, viewer);
  }
}

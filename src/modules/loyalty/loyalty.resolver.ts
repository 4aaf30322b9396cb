import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';

import { type Context } from '../../graphql/context';
import { Customer } from '../customers/customer.type';
import { DiscountEligibility, Loyalty } from './loyalty.type';

@Resolver(() => Customer)
export class CustomerLoyaltyResolver {
  @FieldResolver(() => Loyalty)
  loyalty(@Root() customer: Customer): Loyalty {
    return { customerId: customer.id };
  }
}

@Resolver(() => Loyalty)
export class LoyaltyResolver {
  @FieldResolver(() => [DiscountEligibility])
  eligibleDiscounts(
    @Root() loyalty: Loyalty,
    @Ctx() { services, viewer }: Context,
  ): Promise<DiscountEligibility[]> {
    return services.loyalty.eligibleDiscounts(loyalty.customerId, viewer);
  }
}

import { Arg, Args, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';

import { type Context } from '../../graphql/context';
import { CustomerArgs, CustomerByBrandAccountArgs, CustomersArgs } from './customer.args';
import { BrandAccountInput } from './customer.input';
import { BrandAccount, Customer } from './customer.type';

@Resolver(() => Customer)
export class CustomerResolver {
  @Query(() => Customer, { description: 'The calling customer (role customer)' })
  me(@Ctx() { services, viewer }: Context): Promise<Customer> {
    return services.customers.findMe(viewer);
  }

  @Query(() => Customer, { nullable: true, description: 'Null when no customer has this id' })
  customer(@Args(() => CustomerArgs) { id }: CustomerArgs, @Ctx() { services }: Context) {
    return services.customers.findById(id);
  }

  @Query(() => [Customer], {
    nullable: 'items',
    description: 'In the order of ids, null where not found',
  })
  customers(@Args(() => CustomersArgs) { ids }: CustomersArgs, @Ctx() { services }: Context) {
    return services.customers.findMany(ids);
  }

  @Query(() => Customer, {
    nullable: true,
    description: "The customer holding a brand's account; null when no account has this id",
  })
  customerByBrandAccount(
    @Args(() => CustomerByBrandAccountArgs) { brand, accountId }: CustomerByBrandAccountArgs,
    @Ctx() { services }: Context,
  ) {
    return services.customers.findByBrandAccount(brand, accountId);
  }

  @Mutation(() => Customer, { description: "A brand's account system reports an account" })
  upsertBrandAccount(
    @Arg('input', () => BrandAccountInput, { description: 'The account as the brand holds it' })
    input: BrandAccountInput,
    @Ctx() { services }: Context,
  ): Promise<Customer> {
    return services.customers.upsertBrandAccount(input);
  }

  @FieldResolver(() => [BrandAccount], {
    description: "The customer's accounts at the brands (a brand sees only its own)",
  })
  brandAccounts(@Root() customer: Customer, @Ctx() { services }: Context) {
    return services.customers.brandAccounts(customer.id);
  }
}

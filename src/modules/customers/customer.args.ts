import { ArgsType, Field, ID } from 'type-graphql';

import { Brand } from './brand';

/** At most this many ids in one `customers` call: it bounds one request's database work. */
export const MAX_CUSTOMER_IDS = 100;

@ArgsType()
export class CustomerArgs {
  @Field(() => ID, { description: "The gateway's customer id, as in Customer.id" })
  id!: string;
}

@ArgsType()
export class CustomersArgs {
  @Field(() => [ID], { description: `At most ${MAX_CUSTOMER_IDS} ids` })
  ids!: string[];
}

@ArgsType()
export class CustomerByBrandAccountArgs {
  @Field(() => Brand, { description: 'The brand that holds the account (a brand: its own)' })
  brand!: Brand;

  @Field({ description: 'Spelt as upsertBrandAccount stores it: surrounding spaces are ignored' })
  accountId!: string;
}

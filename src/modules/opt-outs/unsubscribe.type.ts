import { ArgsType, Field, ID, ObjectType } from 'type-graphql';

import { Brand } from '../customers/brand';

@ObjectType({
  description:
    "What an unsubscribe link did: the brand's marketing email is withdrawn. Nothing else " +
    'changes: other brands, other channels, and contact about a live quote',
})
export class UnsubscribePayload {
  @Field(() => Brand, { description: 'The brand whose marketing email stopped' })
  brand!: Brand;

  @Field({
    description: 'This use withdrew consent; false when it was already withdrawn (nothing written)',
  })
  changed!: boolean;
}

@ArgsType()
export class UnsubscribeLinkArgs {
  @Field(() => ID, { description: 'The customer the email goes to' })
  customerId!: string;

  @Field(() => Brand, { description: 'The brand sending the email' })
  brand!: Brand;
}

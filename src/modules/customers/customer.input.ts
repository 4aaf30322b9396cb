import { Field, ID, InputType } from 'type-graphql';

import { DateScalar } from '../../graphql/scalars';
import { Brand, MembershipScheme } from './brand';

@InputType()
export class PersonNameInput {
  @Field(() => String, { nullable: true })
  title?: string | null;

  @Field()
  firstName!: string;

  @Field()
  lastName!: string;
}

@InputType()
export class PostalAddressInput {
  @Field()
  line1!: string;

  @Field(() => String, { nullable: true })
  line2?: string | null;

  @Field()
  town!: string;

  @Field()
  postcode!: string;

  @Field(() => String, { defaultValue: 'GB', description: 'ISO 3166-1 alpha-2; GB by default' })
  country!: string;
}

@InputType()
export class MembershipInput {
  @Field(() => MembershipScheme)
  scheme!: MembershipScheme;

  @Field()
  number!: string;

  @Field(() => DateScalar)
  since!: Date;

  @Field(() => String, { nullable: true })
  tier?: string | null;
}

@InputType({ description: "A brand's account system reporting one account" })
export class BrandAccountInput {
  @Field(() => Brand)
  brand!: Brand;

  @Field({ description: "The account's id in the brand's own system" })
  accountId!: string;

  @Field()
  email!: string;

  @Field({
    description:
      'The brand has confirmed the customer owns this email. Only a confirmed email links a new ' +
      'account to an existing customer; otherwise the account gets a customer of its own and ' +
      'staff are asked whether they are one person',
  })
  emailVerified!: boolean;

  @Field(() => PersonNameInput)
  name!: PersonNameInput;

  @Field(() => PostalAddressInput, { nullable: true })
  postalAddress?: PostalAddressInput | null;

  @Field(() => MembershipInput, { nullable: true })
  membership?: MembershipInput | null;

  @Field(() => ID, {
    nullable: true,
    description:
      'Link a new account to this customer rather than matching by email; only a customer ' +
      'the calling brand can already read',
  })
  customerId?: string | null;
}

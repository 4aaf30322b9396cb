import { Field, ID, InputType } from 'type-graphql';

import { DateScalar } from '../../graphql/scalars';
import { Brand, MembershipScheme } from './brand';

/** Said of every optional text input: forms send "" for an empty field. */
const OPTIONAL = 'Optional: null, empty or blank means none';

@InputType()
export class PersonNameInput {
  @Field(() => String, { nullable: true, description: OPTIONAL })
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

  @Field(() => String, { nullable: true, description: OPTIONAL })
  line2?: string | null;

  @Field()
  town!: string;

  @Field({
    description:
      'Written any way (spaces, tabs, case); stored in one form such as "SW1A 1AA". In GB: ' +
      "ordinary UK postcodes, GIR 0AA, BFPO numbers and the overseas territories' UK-style codes",
  })
  postcode!: string;

  @Field(() => String, {
    nullable: true,
    defaultValue: 'GB',
    description: 'ISO 3166-1 alpha-2; GB when omitted, null, empty or blank',
  })
  country?: string | null;
}

@InputType()
export class MembershipInput {
  @Field(() => MembershipScheme)
  scheme!: MembershipScheme;

  @Field()
  number!: string;

  @Field(() => DateScalar, {
    description:
      'The day the membership began, a UK calendar date: not after today in London, nor ' +
      'before the earliest date the gateway accepts (1900-01-01 unless configured otherwise)',
  })
  since!: Date;

  @Field(() => String, { nullable: true, description: OPTIONAL })
  tier?: string | null;
}

@InputType({ description: "A brand's account system reporting one account" })
export class BrandAccountInput {
  @Field(() => Brand)
  brand!: Brand;

  @Field({
    description:
      "The account's id in the brand's own system; surrounding spaces are not part of it",
  })
  accountId!: string;

  @Field({
    description:
      'Internationalised addresses (RFC 6531) are accepted; the domain may be Unicode or ' +
      'punycode, and both name one customer',
  })
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
      `the calling brand can already read. ${OPTIONAL}`,
  })
  customerId?: string | null;
}

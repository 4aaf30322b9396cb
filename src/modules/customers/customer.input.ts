import { Field, ID, InputType } from 'type-graphql';

import { DateScalar } from '../../graphql/scalars';
import { Brand, MembershipScheme } from './brand';

/** Said of every optional text input: forms send "" for an empty field. */
const OPTIONAL = 'Optional: null, empty or blank means none';

@InputType({ description: "A person's name as the brand holds it" })
export class PersonNameInput {
  @Field(() => String, { nullable: true, description: `Such as "Ms". ${OPTIONAL}` })
  title?: string | null;

  @Field({ description: 'Given name; required, not blank' })
  firstName!: string;

  @Field({ description: 'Family name; required, not blank' })
  lastName!: string;
}

@InputType({ description: 'A postal address as the brand holds it' })
export class PostalAddressInput {
  @Field({ description: 'First line: house number or name and street; required, not blank' })
  line1!: string;

  @Field(() => String, { nullable: true, description: OPTIONAL })
  line2?: string | null;

  @Field({ description: 'Post town; required, not blank' })
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

@InputType({ description: "The account's loyalty membership" })
export class MembershipInput {
  @Field(() => MembershipScheme, { description: 'Which scheme the membership belongs to' })
  scheme!: MembershipScheme;

  @Field({ description: "The membership number in the brand's scheme; required, not blank" })
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
  @Field(() => Brand, { description: "The reporting brand: a brand token's own brand only" })
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

  @Field(() => PersonNameInput, {
    description:
      "The name on the account; changes the customer's name only when this account reported " +
      'a different one last time',
  })
  name!: PersonNameInput;

  @Field(() => PostalAddressInput, {
    nullable: true,
    description: 'The address on the account; null or omitted never removes a stored address',
  })
  postalAddress?: PostalAddressInput | null;

  @Field(() => MembershipInput, {
    nullable: true,
    description: "The account's loyalty membership; null or omitted when it holds none",
  })
  membership?: MembershipInput | null;

  @Field(() => ID, {
    nullable: true,
    description:
      'Link a new account to this customer rather than matching by email; only a customer ' +
      `the calling brand can already read. ${OPTIONAL}`,
  })
  customerId?: string | null;
}

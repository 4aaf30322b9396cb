import { Field, ID, ObjectType } from 'type-graphql';

import { DateScalar } from '../../graphql/scalars';
import { Brand, MembershipScheme } from './brand';

@ObjectType({ description: "A person's name as their brands know it" })
export class PersonName {
  @Field(() => String, {
    nullable: true,
    description: 'Such as "Ms" or "Dr"; null when none was given',
  })
  title?: string;

  @Field({ description: 'Given name' })
  firstName!: string;

  @Field({ description: 'Family name' })
  lastName!: string;
}

@ObjectType({ description: 'A postal address, as the latest brand report gave it' })
export class PostalAddress {
  @Field({ description: 'First line: house number or name and street' })
  line1!: string;

  @Field(() => String, { nullable: true, description: 'Second line; null when there is none' })
  line2?: string;

  @Field({ description: 'Post town' })
  town!: string;

  @Field({
    description: 'In one stored form: a UK postcode upper case with one space, as "SW1A 1AA"',
  })
  postcode!: string;

  @Field({ description: 'ISO 3166-1 alpha-2 country code, such as GB' })
  country!: string;
}

@ObjectType({ description: "A brand's loyalty membership held through one account" })
export class Membership {
  @Field(() => MembershipScheme, { description: 'Which scheme the membership belongs to' })
  scheme!: MembershipScheme;

  @Field({ description: "The membership number in the brand's scheme" })
  number!: string;

  @Field(() => DateScalar, { description: 'The day the membership began' })
  since!: Date;

  @Field(() => String, {
    nullable: true,
    description: 'The tier as the brand names it, such as "Gold"; null when the scheme has none',
  })
  tier?: string;
}

@ObjectType({ description: "The customer's account at one brand" })
export class BrandAccount {
  @Field(() => Brand, { description: 'The brand that holds the account' })
  brand!: Brand;

  @Field({ description: "The account's id in the brand's own system; unique per brand" })
  accountId!: string;

  @Field({ description: 'The email this brand holds for the account' })
  email!: string;

  @Field({ description: 'When the account was first linked to this customer' })
  linkedAt!: Date;

  @Field(() => Membership, {
    nullable: true,
    description: "The account's loyalty membership; null when it holds none",
  })
  membership?: Membership;
}

@ObjectType({ description: 'One person across John Lewis, Waitrose and John Lewis Finance' })
export class Customer {
  @Field(() => ID, {
    description: "The gateway's opaque customer id: the `sub` of the customer's own token",
  })
  id!: string;

  @Field(() => PersonName, {
    description:
      'The name: set by the first account; a known account reporting a change updates it',
  })
  name!: PersonName;

  @Field({ description: 'The email the customer was created with; it never changes afterwards' })
  email!: string;

  @Field(() => PostalAddress, {
    nullable: true,
    description: 'The postal address; null until an account reports one',
  })
  postalAddress?: PostalAddress;
}

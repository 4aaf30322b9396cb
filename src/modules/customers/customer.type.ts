import { Field, ID, ObjectType } from 'type-graphql';

import { DateScalar } from '../../graphql/scalars';
import { Brand, MembershipScheme } from './brand';

@ObjectType({ description: "A person's name as their brands know it" })
export class PersonName {
  @Field(() => String, { nullable: true })
  title?: string;

  @Field()
  firstName!: string;

  @Field()
  lastName!: string;
}

@ObjectType()
export class PostalAddress {
  @Field()
  line1!: string;

  @Field(() => String, { nullable: true })
  line2?: string;

  @Field()
  town!: string;

  @Field()
  postcode!: string;

  @Field({ description: 'ISO 3166-1 alpha-2 country code, such as GB' })
  country!: string;
}

@ObjectType({ description: "A brand's loyalty membership held through one account" })
export class Membership {
  @Field(() => MembershipScheme)
  scheme!: MembershipScheme;

  @Field()
  number!: string;

  @Field(() => DateScalar, { description: 'The day the membership began' })
  since!: Date;

  @Field(() => String, { nullable: true })
  tier?: string;
}

@ObjectType({ description: "The customer's account at one brand" })
export class BrandAccount {
  @Field(() => Brand)
  brand!: Brand;

  @Field()
  accountId!: string;

  @Field({ description: 'The email this brand holds for the account' })
  email!: string;

  @Field({ description: 'When the account was first linked to this customer' })
  linkedAt!: Date;

  @Field(() => Membership, { nullable: true })
  membership?: Membership;
}

@ObjectType({ description: 'One person across John Lewis, Waitrose and John Lewis Finance' })
export class Customer {
  @Field(() => ID)
  id!: string;

  @Field(() => PersonName)
  name!: PersonName;

  @Field()
  email!: string;

  @Field(() => PostalAddress, { nullable: true })
  postalAddress?: PostalAddress;
}

import { ArgsType, Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';

import { PageInfo } from '../../graphql/page-info';
import { MAX_QUEUE_PAGE } from '../../graphql/queue-page';
import { Brand } from './brand';
import { PossibleMatchStatus } from './possible-match.model';

registerEnumType(PossibleMatchStatus, {
  name: 'PossibleMatchStatus',
  description: 'Where a possible match stands in the staff queue',
  valuesConfig: {
    OPEN: { description: 'Waiting for staff' },
    LINKED: { description: 'Staff linked the account to the candidate customer' },
    DISMISSED: { description: 'Staff decided they are different people' },
  },
});

@ObjectType({
  description:
    'A new account kept apart from a customer with the same email, because its brand had not ' +
    'confirmed the address',
})
export class PossibleMatch {
  @Field(() => ID, { description: "The match's id, for linkAccounts or dismissPossibleMatch" })
  id!: string;

  @Field(() => Brand, { description: 'The brand of the new account' })
  brand!: Brand;

  @Field({ description: "The new account's id in its brand's system" })
  accountId!: string;

  @Field(() => ID, { description: 'The customer made for the new account' })
  customerId!: string;

  @Field(() => ID, { description: 'The existing customer with the same email' })
  candidateId!: string;

  @Field({ description: 'When the new account was reported and kept apart' })
  detectedAt!: Date;

  @Field(() => PossibleMatchStatus, { description: 'Where the match stands in the staff queue' })
  status!: PossibleMatchStatus;

  @Field(() => String, { nullable: true, description: 'The staff member who resolved it' })
  resolvedBy?: string;

  @Field(() => Date, { nullable: true, description: 'When staff resolved it; null while OPEN' })
  resolvedAt?: Date;
}

@ObjectType({ description: 'One possible match in a page, with its place in the queue' })
export class PossibleMatchEdge {
  @Field({ description: 'Opaque: pass it as `after` to read on from this match' })
  cursor!: string;

  @Field(() => PossibleMatch, { description: 'The possible match' })
  node!: PossibleMatch;
}

@ObjectType({ description: 'Open possible matches, oldest first' })
export class PossibleMatchConnection {
  @Field(() => [PossibleMatchEdge], { description: "This page's matches, oldest first" })
  edges!: PossibleMatchEdge[];

  @Field(() => PageInfo, { description: 'Whether more matches follow, and the cursor to ask with' })
  pageInfo!: PageInfo;
}

@ArgsType()
export class PossibleMatchesArgs {
  @Field(() => Int, { defaultValue: 20, description: `At most ${MAX_QUEUE_PAGE}` })
  first!: number;

  @Field(() => String, { nullable: true, description: 'The endCursor of the previous page' })
  after?: string | null;
}

@ArgsType()
export class LinkAccountsArgs {
  @Field(() => Brand, { description: 'The brand that holds the account' })
  accountBrand!: Brand;

  @Field({ description: "The account's id in its brand's system" })
  accountId!: string;

  @Field(() => ID, { description: 'The customer the account belongs to' })
  customerId!: string;
}

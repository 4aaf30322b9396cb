/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
/** A brand of the group: each keeps its own accounts and contact preferences */
export type Brand =
  /** John Lewis, the department stores and johnlewis.com */
  | 'JOHN_LEWIS'
  /** John Lewis Finance, the group's insurer: the seller of every quote */
  | 'JOHN_LEWIS_FINANCE'
  /** Waitrose, the supermarkets and waitrose.com */
  | 'WAITROSE';

/** A brand's loyalty membership scheme */
export type MembershipScheme =
  /** my John Lewis, held on a John Lewis account */
  | 'MY_JOHN_LEWIS'
  /** my Waitrose, held on a Waitrose account */
  | 'MY_WAITROSE';

/** An insurance product John Lewis Finance quotes for */
export type QuoteProduct =
  /** Car insurance */
  | 'CAR'
  /** Home insurance (buildings and contents) */
  | 'HOME'
  /** Life insurance */
  | 'LIFE'
  /** Pet insurance */
  | 'PET'
  /** Travel insurance */
  | 'TRAVEL';

/** Where a quote stands; every status but QUOTED is settled and never changes */
export type QuoteStatus =
  /** Turned down: no policy will follow (settled) */
  | 'DECLINED'
  /** Lapsed without a purchase (settled) */
  | 'EXPIRED'
  /** The customer bought the policy (settled) */
  | 'PURCHASED'
  /** Offered and not yet taken up: may still move to any status */
  | 'QUOTED';

export type MyProfileQueryVariables = Exact<{ [key: string]: never; }>;


export type MyProfileQuery = { me: { id: string, email: string, name: { firstName: string, lastName: string }, brandAccounts: Array<{ brand: Brand, accountId: string, membership: { scheme: MembershipScheme, since: string } | null }>, loyalty: { eligibleDiscounts: Array<{ code: string, percentage: number, products: Array<QuoteProduct>, reason: string }> } } };

export type MyQuotesQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type MyQuotesQuery = { me: { quotes: { totalCount: number, edges: Array<{ node: { reference: string, product: QuoteProduct, status: QuoteStatus, createdAt: string, premium: { amount: string, currency: string } } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } | null } };

export type SetEmailPreferenceMutationVariables = Exact<{
  brand: Brand;
  email: boolean;
  expectedVersion?: number | null | undefined;
}>;


export type SetEmailPreferenceMutation = { setPreferences: { preferences: { brand: Brand, email: boolean, version: number } } };


export const MyProfileDocument = {"__meta__":{"hash":"sha256:ce86abfc6805eaa7470949ee2e350f209eaade8388a379a3ef1e27ae9dfa6421"}} as unknown as DocumentNode<MyProfileQuery, MyProfileQueryVariables>;
export const MyQuotesDocument = {"__meta__":{"hash":"sha256:fb0e2c063afd16ba56bcb65089201c86c03c27111be57c590ac370577fe0bb58"}} as unknown as DocumentNode<MyQuotesQuery, MyQuotesQueryVariables>;
export const SetEmailPreferenceDocument = {"__meta__":{"hash":"sha256:98890c5240431136601f37bab289875621f3db748321f9bc0720b776b3f70ce6"}} as unknown as DocumentNode<SetEmailPreferenceMutation, SetEmailPreferenceMutationVariables>;
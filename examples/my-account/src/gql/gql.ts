/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query MyProfile {\n    me {\n      id\n      name {\n        firstName\n        lastName\n      }\n      email\n      brandAccounts {\n        brand\n        accountId\n        membership {\n          scheme\n          since\n        }\n      }\n      loyalty {\n        eligibleDiscounts {\n          code\n          percentage\n          products\n          reason\n        }\n      }\n    }\n  }\n": typeof types.MyProfileDocument,
    "\n  query MyQuotes($first: Int, $after: String) {\n    me {\n      quotes(first: $first, after: $after) {\n        totalCount\n        edges {\n          node {\n            reference\n            product\n            status\n            premium {\n              amount\n              currency\n            }\n            createdAt\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": typeof types.MyQuotesDocument,
    "\n  mutation SetEmailPreference($brand: Brand!, $email: Boolean!, $expectedVersion: Int) {\n    setPreferences(\n      input: { brand: $brand, email: $email, source: WEB, expectedVersion: $expectedVersion }\n    ) {\n      preferences {\n        brand\n        email\n        version\n      }\n    }\n  }\n": typeof types.SetEmailPreferenceDocument,
};
const documents: Documents = {
    "\n  query MyProfile {\n    me {\n      id\n      name {\n        firstName\n        lastName\n      }\n      email\n      brandAccounts {\n        brand\n        accountId\n        membership {\n          scheme\n          since\n        }\n      }\n      loyalty {\n        eligibleDiscounts {\n          code\n          percentage\n          products\n          reason\n        }\n      }\n    }\n  }\n": types.MyProfileDocument,
    "\n  query MyQuotes($first: Int, $after: String) {\n    me {\n      quotes(first: $first, after: $after) {\n        totalCount\n        edges {\n          node {\n            reference\n            product\n            status\n            premium {\n              amount\n              currency\n            }\n            createdAt\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": types.MyQuotesDocument,
    "\n  mutation SetEmailPreference($brand: Brand!, $email: Boolean!, $expectedVersion: Int) {\n    setPreferences(\n      input: { brand: $brand, email: $email, source: WEB, expectedVersion: $expectedVersion }\n    ) {\n      preferences {\n        brand\n        email\n        version\n      }\n    }\n  }\n": types.SetEmailPreferenceDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MyProfile {\n    me {\n      id\n      name {\n        firstName\n        lastName\n      }\n      email\n      brandAccounts {\n        brand\n        accountId\n        membership {\n          scheme\n          since\n        }\n      }\n      loyalty {\n        eligibleDiscounts {\n          code\n          percentage\n          products\n          reason\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query MyProfile {\n    me {\n      id\n      name {\n        firstName\n        lastName\n      }\n      email\n      brandAccounts {\n        brand\n        accountId\n        membership {\n          scheme\n          since\n        }\n      }\n      loyalty {\n        eligibleDiscounts {\n          code\n          percentage\n          products\n          reason\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MyQuotes($first: Int, $after: String) {\n    me {\n      quotes(first: $first, after: $after) {\n        totalCount\n        edges {\n          node {\n            reference\n            product\n            status\n            premium {\n              amount\n              currency\n            }\n            createdAt\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query MyQuotes($first: Int, $after: String) {\n    me {\n      quotes(first: $first, after: $after) {\n        totalCount\n        edges {\n          node {\n            reference\n            product\n            status\n            premium {\n              amount\n              currency\n            }\n            createdAt\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetEmailPreference($brand: Brand!, $email: Boolean!, $expectedVersion: Int) {\n    setPreferences(\n      input: { brand: $brand, email: $email, source: WEB, expectedVersion: $expectedVersion }\n    ) {\n      preferences {\n        brand\n        email\n        version\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation SetEmailPreference($brand: Brand!, $email: Boolean!, $expectedVersion: Int) {\n    setPreferences(\n      input: { brand: $brand, email: $email, source: WEB, expectedVersion: $expectedVersion }\n    ) {\n      preferences {\n        brand\n        email\n        version\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;
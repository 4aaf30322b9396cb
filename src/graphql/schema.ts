import { join } from 'node:path';

import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';

import { customerPermissions } from '../modules/customers/customer.permissions';
import { CustomerResolver } from '../modules/customers/customer.resolver';
import { PossibleMatchResolver } from '../modules/customers/possible-match.resolver';
import { optOutPermissions } from '../modules/opt-outs/opt-outs.permissions';
import { PostalRequestResolver } from '../modules/opt-outs/postal-request.resolver';
import { UnsubscribeResolver } from '../modules/opt-outs/unsubscribe.resolver';
import { loyaltyPermissions } from '../modules/loyalty/loyalty.permissions';
import { CustomerLoyaltyResolver, LoyaltyResolver } from '../modules/loyalty/loyalty.resolver';
import { preferencePermissions } from '../modules/preferences/preference.permissions';
import {
  CustomerPreferencesResolver,
  PreferenceResolver,
} from '../modules/preferences/preference.resolver';
import { quotePermissions } from '../modules/quotes/quote.permissions';
import {
  CustomerQuotesResolver,
  QuoteConnectionResolver,
  QuoteResolver,
} from '../modules/quotes/quote.resolver';
import { applyPermissions, mergePermissions } from './permissions';
import { scalarsMap } from './scalars';

/** The committed SDL, checked against the code by a test and rewritten by `npm run schema`. */
export const SCHEMA_FILE = join(__dirname, '..', '..', 'schema', 'schema.graphql');

/** Every module's permission map, merged in one place with deny as the fallback. */
export const permissions = mergePermissions([
  customerPermissions,
  quotePermissions,
  loyaltyPermissions,
  preferencePermissions,
  optOutPermissions,
]);

/** The API as type-graphql builds it from the modules, before permissions are applied. */
export async function buildApiSchema(): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers: [
      CustomerResolver,
      PossibleMatchResolver,
      QuoteResolver,
      CustomerQuotesResolver,
      QuoteConnectionResolver,
      CustomerLoyaltyResolver,
      LoyaltyResolver,
      PreferenceResolver,
      CustomerPreferencesResolver,
      PostalRequestResolver,
      UnsubscribeResolver,
    ],
    scalarsMap,
    validate: false,
  });
  // type-graphql has no place to describe the root types it makes, so they are described here.
  schema.getQueryType()!.description =
    'Reads. Every field needs a token; the README\'s "Who may do what" says which role may ask what.';
  schema.getMutationType()!.description =
    'Writes, each all-or-nothing: a mutation that fails has written nothing. Every one needs a ' +
    'token except unsubscribe, whose link token is the authority.';
  return schema;
}

/** The schema the gateway serves: the API with every field behind the merged permissions. */
export async function buildGatewaySchema(): Promise<GraphQLSchema> {
  return applyPermissions(await buildApiSchema(), permissions);
}

/** The SDL as committed: sorted, so a change shows up as a small diff. */
export function printApiSchema(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}

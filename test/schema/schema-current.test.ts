import { readFileSync } from 'node:fs';

import { type GraphQLObjectType } from 'graphql';

import { buildApiSchema, printApiSchema, SCHEMA_FILE } from '../../src/graphql/schema';

describe('schema/schema.graphql', () => {
  it('is what the code emits (run `npm run schema` after changing the API)', async () => {
    const committed = readFileSync(SCHEMA_FILE, 'utf8');
    expect(printApiSchema(await buildApiSchema())).toBe(committed);
  });

  it('keeps the names brand websites build against', async () => {
    const schema = await buildApiSchema();
    const signature = (typeName: string, fieldName: string) => {
      const type = schema.getType(typeName) as GraphQLObjectType;
      const field = type.getFields()[fieldName];
      const args = field.args.map((arg) => `${arg.name}: ${String(arg.type)}`).join(', ');
      return `${fieldName}(${args}): ${String(field.type)}`;
    };
    expect([
      signature('Query', 'me'),
      signature('Query', 'customer'),
      signature('Query', 'customers'),
      signature('Query', 'customerByBrandAccount'),
      signature('Mutation', 'upsertBrandAccount'),
      signature('Mutation', 'recordQuote'),
      signature('Customer', 'quotes'),
    ]).toEqual([
      'me(): Customer!',
      'customer(id: ID!): Customer',
      'customers(ids: [ID!]!): [Customer]!',
      'customerByBrandAccount(brand: Brand!, accountId: String!): Customer',
      'upsertBrandAccount(input: BrandAccountInput!): Customer!',
      'recordQuote(input: QuoteInput!): Quote!',
      // Nullable so that a caller refused quote history still receives the rest of the customer.
      'quotes(first: Int, after: String, product: QuoteProduct, status: QuoteStatus): QuoteConnection',
    ]);
  });
});

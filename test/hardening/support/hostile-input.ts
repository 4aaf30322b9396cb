import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { EJSON } from 'bson';
import fc from 'fast-check';
import {
  buildSchema,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLOutputType,
} from 'graphql';
import { type Connection } from 'mongoose';

import { RATE_LIMIT_COLLECTION } from '../../../src/http/rate-limit';

/** The committed schema: what a hostile client would read from the README to aim at us. */
export const SCHEMA = buildSchema(
  readFileSync(join(__dirname, '..', '..', '..', 'schema', 'schema.graphql'), 'utf8'),
);

/** JSON text with an own `__proto__` key, which an object literal would turn into a prototype. */
const protoKeyed = (inner: string) => JSON.parse(`{"__proto__": ${inner}, "a": 1}`) as object;

/** What a hostile client puts in any JSON slot: MongoDB operators and prototype keys. */
export const operatorObject: fc.Arbitrary<unknown> = fc.constantFrom(
  { $gt: '' },
  { $ne: null },
  { $where: 'function () { while (true) {} }' },
  { $where: 'sleep(5000) || true' },
  { $regex: '.*' },
  { $in: ['', null] },
  { $exists: true },
  { $expr: { $eq: [1, 1] } },
  { $function: { body: 'return true', args: [], lang: 'js' } },
  { $set: { role: 'staff' } },
  { constructor: { prototype: { isAdmin: true } } },
  protoKeyed('{"isAdmin": true}'),
  protoKeyed('{"$gt": ""}'),
  [{ $gt: '' }],
);

/** Ids and cursors that look almost right. */
export const malformedIdOrCursor: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '0'.repeat(24),
    'f'.repeat(24),
    'zzzzzzzzzzzzzzzzzzzzzzzz',
    '0123456789abcdef0123456',
    '0123456789abcdef012345678',
    'ZmVlZDo0Mg',
    Buffer.from('feed:-1').toString('base64url'),
    Buffer.from('feed:99999999999999999999999').toString('base64url'),
    Buffer.from('feed:{"$gt":""}').toString('base64url'),
    Buffer.from('feed:NaN').toString('base64url'),
    '%00',
    '../../etc/passwd',
  ),
  fc.stringMatching(/^[0-9a-fA-F]{20,28}$/),
  fc.string({ maxLength: 40 }).map((text) => Buffer.from(text).toString('base64url')),
);

/** Numbers at and past every edge an Int, a page size or a timestamp has. */
const edgeNumber = fc.oneof(
  fc.constantFrom(-1, 0, 101, 2 ** 31, -(2 ** 31) - 1, 2 ** 53 + 1, -(2 ** 63), 1e308, -1e308),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** Strings no field expects: unicode of every plane, control characters, huge ones. */
const oddString = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.constantFrom(
    'x'.repeat(20_000),
    '😀'.repeat(3_000),
    'e\u0301'.repeat(500),
    '\u202e\u2028\u2029\u0000\u001b[31m',
    'a\nb',
    '\ud800',
    'constructor',
    '__proto__',
    'toString',
  ),
);

/** Any hostile value: wrong types, nulls, absent, odd strings and numbers, operator objects. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  oddString,
  edgeNumber,
  malformedIdOrCursor,
  operatorObject,
  fc.constantFrom(null, undefined, true, false, [], {}),
  fc.array(fc.constantFrom(null, '', 1, { $gt: '' }), { maxLength: 4 }),
  fc.array(fc.constant('0123456789abcdef01234567'), { minLength: 101, maxLength: 150 }),
);

/** Values of the right type for each scalar; ids are mostly ones the database holds. */
const scalarValues = (knownIds: readonly string[]): Record<string, fc.Arbitrary<unknown>> => ({
  String: fc.string({ maxLength: 30 }),
  ID: fc.oneof(fc.constantFrom(...knownIds), malformedIdOrCursor),
  Int: fc.integer({ min: -5, max: 150 }),
  Float: fc.double({ noNaN: true, noDefaultInfinity: true }),
  Boolean: fc.boolean(),
  DateTime: fc
    .date({ min: new Date('1800-01-01'), max: new Date('2200-01-01'), noInvalidDate: true })
    .map((date) => date.toISOString()),
  Date: fc
    .date({ min: new Date('1800-01-01'), max: new Date('2200-01-01'), noInvalidDate: true })
    .map((date) => date.toISOString().slice(0, 10)),
});

/**
 * A value for `type`: mostly of the right shape (so requests get past coercion and reach the
 * resolvers and the database), and in any slot at any depth a hostile value instead.
 */
function valueFor(
  type: GraphQLInputType,
  knownIds: readonly string[],
  depth = 0,
): fc.Arbitrary<unknown> {
  const typed = (): fc.Arbitrary<unknown> => {
    if (isNonNullType(type)) return valueFor(type.ofType, knownIds, depth);
    if (isListType(type)) {
      return fc.array(valueFor(type.ofType, knownIds, depth + 1), { maxLength: 4 });
    }
    if (isEnumType(type)) return fc.constantFrom(...type.getValues().map((value) => value.name));
    if (isInputObjectType(type)) {
      if (depth > 3) return fc.constant({});
      const fields = Object.fromEntries(
        Object.values(type.getFields()).map((field) => [
          field.name,
          valueFor(field.type, knownIds, depth + 1),
        ]),
      );
      return fc.record(fields, { requiredKeys: [] });
    }
    return scalarValues(knownIds)[type.name] ?? fc.string();
  };
  return fc.oneof({ arbitrary: typed(), weight: 5 }, { arbitrary: hostileValue, weight: 1 });
}

function isUsable(field: GraphQLField<unknown, unknown>): boolean {
  return field.args.every((arg) => !isNonNullType(arg.type) || arg.defaultValue !== undefined);
}

/** A selection of `type`'s fields that need no arguments, at most `depth` levels down. */
function selectionFor(type: GraphQLOutputType, depth: number): fc.Arbitrary<string> {
  const named: GraphQLNamedType = getNamedType(type);
  if (isLeafType(named)) return fc.constant('');
  const fields = isObjectType(named) ? Object.values(named.getFields()).filter(isUsable) : [];
  if (fields.length === 0 || depth === 0) return fc.constant('{ __typename }');
  return fc
    .subarray(fields, { minLength: 1, maxLength: Math.min(4, fields.length) })
    .chain((chosen) =>
      fc
        .tuple(...chosen.map((field) => selectionFor(field.type, depth - 1)))
        .map(
          (selections) =>
            `{ ${chosen.map((field, index) => `${field.name} ${selections[index]}`).join(' ')} }`,
        ),
    );
}

/** One operation on one root field, arguments in variables, as a client would write it. */
export interface GeneratedOperation {
  query: string;
  variables: Record<string, unknown>;
  /** Query or mutation. */
  operation: 'query' | 'mutation';
}

/**
 * Every root field of the schema, with every argument as a variable of its declared type;
 * `knownIds` are ids the database holds, so that some requests find what they ask for.
 */
export const schemaOperation = (knownIds: readonly string[]): fc.Arbitrary<GeneratedOperation> =>
  fc
    .constantFrom(
      ...(['query', 'mutation'] as const).flatMap((operation) => {
        const root = operation === 'query' ? SCHEMA.getQueryType() : SCHEMA.getMutationType();
        return Object.values(root?.getFields() ?? {}).map((field) => ({ operation, field }));
      }),
    )
    .chain(({ operation, field }) =>
      fc
        .record({
          selection: selectionFor(field.type, 3),
          variables: fc.record(
            Object.fromEntries(field.args.map((arg) => [arg.name, valueFor(arg.type, knownIds)])),
            { requiredKeys: [] },
          ),
        })
        .map(({ selection, variables }) => {
          const definitions = field.args.map((arg) => `$${arg.name}: ${String(arg.type)}`);
          const args = field.args.map((arg) => `${arg.name}: $${arg.name}`);
          const head = definitions.length ? `(${definitions.join(', ')})` : '';
          const call = args.length ? `(${args.join(', ')})` : '';
          return {
            operation,
            query: `${operation} Fuzz${head} { ${field.name}${call} ${selection} }`,
            variables,
          };
        }),
    );

/** Pieces of GraphQL syntax that break, widen or loop a document when spliced in. */
const SYNTAX = [
  '{',
  '}',
  '(',
  ')',
  '$',
  '!',
  '...',
  '@include(if: true)',
  '@skip(if: $x)',
  '__schema { types { name } }',
  '__type(name: "Query") { name }',
  'fragment F on Query { ...F }',
  '...F',
  'query __schema { me { id } }',
  'a: me { id }',
  '"\\u0000"',
  '"""',
  '#',
  '\u0000',
  'mutation',
  'subscription',
];

/** A schema operation with random edits: characters cut, syntax and noise spliced in. */
export const mutatedDocument = (knownIds: readonly string[]): fc.Arbitrary<GeneratedOperation> =>
  fc
    .tuple(
      schemaOperation(knownIds),
      fc.array(
        fc.record({
          at: fc.nat(),
          cut: fc.nat({ max: 8 }),
          insert: fc.oneof(fc.constantFrom(...SYNTAX), fc.string({ maxLength: 6 })),
        }),
        { minLength: 1, maxLength: 4 },
      ),
    )
    .map(([operation, edits]) => {
      let query = operation.query;
      for (const { at, cut, insert } of edits) {
        const position = at % (query.length + 1);
        query = query.slice(0, position) + insert + query.slice(position + cut);
      }
      return { ...operation, query };
    });

const printableAscii = fc
  .integer({ min: 0x20, max: 0x7e })
  .map((code) => String.fromCharCode(code));

/** Header text a client library will send (fetch refuses control characters outright). */
export const headerText = fc.string({ unit: printableAscii, maxLength: 200 });

/** A whole HTTP request as anyone could send it: method, content type, body bytes. */
export interface RawRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';
  path: string;
  headers: Record<string, string>;
  body?: Uint8Array | string;
}

export const rawRequest: fc.Arbitrary<RawRequest> = fc
  .record({
    method: fc.constantFrom('GET', 'POST', 'POST', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'),
    path: fc.oneof(
      fc.constant('/graphql'),
      fc.constant('/graphql?query=%7B__typename%7D'),
      fc.constant('/graphql?query=%7B&variables=%7B'),
      headerText.map((text) => `/graphql?query=${encodeURIComponent(text)}`),
      fc.constantFrom(
        '/graphql/',
        '/GRAPHQL',
        '/graphql?extensions=%7B%22persistedQuery%22%3A1%7D',
      ),
    ),
    contentType: fc.oneof(
      fc.constantFrom(
        'application/json',
        'application/json; charset=utf-16',
        'application/json; charset=latin1',
        'text/plain',
        'application/graphql',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/graphql-response+json',
      ),
      headerText,
    ),
    preflight: fc.boolean(),
    body: fc.oneof(
      fc.uint8Array({ maxLength: 2000 }),
      fc.json({ maxDepth: 4 }),
      fc.constantFrom(
        '[{"query":"{ __typename }"},{"query":"{ __typename }"}]',
        '{"query":{"$gt":""}}',
        '{"query":"{ __typename }","variables":"not an object"}',
        '{"query":"{ __typename }","variables":{"__proto__":{"x":1}}}',
        '{"query":"{ __typename }","operationName":{"$ne":null}}',
        '{"query":"{ __typename }","extensions":{"persistedQuery":{"version":1,"sha256Hash":"x"}}}',
        '{"__proto__":{"query":"{ __typename }"}}',
        `{"query":"${'{ a '.repeat(5000)}"}`,
        '\ufeff{"query":"{ __typename }"}',
        '',
      ),
      hostileValue.map((value) => JSON.stringify({ query: '{ __typename }', variables: value })),
    ),
  })
  .map(({ method, path, contentType, preflight, body }) => ({
    method,
    path,
    headers: {
      'content-type': contentType,
      ...(preflight ? { 'apollo-require-preflight': 'true' } : {}),
    },
    // fetch sends no body with GET.
    body: method === 'GET' ? undefined : body,
  }));

/**
 * A digest of every document of every collection but the rate limit counters (every request
 * counts, refused or not): equal digests mean nothing was written.
 */
export async function databaseDigest(connection: Connection): Promise<string> {
  const database = connection.getClient().db(connection.name);
  const names = (await database.listCollections({}, { nameOnly: true }).toArray())
    .map((collection) => collection.name)
    .filter((name) => name !== RATE_LIMIT_COLLECTION)
    .sort();
  const hash = createHash('sha256');
  for (const name of names) {
    const documents = await database.collection(name).find().sort({ _id: 1 }).toArray();
    hash.update(`${name}\n${EJSON.stringify(documents, { relaxed: false })}\n`);
  }
  return hash.digest('hex');
}

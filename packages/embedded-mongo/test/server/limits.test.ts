import { Decimal128, Long, MongoClient, MongoServerError } from 'mongodb';

import { startEmbeddedServer, type EmbeddedServer } from '../../src';

// What the embedded server cannot answer as MongoDB would, it refuses with MongoDB's error
// shape instead of answering differently (see "What it refuses" in the README).

describe('embedded server refusals', () => {
  let server: EmbeddedServer;
  let client: MongoClient;

  beforeAll(async () => {
    server = await startEmbeddedServer();
    client = await new MongoClient(server.uri).connect();
    await client
      .db('limits')
      .collection('numbers')
      .insertOne({ long: Long.fromNumber(1) });
  });

  afterAll(async () => {
    await client.close();
    await server.close();
  });

  async function refusal(filter: Record<string, unknown>): Promise<MongoServerError> {
    const error = await client
      .db('limits')
      .collection('numbers')
      .find(filter)
      .toArray()
      .then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
    if (!(error instanceof MongoServerError)) throw new Error(`not refused: ${String(error)}`);
    return error;
  }

  it.each(['int', 'long', 'double', 'decimal', 18])(
    'refuses $type %p, since it keeps every number as one numeric type',
    async (type) => {
      const error = await refusal({ long: { $type: type } });
      expect({ code: error.code, codeName: error.codeName }).toEqual({
        code: 238,
        codeName: 'NotImplemented',
      });
      expect(error.message).toContain('$type');
    },
  );

  it('refuses queries on Decimal128 values', async () => {
    const error = await refusal({ price: { $gt: Decimal128.fromString('1.50') } });
    expect(error.code).toBe(238);
    expect(error.message).toContain('Decimal128');
  });

  it.each([
    ['strength 3 (the default)', { locale: 'en' }],
    ['strength 4', { locale: 'en', strength: 4 }],
    ['numericOrdering', { locale: 'en', strength: 2, numericOrdering: true }],
    ['caseFirst', { locale: 'en', strength: 2, caseFirst: 'upper' as const }],
    ['alternate: shifted', { locale: 'en', strength: 1, alternate: 'shifted' as const }],
  ])(
    'refuses a collation with %s: only strength 1 or 2 is followed exactly',
    async (_name, collation) => {
      const error = await client
        .db('limits')
        .collection('numbers')
        .find({}, { collation })
        .toArray()
        .catch((thrown: unknown) => thrown as MongoServerError);
      expect(error).toBeInstanceOf(MongoServerError);
      expect((error as MongoServerError).code).toBe(238);
    },
  );

  it('refuses $regex, $expr and string-comparing stages under a collation', async () => {
    const numbers = client.db('limits').collection('numbers');
    const collation = { locale: 'en', strength: 2 };
    for (const attempt of [
      () => numbers.find({ a: /x/ }, { collation }).toArray(),
      () => numbers.find({ $expr: { $eq: ['$a', 'x'] } }, { collation }).toArray(),
      () => numbers.aggregate([{ $group: { _id: '$a' } }], { collation }).toArray(),
    ]) {
      const error = await attempt().catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(MongoServerError);
      expect((error as MongoServerError).code).toBe(238);
    }
  });

  it.each([
    ['$where', { find: 'numbers', filter: { $where: 'true' } }, 6108304, '$where'],
    [
      '$function',
      {
        find: 'numbers',
        filter: {
          $expr: { $function: { body: 'function() { return true; }', args: [], lang: 'js' } },
        },
      },
      31264,
      '$function',
    ],
    [
      '$accumulator',
      {
        aggregate: 'numbers',
        pipeline: [
          {
            $group: {
              _id: null,
              all: {
                $accumulator: {
                  init: 'function() { return 0; }',
                  accumulate: 'function(state) { return state; }',
                  accumulateArgs: [],
                  merge: 'function(a) { return a; }',
                  lang: 'js',
                },
              },
            },
          },
        ],
        cursor: {},
      },
      31264,
      '$accumulator',
    ],
  ])(
    'refuses %s as a server with scripting disabled does, naming the operator',
    async (_name, command, code, operator) => {
      const error = await client
        .db('limits')
        .command(command)
        .catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(MongoServerError);
      expect((error as MongoServerError).code).toBe(code);
      expect((error as MongoServerError).message).toContain(operator);
    },
  );

  it.each([
    ['a text index', { createIndexes: 'numbers', indexes: [{ key: { a: 'text' }, name: 't' }] }],
    [
      'a 2dsphere index',
      { createIndexes: 'numbers', indexes: [{ key: { a: '2dsphere' }, name: 'g' }] },
    ],
    ['a wildcard index', { createIndexes: 'numbers', indexes: [{ key: { '$**': 1 }, name: 'w' }] }],
    ['a capped collection', { create: 'capped', capped: true, size: 4096 }],
    ['a view', { create: 'view', viewOn: 'numbers', pipeline: [] }],
    ['a time series collection', { create: 'series', timeseries: { timeField: 't' } }],
    ['$out', { aggregate: 'numbers', pipeline: [{ $out: 'copy' }], cursor: {} }],
    ['$merge', { aggregate: 'numbers', pipeline: [{ $merge: { into: 'copy' } }], cursor: {} }],
    ['a change stream', { aggregate: 'numbers', pipeline: [{ $changeStream: {} }], cursor: {} }],
    ['$text', { find: 'numbers', filter: { $text: { $search: 'x' } } }],
    ['$near', { find: 'numbers', filter: { a: { $near: [0, 0] } } }],
    ['$geoWithin', { find: 'numbers', filter: { a: { $geoWithin: { $center: [[0, 0], 1] } } } }],
    ['a capped collMod', { collMod: 'numbers', cappedSize: 4096 }],
  ])('refuses %s as NotImplemented (238)', async (_name, command) => {
    const error = await client
      .db('limits')
      .command(command)
      .catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(MongoServerError);
    expect({
      code: (error as MongoServerError).code,
      codeName: (error as MongoServerError).codeName,
    }).toEqual({ code: 238, codeName: 'NotImplemented' });
  });

  it.each([
    ['update', { update: 'numbers', updates: [{ q: {}, u: { $set: { a: 1 } } }], let: { x: 1 } }],
    ['aggregate', { aggregate: 'numbers', pipeline: [], cursor: {}, explain: true }],
    [
      'update statement',
      { update: 'numbers', updates: [{ q: {}, u: [{ $set: { a: '$$x' } }], c: { x: 1 } }] },
    ],
  ])('refuses options it does not implement (%s) as NotImplemented', async (_name, command) => {
    const error = await client
      .db('limits')
      .command(command)
      .catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(MongoServerError);
    expect({
      code: (error as MongoServerError).code,
      codeName: (error as MongoServerError).codeName,
    }).toEqual({ code: 238, codeName: 'NotImplemented' });
  });
});

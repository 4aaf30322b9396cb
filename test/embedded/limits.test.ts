import { Decimal128, Long, MongoClient, MongoServerError } from 'mongodb';

import { startEmbeddedServer, type EmbeddedServer } from '../../src/db/embedded/server';

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

  it('refuses collations other than simple', async () => {
    const error = await client
      .db('limits')
      .collection('numbers')
      .find({}, { collation: { locale: 'en', strength: 2 } })
      .toArray()
      .catch((thrown: unknown) => thrown as MongoServerError);
    expect(error).toBeInstanceOf(MongoServerError);
    expect((error as MongoServerError).code).toBe(238);
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

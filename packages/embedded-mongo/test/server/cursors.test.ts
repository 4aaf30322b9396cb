import { type ClientSession, type Long, type MongoClient, MongoServerError } from 'mongodb';

import { startEmbeddedServer, type EmbeddedServer } from '../../src';
import { connectClient, type TestDocument } from '../support/test-database';

// Cursors hold results the server built when they opened: they belong to the session that
// opened them, end with their transaction, and together hold a capped amount of memory.

const TEN = Array.from({ length: 10 }, (_unused, i) => ({ _id: i, text: 'x'.repeat(1000) }));

async function refusal(action: () => Promise<unknown>): Promise<MongoServerError> {
  const error = await action().then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof MongoServerError)) throw new Error(`not refused: ${String(error)}`);
  return error;
}

describe('embedded server cursors', () => {
  let server: EmbeddedServer;
  let client: MongoClient;

  beforeAll(async () => {
    server = await startEmbeddedServer({ maxOpenCursors: 3, maxCursorBytes: 20_000 });
    client = await connectClient(server.uri);
    await client.db('cursors').collection<TestDocument>('ten').insertMany(TEN);
  });

  afterAll(async () => {
    await client.close();
    await server.close();
  });

  async function openCursor(session: ClientSession, batchSize: number): Promise<Long> {
    const reply = await client
      .db('cursors')
      .command({ find: 'ten', batchSize }, { session, promoteLongs: false });
    return reply.cursor.id as Long;
  }

  it('killCursors from another session is refused and the cursor stays open', async () => {
    const owner = client.startSession();
    const stranger = client.startSession();
    try {
      const id = await openCursor(owner, 2);
      const error = await refusal(() =>
        client.db('cursors').command({ killCursors: 'ten', cursors: [id] }, { session: stranger }),
      );
      expect({ code: error.code, codeName: error.codeName }).toEqual({
        code: 13,
        codeName: 'Unauthorized',
      });
      const killed = await client
        .db('cursors')
        .command({ killCursors: 'ten', cursors: [id] }, { session: owner, promoteLongs: false });
      expect(killed.cursorsKilled).toEqual([id]);
    } finally {
      await owner.endSession();
      await stranger.endSession();
    }
  });

  it('a cursor opened in a transaction ends when the transaction aborts', async () => {
    const session = client.startSession();
    try {
      session.startTransaction();
      const reply = await client
        .db('cursors')
        .collection<TestDocument>('ten')
        .find({}, { session, batchSize: 2 });
      await reply.next();
      const id = reply.id!;
      await session.abortTransaction();
      const error = await refusal(() =>
        client.db('cursors').command({ getMore: id, collection: 'ten' }, { session }),
      );
      expect(error.code).toBe(43);
    } finally {
      await session.endSession();
    }
  });

  it('holds at most maxOpenCursors cursors: the least recently used closes first', async () => {
    const session = client.startSession();
    try {
      const ids: Long[] = [];
      for (let i = 0; i < 4; i++) ids.push(await openCursor(session, 9));
      const error = await refusal(() =>
        client.db('cursors').command({ getMore: ids[0], collection: 'ten' }, { session }),
      );
      expect(error.code).toBe(43);
      const last = await client
        .db('cursors')
        .command({ getMore: ids[3], collection: 'ten' }, { session });
      expect(last.cursor.nextBatch).toHaveLength(1);
    } finally {
      await session.endSession();
    }
  });

  it('holds at most maxCursorBytes of results, and refuses a cursor that alone needs more', async () => {
    const session = client.startSession();
    try {
      for (let i = 0; i < 3; i++) await openCursor(session, 2);
      expect(server.stats().cursors.bytesHeld).toBeLessThanOrEqual(20_000);
      await client
        .db('cursors')
        .collection<TestDocument>('big')
        .insertMany(
          Array.from({ length: 30 }, (_unused, i) => ({ _id: i, text: 'x'.repeat(1000) })),
        );
      const error = await refusal(() =>
        client.db('cursors').command({ find: 'big', batchSize: 1 }, { session }),
      );
      expect(error.codeName).toBe('ExceededMemoryLimit');
    } finally {
      await session.endSession();
    }
  });
});

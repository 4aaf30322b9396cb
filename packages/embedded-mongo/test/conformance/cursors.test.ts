import { Long } from 'mongodb';

import { recordBatches } from '../support/cursor-batches';
import { expectCommandError } from '../support/server-errors';
import { useTestDatabase } from '../support/test-database';
import { traced } from '../support/transcript';

const database = useTestDatabase('cursors');

const ELEVEN = Array.from({ length: 11 }, (_unused, index) => ({ _id: index + 1, n: index + 1 }));

async function eleven() {
  const collection = database.collection();
  await collection.insertMany(ELEVEN.map((each) => ({ ...each })));
  return collection;
}

describe('find cursors', () => {
  it(
    'batchSize 2 over 11 documents delivers all of them, in order, over several getMores',
    traced(async () => {
      const collection = await eleven();
      const {
        result: seen,
        batches,
        getMores,
      } = await recordBatches(database.client, async () => {
        const ids: number[] = [];
        for await (const document of collection.find().sort({ _id: 1 }).batchSize(2)) {
          ids.push(document._id as number);
        }
        return ids;
      });
      expect(seen).toEqual(ELEVEN.map((each) => each._id));
      expect(batches[0]).toMatchObject({ command: 'find', size: 2 });
      expect(batches.filter((batch) => batch.size > 2)).toEqual([]);
      expect(getMores.length).toBeGreaterThanOrEqual(5);
      expect(batches.at(-1)?.cursorId).toBe('0');
    }),
  );

  it(
    'limit caps the results whatever the batch size, and the server closes the cursor',
    traced(async () => {
      const collection = await eleven();
      const { result: limited, batches } = await recordBatches(database.client, () =>
        collection.find().sort({ _id: 1 }).limit(5).batchSize(2).toArray(),
      );
      expect(limited.map((each) => each._id)).toEqual([1, 2, 3, 4, 5]);
      expect(batches.filter((batch) => batch.size > 2)).toEqual([]);
      expect(batches.at(-1)?.cursorId).toBe('0');
    }),
  );

  it(
    'a limit smaller than the batch size comes back in one closed batch',
    traced(async () => {
      const collection = await eleven();
      const { result: limited, batches } = await recordBatches(database.client, () =>
        collection.find().sort({ _id: -1 }).limit(3).batchSize(10).toArray(),
      );
      expect(limited.map((each) => each._id)).toEqual([11, 10, 9]);
      expect(batches).toEqual([{ command: 'find', size: 3, cursorId: '0' }]);
    }),
  );

  it(
    'a sorted cursor keeps its order across batches',
    traced(async () => {
      const collection = database.collection();
      const values = [7, 3, 9, 1, 8, 2, 6, 4, 5, 10];
      await collection.insertMany(values.map((value) => ({ value, parity: value % 2 })));
      const sorted = await collection
        .find({}, { projection: { _id: 0, value: 1 } })
        .sort({ parity: 1, value: -1 })
        .batchSize(3)
        .toArray();
      expect(sorted.map((each) => each.value)).toEqual([10, 8, 6, 4, 2, 9, 7, 5, 3, 1]);
    }),
  );

  it(
    'skip and limit page through a sorted cursor',
    traced(async () => {
      const collection = await eleven();
      const page = await collection.find().sort({ n: -1 }).skip(4).limit(4).batchSize(3).toArray();
      expect(page.map((each) => each.n)).toEqual([7, 6, 5, 4]);
    }),
  );
});

describe('getMore and killCursors', () => {
  it(
    'getMore continues a cursor the find command opened',
    traced(async () => {
      const collection = await eleven();
      const session = database.client.startSession();
      try {
        const first = await database.db.command(
          { find: collection.collectionName, sort: { _id: 1 }, batchSize: 4 },
          // Cursor ids are int64; promoted to a JS number they would go back as a double.
          { session, promoteLongs: false },
        );
        expect(first.cursor.firstBatch.map((each: { _id: number }) => each._id)).toEqual([
          1, 2, 3, 4,
        ]);
        expect(first.cursor.ns).toBe(`${database.name}.${collection.collectionName}`);
        const cursorId = first.cursor.id as Long;
        expect(cursorId.isZero()).toBe(false);
        const next = await database.db.command(
          { getMore: cursorId, collection: collection.collectionName, batchSize: 5 },
          { session, promoteLongs: false },
        );
        expect(next.cursor.nextBatch.map((each: { _id: number }) => each._id)).toEqual([
          5, 6, 7, 8, 9,
        ]);
        expect(String(next.cursor.id)).toBe(String(cursorId));
        const killed = await database.db.command(
          { killCursors: collection.collectionName, cursors: [cursorId] },
          { session, promoteLongs: false },
        );
        expect(killed).toMatchObject({
          ok: 1,
          cursorsKilled: [cursorId],
          cursorsNotFound: [],
          cursorsAlive: [],
          cursorsUnknown: [],
        });
      } finally {
        await session.endSession();
      }
    }),
  );

  it(
    'after cursor.close() (killCursors) a getMore on that id is CursorNotFound (43)',
    traced(async () => {
      const collection = await eleven();
      const session = database.client.startSession();
      try {
        const cursor = collection.find({}, { session }).batchSize(2);
        await cursor.next();
        const cursorId = cursor.id;
        expect(cursorId?.isZero()).toBe(false);
        await cursor.close();
        await expectCommandError(
          () =>
            database.db.command(
              { getMore: cursorId, collection: collection.collectionName },
              { session },
            ),
          { code: 43, codeName: 'CursorNotFound' },
        );
      } finally {
        await session.endSession();
      }
    }),
  );

  it(
    'getMore on an id that never existed is CursorNotFound (43)',
    traced(async () => {
      const collection = await eleven();
      await expectCommandError(
        () =>
          database.db.command({
            getMore: Long.fromString('123456789012'),
            collection: collection.collectionName,
          }),
        { code: 43, codeName: 'CursorNotFound', errmsg: '123456789012' },
      );
    }),
  );

  it(
    'killCursors reports an unknown id as not found',
    traced(async () => {
      const collection = await eleven();
      const unknown = Long.fromString('987654321098');
      const reply = await database.db.command(
        { killCursors: collection.collectionName, cursors: [unknown] },
        { promoteLongs: false },
      );
      expect(reply).toMatchObject({ ok: 1, cursorsKilled: [], cursorsNotFound: [unknown] });
    }),
  );
});

describe('cursors belong to their session and collection', () => {
  it(
    'getMore from another session is refused (50738) and the cursor still serves its own',
    traced(async () => {
      const collection = await eleven();
      const owner = database.client.startSession();
      const stranger = database.client.startSession();
      try {
        const first = await database.db.command(
          { find: collection.collectionName, sort: { _id: 1 }, batchSize: 2 },
          { session: owner, promoteLongs: false },
        );
        const cursorId = first.cursor.id as Long;
        await expectCommandError(
          () =>
            database.db.command(
              { getMore: cursorId, collection: collection.collectionName, batchSize: 2 },
              { session: stranger },
            ),
          { code: 50738, codeName: 'Location50738' },
        );
        const next = await database.db.command(
          { getMore: cursorId, collection: collection.collectionName, batchSize: 2 },
          { session: owner },
        );
        expect(next.cursor.nextBatch.map((each: { _id: number }) => each._id)).toEqual([3, 4]);
      } finally {
        await owner.endSession();
        await stranger.endSession();
      }
    }),
  );

  it(
    'a getMore after the collection is dropped fails with QueryPlanKilled (175)',
    traced(async () => {
      const collection = await eleven();
      const session = database.client.startSession();
      try {
        const first = await database.db.command(
          { find: collection.collectionName, sort: { _id: 1 }, batchSize: 2 },
          { session, promoteLongs: false },
        );
        await collection.drop();
        await expectCommandError(
          () =>
            database.db.command(
              { getMore: first.cursor.id as Long, collection: collection.collectionName },
              { session },
            ),
          { code: 175, codeName: 'QueryPlanKilled' },
        );
      } finally {
        await session.endSession();
      }
    }),
  );
});

import { expectCommandError } from '../support/server-errors';
import { useTestDatabase } from '../support/test-database';
import { traced } from '../support/transcript';

const database = useTestDatabase('namespaces');

async function collectionNames(): Promise<string[]> {
  const listed = await database.db.listCollections({}, { nameOnly: true }).toArray();
  return listed.map((each) => each.name).sort();
}

describe('collections', () => {
  it(
    'createCollection makes an empty collection that listCollections shows',
    traced(async () => {
      const name = database.collection('created').collectionName;
      await database.db.createCollection(name);
      expect(await collectionNames()).toContain(name);
      expect(await database.db.collection(name).countDocuments()).toBe(0);
    }),
  );

  it(
    'creating an existing collection with the same options succeeds (MongoDB 7+)',
    traced(async () => {
      const name = database.collection('twice').collectionName;
      await database.db.createCollection(name);
      await database.db.collection(name).insertOne({ kept: true });
      expect(await database.db.command({ create: name })).toMatchObject({ ok: 1 });
      expect(await database.db.collection(name).countDocuments({ kept: true })).toBe(1);
    }),
  );

  it(
    'creating an existing collection with other options is NamespaceExists (48)',
    traced(async () => {
      const name = database.collection('clash').collectionName;
      await database.db.createCollection(name);
      await expectCommandError(
        () => database.db.command({ create: name, validator: { a: { $exists: true } } }),
        { code: 48, codeName: 'NamespaceExists', errmsg: name },
      );
    }),
  );

  it(
    'the first write creates the collection implicitly',
    traced(async () => {
      const collection = database.collection('implicit');
      expect(await collectionNames()).not.toContain(collection.collectionName);
      await collection.insertOne({ a: 1 });
      expect(await collectionNames()).toContain(collection.collectionName);
    }),
  );

  it(
    'listCollections filters by name and, with nameOnly, returns only name and type',
    traced(async () => {
      const wanted = database.collection('wanted').collectionName;
      const other = database.collection('other').collectionName;
      await database.db.createCollection(wanted);
      await database.db.createCollection(other);
      expect(
        await database.db.listCollections({ name: wanted }, { nameOnly: true }).toArray(),
      ).toEqual([{ name: wanted, type: 'collection' }]);
      const [full] = await database.db.listCollections({ name: wanted }).toArray();
      expect(full).toMatchObject({
        name: wanted,
        type: 'collection',
        options: {},
        info: { readOnly: false },
        idIndex: { v: 2, key: { _id: 1 }, name: '_id_' },
      });
      expect(await database.db.listCollections({ name: 'no_such_collection' }).toArray()).toEqual(
        [],
      );
    }),
  );

  it(
    'drop removes the collection, its documents and its indexes',
    traced(async () => {
      const collection = database.collection('dropped');
      await collection.insertOne({ a: 1 });
      await collection.createIndex({ a: 1 });
      expect(await collection.drop()).toBe(true);
      expect(await collectionNames()).not.toContain(collection.collectionName);
      expect(await collection.countDocuments()).toBe(0);
      await collection.insertOne({ a: 2 });
      const indexes = await collection.listIndexes().toArray();
      expect(indexes.map((index) => index.name)).toEqual(['_id_']);
    }),
  );

  it(
    'dropping a collection that does not exist succeeds (MongoDB 7+)',
    traced(async () => {
      expect(await database.db.command({ drop: 'never_existed' })).toMatchObject({ ok: 1 });
    }),
  );

  it(
    'renameCollection moves documents and indexes to the new name',
    traced(async () => {
      const from = database.collection('from');
      const to = database.collection('to');
      await from.insertMany([{ a: 1 }, { a: 2 }]);
      await from.createIndex({ a: 1 }, { unique: true });
      await from.rename(to.collectionName);
      const names = await collectionNames();
      expect(names).toContain(to.collectionName);
      expect(names).not.toContain(from.collectionName);
      expect(await to.countDocuments()).toBe(2);
      expect((await to.listIndexes().toArray()).map((index) => index.name)).toEqual([
        '_id_',
        'a_1',
      ]);
    }),
  );
});

describe('databases', () => {
  it(
    'listDatabases includes a database once it has been written to',
    traced(async () => {
      const client = database.client;
      const name = `${database.name}_extra`;
      const before = await client.db('admin').admin().listDatabases({ nameOnly: true });
      expect(before.databases.map((each) => each.name)).not.toContain(name);
      await client.db(name).collection('c').insertOne({ a: 1 });
      try {
        const after = await client.db('admin').admin().listDatabases();
        const listed = after.databases.find((each) => each.name === name);
        expect(listed).toMatchObject({ name, empty: false, sizeOnDisk: expect.any(Number) });
        expect(after.ok).toBe(1);
        const filtered = await client
          .db('admin')
          .admin()
          .listDatabases({ filter: { name }, nameOnly: true });
        expect(filtered.databases).toEqual([{ name }]);
      } finally {
        await client.db(name).dropDatabase();
      }
    }),
  );

  it(
    'dropDatabase removes every collection and the database from listDatabases',
    traced(async () => {
      const client = database.client;
      const name = `${database.name}_doomed`;
      const doomed = client.db(name);
      await doomed.collection('one').insertOne({ a: 1 });
      await doomed.collection('two').insertOne({ b: 2 });
      expect(await doomed.dropDatabase()).toBe(true);
      expect(await doomed.listCollections().toArray()).toEqual([]);
      const listed = await client.db('admin').admin().listDatabases({ nameOnly: true });
      expect(listed.databases.map((each) => each.name)).not.toContain(name);
      expect(await doomed.collection('one').countDocuments()).toBe(0);
    }),
  );
});

import { type Document, MongoClient } from 'mongodb';

import { startEmbeddedServer, type EmbeddedServer } from '../../src';

// The server runs inside this test's process, so its own prototypes are this process's: after
// every kind of request naming __proto__, constructor or prototype, none may have changed.

const names = (value: object) => Object.getOwnPropertyNames(value).sort();
const PRISTINE = {
  object: names(Object.prototype),
  array: names(Array.prototype),
  function: names(Function.prototype),
};

// Raw JSON keeps the names as own fields; an object literal would set a prototype instead.
const raw = (json: string): Document => JSON.parse(json);

describe('reserved field names cannot pollute the server', () => {
  let server: EmbeddedServer;
  let client: MongoClient;

  beforeAll(async () => {
    server = await startEmbeddedServer();
    client = await new MongoClient(server.uri).connect();
  });

  afterAll(async () => {
    await client.close();
    await server.close();
  });

  it('stores, queries, projects, updates, aggregates and indexes them as fields only', async () => {
    const db = client.db('prototypes');
    const commands: Document[] = [
      {
        insert: 'c',
        documents: [
          raw(
            '{"_id": 1, "__proto__": {"polluted": 1}, "constructor": {"prototype": {"polluted": 1}}}',
          ),
          raw('{"_id": 2, "a": {"__proto__": {"polluted": 1}}}'),
        ],
      },
      { createIndexes: 'c', indexes: [raw('{"key": {"__proto__.polluted": 1}, "name": "p"}')] },
      { find: 'c', filter: raw('{"__proto__.polluted": 1, "constructor.prototype.polluted": 1}') },
      { find: 'c', filter: {}, projection: raw('{"__proto__": 1, "constructor.prototype": 1}') },
      {
        update: 'c',
        updates: [
          {
            q: {},
            u: raw(
              '{"$set": {"__proto__.polluted": 2, "constructor.prototype.polluted": 2,' +
                ' "a.__proto__.polluted": 2}, "$inc": {"prototype.polluted": 1}}',
            ),
            multi: true,
          },
          {
            q: raw('{"__proto__.polluted": 2}'),
            u: raw('{"$push": {"list": {"__proto__": {"polluted": 3}}}}'),
            upsert: true,
          },
          {
            q: raw('{"constructor.prototype.polluted": 9}'),
            u: raw('{"$set": {"x": 1}}'),
            upsert: true,
          },
          {
            q: { _id: 2 },
            u: raw('{"$pull": {"list": {"__proto__": {"polluted": 3}}}}'),
          },
          {
            q: raw('{"list.__proto__.polluted": 3}'),
            u: raw('{"$set": {"list.$.__proto__": {"polluted": 4}}}'),
          },
        ],
      },
      {
        aggregate: 'c',
        pipeline: [
          { $match: raw('{"__proto__.polluted": {"$exists": true}}') },
          raw('{"$group": {"_id": "$__proto__.polluted", "constructor": {"$push": "$$ROOT"}}}'),
          raw('{"$project": {"constructor": 1, "__proto__": "$_id"}}'),
        ],
        cursor: {},
      },
      {
        findAndModify: 'c',
        query: raw('{"constructor.prototype.polluted": 2}'),
        update: raw('{"$set": {"__proto__": {"polluted": 5}}}'),
        new: true,
      },
      { distinct: 'c', key: '__proto__.polluted', query: {} },
    ];
    for (const command of commands) {
      const reply = await db.command(command).catch((error: unknown) => error);
      // Each command may succeed or be refused, but never fail inside the server.
      expect({ command, code: (reply as { code?: unknown }).code }).toEqual({
        command,
        code: undefined,
      });
    }

    expect({
      object: names(Object.prototype),
      array: names(Array.prototype),
      function: names(Function.prototype),
    }).toEqual(PRISTINE);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();

    const [stored] = await db.collection<{ _id: number }>('c').find({ _id: 1 }).toArray();
    expect(Object.getOwnPropertyDescriptor(stored, '__proto__')?.value).toEqual({ polluted: 5 });
    expect(Object.getPrototypeOf(stored)).toBe(Object.prototype);
  });
});

import { type Document } from 'bson';

import * as ttl from '../../src/ttl';
import { type CollectionStore, idKeyOf } from '../../src/collection';
import { valuesAtPath } from '../../src/paths';
import { startEmbeddedServer } from '../../src';
import { StorageEngine } from '../../src/engine';

// The TTL monitor runs on a timer inside the gateway's process: nothing a document holds may
// make it throw, and a failure must be reported, not end the process.

const NOW = Date.UTC(2026, 0, 1);
const fail = (error: unknown) => {
  throw error;
};
const HOUR = 60 * 60 * 1000;

function ttlCollection(): { engine: StorageEngine; collection: CollectionStore } {
  const engine = new StorageEngine();
  const collection = engine.createCollection('ttl', 'events');
  engine.createIndex(collection, { v: 2, key: { at: 1 }, name: 'at_1', expireAfterSeconds: 60 });
  return { engine, collection };
}

function insert(engine: StorageEngine, collection: CollectionStore, document: Document): void {
  const unit = engine.begin(true);
  engine.stageInsert(unit, collection, document);
  engine.commit(unit);
}

describe('TTL monitor', () => {
  it('expires a document by the earliest of 200,000 dates without overflowing the stack', () => {
    const { engine, collection } = ttlCollection();
    const dates = Array.from({ length: 200_000 }, (_unused, i) => new Date(NOW + i * 1000));
    dates[123_456] = new Date(NOW - HOUR);
    insert(engine, collection, { _id: 'old', at: dates });
    insert(engine, collection, { _id: 'recent', at: [new Date(NOW), new Date(NOW + HOUR)] });

    expect(ttl.expireDocuments(engine, NOW, fail)).toBe(1);
    expect([...collection.liveDocuments()].map(([, document]) => document._id)).toEqual(['recent']);
  });

  it('deletes every expired document of a collection in one commit', () => {
    const { engine, collection } = ttlCollection();
    for (let i = 0; i < 50; i++) insert(engine, collection, { _id: i, at: new Date(NOW - HOUR) });
    const commit = jest.spyOn(engine, 'commit');

    expect(ttl.expireDocuments(engine, NOW, fail)).toBe(50);
    expect(commit).toHaveBeenCalledTimes(1);
    expect(collection.count).toBe(0);
  });

  it('reports a document it cannot delete and still deletes the others', () => {
    const { engine, collection } = ttlCollection();
    for (let i = 0; i < 3; i++) insert(engine, collection, { _id: i, at: new Date(NOW - HOUR) });
    const stage = engine.stage.bind(engine);
    jest.spyOn(engine, 'stage').mockImplementation((unit, target, id, after) => {
      if (id === idKeyOf({ _id: 1 })) throw new Error('bad document');
      stage(unit, target, id, after);
    });
    const errors: unknown[] = [];

    expect(ttl.expireDocuments(engine, NOW, (error) => errors.push(error))).toBe(2);
    expect(errors).toEqual([new Error('bad document')]);
    expect([...collection.liveDocuments()].map(([, document]) => document._id)).toEqual([1]);
  });

  it('a failing pass is reported and the timer keeps running', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const failures: string[] = [];
    const server = await startEmbeddedServer({
      onInternalError: (_error, task) => failures.push(task),
    });
    const expire = jest.spyOn(ttl, 'expireDocuments').mockImplementation(() => {
      throw new RangeError('Maximum call stack size exceeded');
    });
    try {
      jest.advanceTimersByTime(2 * 60_000);
      expect(expire).toHaveBeenCalledTimes(2);
      expect(failures).toEqual(['TTL monitor', 'TTL monitor']);
    } finally {
      expire.mockRestore();
      jest.useRealTimers();
      await server.close();
    }
  });
});

describe('valuesAtPath', () => {
  it('reaches every element of an array of 300,000 values', () => {
    const values = Array.from({ length: 300_000 }, (_unused, i) => i);
    expect(valuesAtPath({ a: { b: values } }, 'a.b')).toHaveLength(300_000);
  });
});

import { type Document, Long, UUID } from 'bson';

import { CommandMetrics } from '../../src/commands/command-metrics';
import { CursorRegistry } from '../../src/cursors';
import { CommandDispatcher } from '../../src/dispatcher';
import { StorageEngine } from '../../src/engine';
import { SessionRegistry } from '../../src/sessions';

// A retryable write retried on another connection while its first attempt still waits must not
// run twice. The dispatcher is driven directly: a dispatch runs synchronously up to its first
// wait, so the test knows the first attempt is waiting before it sends the retry.

function dispatcher(): CommandDispatcher {
  const engine = new StorageEngine();
  return new CommandDispatcher(
    engine,
    new CursorRegistry(),
    new SessionRegistry(engine),
    {
      host: '127.0.0.1',
      port: 0,
      replicaSetName: 'embedded',
      parameters: { ttlMonitorSleepSecs: 60 },
      onParametersChanged: () => undefined,
      startedAt: Date.now(),
      opcounters: { insert: 0, query: 0, update: 0, delete: 0, getmore: 0, command: 0 },
      commandMetrics: new CommandMetrics(),
      connections: () => ({ current: 0, available: 1, totalCreated: 0 }),
    },
    (error) => {
      throw error;
    },
  );
}

describe('retryable writes', () => {
  it('a retry arriving while the first attempt waits for a lock gets its reply, not a second run', async () => {
    const server = dispatcher();
    // No fail point is configured here, so every dispatch answers with a document.
    const run = async (command: Document, connection: number) =>
      (await server.dispatch('retry', command, connection)) as Document;
    expect(await run({ insert: 'counters', documents: [{ _id: 1, n: 0 }] }, 1)).toMatchObject({
      ok: 1,
    });

    // Another session's transaction holds the document.
    const holder = { id: new UUID() };
    const holderTxn = { lsid: holder, txnNumber: Long.fromNumber(1), autocommit: false };
    expect(
      await run(
        {
          update: 'counters',
          updates: [{ q: { _id: 1 }, u: { $set: { held: true } } }],
          ...holderTxn,
          startTransaction: true,
        },
        1,
      ),
    ).toMatchObject({ ok: 1, nModified: 1 });

    const increment = {
      update: 'counters',
      updates: [{ q: { _id: 1 }, u: { $inc: { n: 1 } } }],
      lsid: { id: new UUID() },
      txnNumber: Long.fromNumber(7),
    };
    const first = run(increment, 2);
    const retry = run(increment, 3);
    expect(await run({ abortTransaction: 1, ...holderTxn }, 1)).toMatchObject({ ok: 1 });

    expect(await first).toMatchObject({ ok: 1, n: 1, nModified: 1 });
    expect(await retry).toEqual(await first);
    const found = await run({ find: 'counters', filter: { _id: 1 } }, 1);
    expect(found.cursor.firstBatch).toEqual([{ _id: 1, n: 1 }]);
  });
});

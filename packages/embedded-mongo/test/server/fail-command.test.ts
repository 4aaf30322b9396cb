import { once } from 'node:events';

import { MongoClient } from 'mongodb';

import { startEmbeddedServer, type EmbeddedServer } from '../../src';
import { expectCommandError } from '../support/server-errors';
import { RUNTIME_ADAPTERS } from '../support/test-database';

// The failCommand fail point exists only on a server started with test commands enabled; the
// embedded server refuses what of it it does not implement rather than ignoring it.

async function withServer(
  options: { enableTestCommands?: boolean },
  body: (server: EmbeddedServer, client: MongoClient) => Promise<void>,
): Promise<void> {
  const server = await startEmbeddedServer(options);
  const client = new MongoClient(server.uri, {
    appName: 'fail-command-server-test',
    runtimeAdapters: RUNTIME_ADAPTERS,
  });
  try {
    await client.connect();
    await body(server, client);
  } finally {
    await client.close();
    await server.close();
  }
}

describe('the failCommand fail point', () => {
  it('is an unknown command unless test commands are enabled, as in mongod', async () => {
    await withServer({}, async (_server, client) => {
      await expectCommandError(
        () => client.db('admin').command({ configureFailPoint: 'failCommand', mode: 'off' }),
        { code: 59, codeName: 'CommandNotFound', errmsg: "no such command: 'configureFailPoint'" },
      );
    });
  });

  it('closes the connection of a command it fails with closeConnection, and says why', async () => {
    await withServer({ enableTestCommands: true }, async (server, client) => {
      await client.db('admin').command({
        configureFailPoint: 'failCommand',
        mode: { times: 1 },
        data: {
          failCommands: ['ping'],
          closeConnection: true,
          appName: 'fail-command-server-test',
        },
      });
      const closed = once(server.events, 'connectionClosed');
      await expect(client.db('admin').command({ ping: 1 })).rejects.toThrow();
      expect((await closed)[1]).toBe('failCommand fail point');
      expect(await client.db('admin').command({ ping: 1 })).toMatchObject({ ok: 1 });
    });
  });

  it('refuses the options it does not implement instead of ignoring them', async () => {
    await withServer({ enableTestCommands: true }, async (_server, client) => {
      const configure = (mode: unknown, data: Record<string, unknown>) =>
        client.db('admin').command({ configureFailPoint: 'failCommand', mode, data });
      await expectCommandError(
        () =>
          configure('alwaysOn', { failCommands: ['find'], blockConnection: true, blockTimeMS: 10 }),
        { code: 238, codeName: 'NotImplemented', errmsg: 'data.blockConnection' },
      );
      await expectCommandError(
        () => configure({ activationProbability: 0.5 }, { failCommands: ['find'], errorCode: 2 }),
        { code: 238, codeName: 'NotImplemented', errmsg: 'activationProbability' },
      );
      await expectCommandError(() => configure('alwaysOn', { failCommands: 'find' }), {
        code: 14,
        codeName: 'TypeMismatch',
      });
      // Nothing was set by the refusals: commands run.
      expect(await client.db('d').collection('c').countDocuments()).toBe(0);
    });
  });
});

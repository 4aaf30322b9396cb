import { Writable } from 'node:stream';

import { MongoClient } from 'mongodb';
import { pino } from 'pino';

import { type DatabaseConfig } from '../../src/config';
import { DatabaseProviderError, startDatabase } from '../../src/db/provider';

function capturingLogger(): { logger: pino.Logger; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return {
    logger: pino({ level: 'info' }, stream),
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

const base: DatabaseConfig = { databaseName: 'provider-test' };

describe('database provider', () => {
  it('starts the embedded server when forced, logs why, and serves the official driver', async () => {
    const { logger, lines } = capturingLogger();
    const database = await startDatabase({ ...base, provider: 'embedded' }, logger);
    try {
      expect(database.kind).toBe('embedded');
      expect(database.uri).toMatch(/^mongodb:\/\/127\.0\.0\.1:\d+\//);
      const picked = lines().filter((line) => line.provider === 'embedded');
      expect(picked[0]).toMatchObject({ msg: 'database provider: embedded' });
      expect(String(picked[0].reason)).toContain('MONGO_PROVIDER=embedded');
      expect(lines().some((line) => String(line.msg).includes('development database'))).toBe(true);

      const client = await new MongoClient(database.uri).connect();
      await expect(client.db('admin').command({ ping: 1 })).resolves.toMatchObject({ ok: 1 });
      // As npm start gets it: no test commands, so no fail point can be set.
      await expect(
        client.db('admin').command({ configureFailPoint: 'failCommand', mode: 'off' }),
      ).rejects.toMatchObject({ code: 59, codeName: 'CommandNotFound' });
      await client.close();
    } finally {
      await database.stop();
    }
  });

  it('uses MONGODB_URI as given, starting nothing', async () => {
    const uri = 'mongodb://db.example.internal:27017/?replicaSet=rs0';
    const database = await startDatabase({ ...base, uri });
    expect(database).toMatchObject({ kind: 'uri', uri, reason: 'MONGODB_URI is set' });
  });

  it('refuses MONGO_PROVIDER=uri without MONGODB_URI', async () => {
    await expect(startDatabase({ ...base, provider: 'uri' })).rejects.toThrow(
      DatabaseProviderError,
    );
  });

  it('answers MONGO_PROVIDER=mongod within seconds: a mongod, or a clear refusal offline', async () => {
    const started = Date.now();
    const outcome = await startDatabase({ ...base, provider: 'mongod' }).then(
      async (database) => {
        await database.stop();
        return database.kind;
      },
      (error: Error) => error,
    );
    if (outcome instanceof Error) {
      expect(outcome).toBeInstanceOf(DatabaseProviderError);
      expect(outcome.message).toMatch(/MONGO_PROVIDER=mongod/);
      expect(Date.now() - started).toBeLessThan(10_000);
    } else {
      expect(outcome).toBe('mongod');
    }
  });
});

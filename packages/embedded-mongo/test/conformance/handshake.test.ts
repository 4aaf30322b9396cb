import { Binary } from 'mongodb';

import { expectCommandError } from '../support/server-errors';
import { useTestDatabase } from '../support/test-database';
import { traced } from '../support/transcript';

const database = useTestDatabase('handshake');
const admin = () => database.db.admin();

/** Limits every MongoDB server since 3.6 reports; drivers size their batches from them. */
const MAX_BSON_OBJECT_SIZE = 16 * 1024 * 1024;
const MAX_MESSAGE_SIZE_BYTES = 48_000_000;
const MAX_WRITE_BATCH_SIZE = 100_000;

describe('hello and isMaster', () => {
  it(
    'hello describes a writable replica set primary',
    traced(async () => {
      const hello = await admin().command({ hello: 1 });
      expect(hello).toMatchObject({
        ok: 1,
        isWritablePrimary: true,
        secondary: false,
        setName: expect.any(String),
        maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
        maxMessageSizeBytes: MAX_MESSAGE_SIZE_BYTES,
        maxWriteBatchSize: MAX_WRITE_BATCH_SIZE,
        localTime: expect.any(Date),
        logicalSessionTimeoutMinutes: expect.any(Number),
        connectionId: expect.any(Number),
      });
      expect(hello.setName.length).toBeGreaterThan(0);
      expect(hello.maxWireVersion).toBeGreaterThanOrEqual(17);
      expect(hello.minWireVersion).toBeLessThanOrEqual(hello.maxWireVersion);
      expect(hello.logicalSessionTimeoutMinutes).toBeGreaterThan(0);
      // A primary names itself: `me` is the primary and one of the set's hosts.
      expect(hello.primary).toBe(hello.me);
      expect(hello.hosts).toContain(hello.me);
    }),
  );

  it(
    'legacy isMaster answers with ismaster: true and the same set',
    traced(async () => {
      const hello = await admin().command({ hello: 1 });
      const isMaster = await admin().command({ isMaster: 1 });
      expect(isMaster).toMatchObject({
        ok: 1,
        ismaster: true,
        secondary: false,
        setName: hello.setName,
        maxWireVersion: hello.maxWireVersion,
        maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
      });
      // The lower-case spelling is the same command.
      const lower = await admin().command({ ismaster: 1 });
      expect(lower).toMatchObject({ ok: 1, ismaster: true, setName: hello.setName });
    }),
  );

  it(
    'ping answers ok on admin and on any database',
    traced(async () => {
      expect(await admin().command({ ping: 1 })).toMatchObject({ ok: 1 });
      expect(await database.db.command({ ping: 1 })).toMatchObject({ ok: 1 });
    }),
  );
});

describe('server information', () => {
  it(
    'buildInfo reports a MongoDB 7 or later version string matching versionArray',
    traced(async () => {
      const info = await admin().command({ buildInfo: 1 });
      expect(info.ok).toBe(1);
      expect(info.version).toMatch(/^\d+\.\d+\.\d+/);
      const [major, minor, patch] = info.version.split(/[.-]/).map(Number);
      expect(info.versionArray.slice(0, 3)).toEqual([major, minor, patch]);
      // The rest of this suite asserts MongoDB 7 semantics (e.g. idempotent `create`).
      expect(major).toBeGreaterThanOrEqual(7);
      expect(info.maxBsonObjectSize).toBe(MAX_BSON_OBJECT_SIZE);
    }),
  );

  it(
    'getParameter returns the featureCompatibilityVersion, no newer than the binary',
    traced(async () => {
      const info = await admin().command({ buildInfo: 1 });
      const reply = await admin().command({ getParameter: 1, featureCompatibilityVersion: 1 });
      expect(reply.ok).toBe(1);
      expect(reply.featureCompatibilityVersion.version).toMatch(/^\d+\.\d+$/);
      const [fcvMajor, fcvMinor] = reply.featureCompatibilityVersion.version.split('.').map(Number);
      const [major, minor] = info.versionArray;
      expect(fcvMajor * 1000 + fcvMinor).toBeLessThanOrEqual(major * 1000 + minor);
    }),
  );

  it(
    'getParameter of an unknown parameter is InvalidOptions',
    traced(async () => {
      await expectCommandError(() => admin().command({ getParameter: 1, noSuchParameter: 1 }), {
        code: 72,
        codeName: 'InvalidOptions',
        errmsg: 'no option found to get',
      });
    }),
  );
});

describe('sessions', () => {
  it(
    'startSession hands out a UUID session id with the advertised timeout',
    traced(async () => {
      const hello = await admin().command({ hello: 1 });
      const reply = await admin().command({ startSession: 1 });
      expect(reply.ok).toBe(1);
      expect(reply.id.id).toBeInstanceOf(Binary);
      expect(reply.id.id.sub_type).toBe(Binary.SUBTYPE_UUID);
      expect(reply.timeoutMinutes).toBe(hello.logicalSessionTimeoutMinutes);
      expect(await admin().command({ endSessions: [reply.id] })).toMatchObject({ ok: 1 });
    }),
  );

  it(
    'endSessions accepts a session the driver has used',
    traced(async () => {
      const session = database.client.startSession();
      try {
        await database.collection().insertOne({ a: 1 }, { session });
        const sessionId = session.id;
        expect(sessionId?.id).toBeInstanceOf(Binary);
        const reply = await admin().command({ endSessions: [sessionId] });
        expect(reply.ok).toBe(1);
      } finally {
        await session.endSession();
      }
    }),
  );
});

import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

import { type Document, Long, ObjectId, UUID } from 'bson';

import { GENERIC_FIELDS } from './fields';

import { MAX_MESSAGE_SIZE } from '../wire';
import { MongoCommandError } from '../errors';
import { type CommandContext, type CommandTable } from './context';

/** The MongoDB release whose behaviour this server follows, and its wire version. */
export const EMULATED_VERSION = '7.0.0';
const MAX_WIRE_VERSION = 21;
const MAX_BSON_OBJECT_SIZE = 16 * 1024 * 1024;
const ELECTION_ID = new ObjectId('7fffffff0000000000000001');

/**
 * A single-node replica-set primary, so the driver allows transactions and retryable writes.
 * No topologyVersion is sent: the driver then polls instead of streaming awaitable hellos.
 */
function helloReply(context: CommandContext, legacy: boolean): Document {
  context.server.failCommand?.rememberClient(context.connectionId, context.command.client);
  const me = `${context.server.host}:${context.server.port}`;
  const now = new Date();
  return {
    ...(legacy ? { ismaster: true } : { isWritablePrimary: true }),
    ...(context.command.helloOk === true || !legacy ? { helloOk: true } : {}),
    setName: context.server.replicaSetName,
    setVersion: 1,
    electionId: ELECTION_ID,
    hosts: [me],
    primary: me,
    me,
    secondary: false,
    lastWrite: { lastWriteDate: now, majorityWriteDate: now },
    maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
    maxMessageSizeBytes: MAX_MESSAGE_SIZE,
    maxWriteBatchSize: 100000,
    localTime: now,
    logicalSessionTimeoutMinutes: context.sessions.logicalSessionTimeoutMinutes,
    connectionId: context.connectionId,
    minWireVersion: 0,
    maxWireVersion: MAX_WIRE_VERSION,
    readOnly: false,
    ok: 1,
  };
}

// The driver's handshake sends client metadata and negotiation fields; hello is non-strict.
const HELLO_FIELDS = ['helloOk', 'client', 'compression', 'loadBalanced'] as const;

const PARAMETER_NAMES = [
  'featureCompatibilityVersion',
  'ttlMonitorSleepSecs',
  'transactionLifetimeLimitSeconds',
];

function parameterValue(context: CommandContext, name: string): unknown {
  switch (name) {
    case 'featureCompatibilityVersion':
      return { version: EMULATED_VERSION.split('.').slice(0, 2).join('.') };
    case 'ttlMonitorSleepSecs':
      return context.server.parameters.ttlMonitorSleepSecs;
    case 'transactionLifetimeLimitSeconds':
      return context.sessions.transactionLifetimeSeconds;
    default:
      return undefined;
  }
}

export function assertAdmin(context: CommandContext, name: string): void {
  if (context.database !== 'admin') {
    throw new MongoCommandError(
      'Unauthorized',
      `${name} may only be run against the admin database.`,
    );
  }
}

function positiveInteger(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new MongoCommandError('BadValue', `${name} must be a positive integer`);
  }
  return value;
}

const MIB = 1024 * 1024;

/** This process's virtual memory size in MiB; Linux reports it, elsewhere resident stands in. */
function virtualMemoryMiB(resident: number): number {
  try {
    const match = /^VmSize:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Math.round(Number(match[1]) / 1024);
  } catch {
    // No /proc (macOS, Windows): fall through to resident memory.
  }
  return resident;
}

/** `serverStatus`: the sections monitoring tools read first, with real counts. */
function serverStatus(context: CommandContext): Document {
  const { server, engine } = context;
  const uptimeMillis = Date.now() - server.startedAt;
  const resident = Math.round(process.memoryUsage().rss / MIB);
  const transactions = engine.transactionStats;
  return {
    host: server.port === 27017 ? hostname() : `${hostname()}:${server.port}`,
    version: EMULATED_VERSION,
    process: 'mongod',
    pid: Long.fromNumber(process.pid),
    uptime: Math.floor(uptimeMillis / 1000),
    uptimeMillis: Long.fromNumber(uptimeMillis),
    uptimeEstimate: Long.fromNumber(Math.floor(uptimeMillis / 1000)),
    localTime: new Date(),
    connections: server.connections(),
    opcounters: { ...server.opcounters },
    metrics: { commands: server.commandMetrics.toDocument() },
    mem: { bits: 64, resident, virtual: virtualMemoryMiB(resident), supported: true },
    transactions: {
      currentOpen: transactions.currentOpen,
      totalCommitted: Long.fromNumber(transactions.totalCommitted),
      totalAborted: Long.fromNumber(transactions.totalAborted),
    },
    ok: 1,
  };
}

export const handshakeCommands: CommandTable = {
  // Sections may be switched on or off by name (`{ serverStatus: 1, repl: 0 }`): any is accepted.
  serverStatus: { fields: [], lenient: true, run: serverStatus },
  hello: { fields: HELLO_FIELDS, lenient: true, run: (context) => helloReply(context, false) },
  isMaster: { fields: HELLO_FIELDS, lenient: true, run: (context) => helloReply(context, true) },
  ismaster: { fields: HELLO_FIELDS, lenient: true, run: (context) => helloReply(context, true) },
  ping: { fields: [], run: () => ({ ok: 1 }) },
  buildInfo: {
    fields: [],
    run: () => ({
      version: EMULATED_VERSION,
      gitVersion: 'embedded',
      versionArray: [...EMULATED_VERSION.split('.').map(Number), 0],
      bits: 64,
      debug: false,
      maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
      javascriptEngine: 'none',
      storageEngines: ['embedded'],
      modules: [],
      ok: 1,
    }),
  },
  getParameter: {
    // Any name may be asked for; unknown ones are refused below with MongoDB's message.
    fields: [],
    lenient: true,
    run: (context) => {
      assertAdmin(context, 'getParameter');
      const all =
        context.command.getParameter === '*' || context.command.getParameter?.allParameters;
      const names = all
        ? PARAMETER_NAMES
        : Object.keys(context.command)
            .filter((key) => !GENERIC_FIELDS.has(key))
            .slice(1);
      if (names.length === 0 || names.some((name) => !PARAMETER_NAMES.includes(name))) {
        throw new MongoCommandError('InvalidOptions', 'no option found to get');
      }
      const reply: Document = {};
      for (const name of names) reply[name] = parameterValue(context, name);
      return { ...reply, ok: 1 };
    },
  },
  setParameter: {
    fields: ['ttlMonitorSleepSecs', 'transactionLifetimeLimitSeconds'],
    run: (context) => {
      assertAdmin(context, 'setParameter');
      const { command, server, sessions } = context;
      const reply: Document = {};
      if ('ttlMonitorSleepSecs' in command) {
        reply.was = server.parameters.ttlMonitorSleepSecs;
        server.parameters.ttlMonitorSleepSecs = positiveInteger(
          command.ttlMonitorSleepSecs,
          'ttlMonitorSleepSecs',
        );
        server.onParametersChanged();
      }
      if ('transactionLifetimeLimitSeconds' in command) {
        reply.was = sessions.transactionLifetimeSeconds;
        sessions.transactionLifetimeSeconds = positiveInteger(
          command.transactionLifetimeLimitSeconds,
          'transactionLifetimeLimitSeconds',
        );
      }
      if (!('was' in reply))
        throw new MongoCommandError('InvalidOptions', 'no option found to set');
      return { ...reply, ok: 1 };
    },
  },
  startSession: {
    fields: [],
    run: (context) => ({
      id: { id: new UUID() },
      timeoutMinutes: context.sessions.logicalSessionTimeoutMinutes,
      ok: 1,
    }),
  },
  endSessions: {
    fields: [],
    run: (context) => {
      const lsids = context.command.endSessions;
      if (!Array.isArray(lsids))
        throw new MongoCommandError('TypeMismatch', 'endSessions must be an array');
      // Ending a session also closes the cursors it opened, as in MongoDB.
      for (const id of context.sessions.end(lsids)) context.cursors.killSessionCursors(id);
      return { ok: 1 };
    },
  },
};

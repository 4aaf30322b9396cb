import { EventEmitter } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';

import { CommandMetrics } from './commands/command-metrics';
import { type ServerState } from './commands/context';
import { CLOSE_CONNECTION, FailCommandPoint } from './commands/fail-command';
import { type CursorLimits, CursorRegistry, DEFAULT_CURSOR_LIMITS } from './cursors';
import { CommandDispatcher } from './dispatcher';
import { StorageEngine } from './engine';
import { replayJournal, stateOperations } from './replay';
import { Journal, type JournalFileSystem } from './journal';
import { SessionRegistry } from './sessions';
import { expireDocuments } from './ttl';
import { decodeMessage, encodeReply, MessageFramer } from './wire';

/** What one local client may hold of the server's memory and connections. */
export interface ConnectionLimits {
  /** Connections open at once; more are closed as they arrive (MongoDB's maxIncomingConnections). */
  maxIncomingConnections: number;
  /** Bytes of unfinished messages all connections together may hold; past it the sender is closed. */
  maxBufferedBytes: number;
  /** A connection that leaves a message half-sent this long without sending more is closed. */
  incompleteMessageTimeoutMs: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  maxIncomingConnections: 1000,
  maxBufferedBytes: 256 * 1024 * 1024,
  incompleteMessageTimeoutMs: 30_000,
};

export interface EmbeddedServerOptions extends Partial<ConnectionLimits>, Partial<CursorLimits> {
  /** Interface to listen on; loopback unless asked otherwise. */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Persist to this directory: every acknowledged write is on disk. */
  dataDir?: string;
  /** Replaces the journal's file writes: tests simulate a full disk with it. */
  journalFileSystem?: JournalFileSystem;
  /** Reports unexpected failures (bugs), which clients see as InternalError. */
  onInternalError?: (error: unknown, command: string) => void;
  /**
   * Serves mongod's test commands (`configureFailPoint` with the `failCommand` fail point), as
   * `mongod --setParameter enableTestCommands=1` does. Off by default: then they are unknown.
   */
  enableTestCommands?: boolean;
}

/** Why the server closed a connection itself. */
export type ConnectionCloseReason =
  | 'too many connections'
  | 'buffer limit'
  | 'incomplete message timeout'
  | 'malformed message'
  | 'failCommand fail point';

/**
 * What the server reports as it protects itself: `connectionClosed` (connectionId, reason) and
 * `writeBlocked` (connectionId) when a reply waits for a slow reader before the next request
 * is read.
 */
export interface EmbeddedServerEvents {
  connectionClosed: [connectionId: number, reason: ConnectionCloseReason];
  writeBlocked: [connectionId: number];
}

export interface EmbeddedServer {
  uri: string;
  host: string;
  port: number;
  readonly events: EventEmitter<EmbeddedServerEvents>;
  /**
   * Open connections, bytes of unfinished messages held, reply bytes not yet sent, and the
   * open cursors with the bytes of results they hold.
   */
  stats(): {
    connections: number;
    bufferedBytes: number;
    unsentBytes: number;
    cursors: { open: number; bytesHeld: number };
  };
  close(): Promise<void>;
}

const REPLICA_SET_NAME = 'embedded';
const HOUSEKEEPING_INTERVAL_MS = 1000;

function untilDrainedOrClosed(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.once('drain', done);
    socket.once('close', done);
  });
}

/**
 * Starts the MongoDB-compatible server: the official driver and mongoose connect to `uri`
 * and run unchanged.
 */
export async function startEmbeddedServer(
  options: EmbeddedServerOptions = {},
): Promise<EmbeddedServer> {
  const host = options.host ?? '127.0.0.1';
  const limits: ConnectionLimits = {
    maxIncomingConnections:
      options.maxIncomingConnections ?? DEFAULT_CONNECTION_LIMITS.maxIncomingConnections,
    maxBufferedBytes: options.maxBufferedBytes ?? DEFAULT_CONNECTION_LIMITS.maxBufferedBytes,
    incompleteMessageTimeoutMs:
      options.incompleteMessageTimeoutMs ?? DEFAULT_CONNECTION_LIMITS.incompleteMessageTimeoutMs,
  };
  const onInternalError =
    options.onInternalError ??
    ((error: unknown, command: string) =>
      process.stderr.write(
        `embedded mongo: internal error in ${command}: ${String((error as Error)?.stack ?? error)}\n`,
      ));
  // Timers run inside the gateway's process: a failure is reported and the next run tries again.
  const guarded = (task: string, run: () => void) => () => {
    try {
      run();
    } catch (error) {
      onInternalError(error, task);
    }
  };

  const engine = new StorageEngine();
  let journal: Journal | undefined;
  if (options.dataDir) {
    const opened = Journal.open(options.dataDir, options.journalFileSystem);
    try {
      replayJournal(engine, opened.operations);
      opened.journal.compact(stateOperations(engine.allCollections()));
    } catch (error) {
      opened.journal.close();
      throw error;
    }
    engine.attachJournal(opened.journal);
    journal = opened.journal;
  }
  const cursors = new CursorRegistry({
    maxOpenCursors: options.maxOpenCursors ?? DEFAULT_CURSOR_LIMITS.maxOpenCursors,
    maxCursorBytes: options.maxCursorBytes ?? DEFAULT_CURSOR_LIMITS.maxCursorBytes,
  });
  const sessions = new SessionRegistry(engine);

  let ttlTimer: NodeJS.Timeout | undefined;
  const framers = new Map<Socket, MessageFramer>();
  let nextConnectionId = 1;
  const state: ServerState = {
    host,
    port: 0,
    replicaSetName: REPLICA_SET_NAME,
    parameters: { ttlMonitorSleepSecs: 60 },
    onParametersChanged: () => scheduleTtl(),
    startedAt: Date.now(),
    opcounters: { insert: 0, query: 0, update: 0, delete: 0, getmore: 0, command: 0 },
    commandMetrics: new CommandMetrics(),
    connections: () => ({
      current: framers.size,
      available: Math.max(0, limits.maxIncomingConnections - framers.size),
      totalCreated: nextConnectionId - 1,
    }),
    failCommand: options.enableTestCommands ? new FailCommandPoint() : undefined,
  };
  const scheduleTtl = () => {
    clearInterval(ttlTimer);
    ttlTimer = setInterval(
      guarded('TTL monitor', () =>
        expireDocuments(engine, Date.now(), (error) => onInternalError(error, 'TTL monitor')),
      ),
      state.parameters.ttlMonitorSleepSecs * 1000,
    );
    ttlTimer.unref();
  };
  scheduleTtl();
  const housekeeping = setInterval(
    guarded('housekeeping', () => {
      sessions.expireTransactions();
      sessions.expireSessions();
      cursors.expireIdle();
      if (journal?.outgrown) journal.compact(stateOperations(engine.allCollections()));
    }),
    HOUSEKEEPING_INTERVAL_MS,
  );
  housekeeping.unref();

  const dispatcher = new CommandDispatcher(engine, cursors, sessions, state, onInternalError);
  const events = new EventEmitter<EmbeddedServerEvents>();
  let bufferedBytes = 0;
  let nextResponseId = 1;

  const server: Server = createServer((socket) => {
    const connectionId = nextConnectionId++;
    const framer = new MessageFramer();
    let stallTimer: NodeJS.Timeout | undefined;
    // Requests are answered one at a time, in order; reading stops while any wait, so a client
    // that pipelines requests, or never reads its replies, holds no more than one of each.
    const requests: Buffer[] = [];
    let answering = false;
    let released = false;
    // Runs when the server closes the connection and again on 'close': counted once, at once.
    const release = () => {
      if (released) return;
      released = true;
      clearTimeout(stallTimer);
      bufferedBytes -= framer.bufferedBytes;
      framers.delete(socket);
      state.failCommand?.forgetConnection(connectionId);
      requests.length = 0;
    };
    const closeFor = (reason: ConnectionCloseReason) => {
      if (socket.destroyed) return;
      release();
      socket.destroy();
      events.emit('connectionClosed', connectionId, reason);
    };
    socket.on('error', () => socket.destroy());
    if (framers.size >= limits.maxIncomingConnections) {
      released = true;
      closeFor('too many connections');
      return;
    }
    framers.set(socket, framer);
    socket.setNoDelay(true);
    const stalled = () => closeFor('incomplete message timeout');

    const answer = async () => {
      if (answering) return;
      answering = true;
      try {
        while (requests.length > 0 && !socket.destroyed) {
          if (socket.writableNeedDrain) {
            events.emit('writeBlocked', connectionId);
            await untilDrainedOrClosed(socket);
            continue;
          }
          const request = decodeMessage(requests.shift()!);
          const reply = await dispatcher.dispatch(request.database, request.command, connectionId);
          if (reply === CLOSE_CONNECTION) {
            closeFor('failCommand fail point');
            break;
          }
          if (!request.noReply && !socket.destroyed) {
            socket.write(encodeReply(request, nextResponseId++, reply));
          }
        }
      } catch {
        closeFor('malformed message');
      } finally {
        answering = false;
        if (!socket.destroyed) socket.resume();
      }
    };

    socket.on('data', (chunk: Buffer) => {
      const before = framer.bufferedBytes;
      let messages: Buffer[];
      try {
        messages = framer.push(chunk);
      } catch {
        closeFor('malformed message');
        return;
      }
      bufferedBytes += framer.bufferedBytes - before;
      if (bufferedBytes > limits.maxBufferedBytes) {
        closeFor('buffer limit');
        return;
      }
      clearTimeout(stallTimer);
      if (framer.bufferedBytes > 0) {
        stallTimer = setTimeout(stalled, limits.incompleteMessageTimeoutMs);
        stallTimer.unref();
      }
      if (messages.length === 0) return;
      for (const message of messages) requests.push(message);
      socket.pause();
      void answer();
    });
    socket.on('close', release);
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => resolve());
    });
  } catch (error) {
    // A port in use: give the data directory back for the server that may hold the port.
    clearInterval(ttlTimer);
    clearInterval(housekeeping);
    journal?.close();
    throw error;
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  state.port = port;

  return {
    uri: `mongodb://${host}:${port}/?replicaSet=${REPLICA_SET_NAME}`,
    host,
    port,
    events,
    stats: () => {
      let unsentBytes = 0;
      for (const socket of framers.keys()) unsentBytes += socket.writableLength;
      return { connections: framers.size, bufferedBytes, unsentBytes, cursors: cursors.stats };
    },
    close: async () => {
      clearInterval(ttlTimer);
      clearInterval(housekeeping);
      for (const socket of framers.keys()) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      journal?.close();
    },
  };
}

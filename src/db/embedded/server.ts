import { createServer, type Server, type Socket } from 'node:net';

import { type ServerState } from './commands/context';
import { CursorRegistry } from './cursors';
import { CommandDispatcher } from './dispatcher';
import { StorageEngine } from './engine';
import { Journal, type JournalFileSystem } from './journal';
import { SessionRegistry } from './sessions';
import { expireDocuments } from './ttl';
import { decodeMessage, encodeReply, MessageFramer } from './wire';

export interface EmbeddedServerOptions {
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
}

export interface EmbeddedServer {
  uri: string;
  host: string;
  port: number;
  close(): Promise<void>;
}

const REPLICA_SET_NAME = 'embedded';
const HOUSEKEEPING_INTERVAL_MS = 1000;

/**
 * Starts the MongoDB-compatible server: the official driver and mongoose connect to `uri`
 * and run unchanged.
 */
export async function startEmbeddedServer(
  options: EmbeddedServerOptions = {},
): Promise<EmbeddedServer> {
  const host = options.host ?? '127.0.0.1';
  const engine = new StorageEngine();
  let journal: Journal | undefined;
  if (options.dataDir) {
    const opened = Journal.open(options.dataDir, options.journalFileSystem);
    try {
      engine.replay(opened.operations);
      opened.journal.compact(engine.stateOperations());
    } catch (error) {
      opened.journal.close();
      throw error;
    }
    engine.attachJournal(opened.journal);
    journal = opened.journal;
  }
  const cursors = new CursorRegistry();
  const sessions = new SessionRegistry(engine);

  let ttlTimer: NodeJS.Timeout | undefined;
  const state: ServerState = {
    host,
    port: 0,
    replicaSetName: REPLICA_SET_NAME,
    parameters: { ttlMonitorSleepSecs: 60 },
    onParametersChanged: () => scheduleTtl(),
  };
  const scheduleTtl = () => {
    clearInterval(ttlTimer);
    ttlTimer = setInterval(
      () => expireDocuments(engine),
      state.parameters.ttlMonitorSleepSecs * 1000,
    );
    ttlTimer.unref();
  };
  scheduleTtl();
  const housekeeping = setInterval(() => {
    sessions.expireTransactions();
    sessions.expireSessions();
    cursors.expireIdle();
    if (journal?.outgrown) journal.compact(engine.stateOperations());
  }, HOUSEKEEPING_INTERVAL_MS);
  housekeeping.unref();

  const onInternalError =
    options.onInternalError ??
    ((error: unknown, command: string) =>
      process.stderr.write(
        `embedded mongo: internal error in ${command}: ${String((error as Error)?.stack ?? error)}\n`,
      ));
  const dispatcher = new CommandDispatcher(engine, cursors, sessions, state, onInternalError);
  const sockets = new Set<Socket>();
  let nextConnectionId = 1;
  let nextResponseId = 1;

  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    const connectionId = nextConnectionId++;
    const framer = new MessageFramer();
    // Replies go out in request order: each message waits for the one before it.
    let queue = Promise.resolve();
    socket.on('data', (chunk: Buffer) => {
      let messages: Buffer[];
      try {
        messages = framer.push(chunk);
      } catch {
        socket.destroy();
        return;
      }
      for (const message of messages) {
        queue = queue.then(async () => {
          if (socket.destroyed) return;
          try {
            const request = decodeMessage(message);
            const reply = await dispatcher.dispatch(
              request.database,
              request.command,
              connectionId,
            );
            if (!request.noReply && !socket.destroyed) {
              socket.write(encodeReply(request, nextResponseId++, reply));
            }
          } catch {
            socket.destroy();
          }
        });
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
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
    close: async () => {
      clearInterval(ttlTimer);
      clearInterval(housekeeping);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      journal?.close();
    },
  };
}

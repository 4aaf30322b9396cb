import { type Document } from 'bson';

import { aggregateCommands } from './commands/aggregate';
import { catalogCommands } from './commands/catalog';
import {
  type CommandContext,
  type CommandHandler,
  type CommandTable,
  type ServerState,
} from './commands/context';
import { crudCommands } from './commands/crud';
import { CLOSE_CONNECTION, type Reply, testCommands } from './commands/fail-command';
import { assertKnownFields } from './commands/fields';
import { handshakeCommands } from './commands/handshake';
import {
  noSuchTransaction,
  transactionCommands,
  transactionCommitted,
} from './commands/transactions';
import { type CursorRegistry } from './cursors';
import { type StorageEngine } from './engine';
import { LockWait } from './locks';
import { type Transaction } from './transaction';
import { badValue, MongoCommandError } from './errors';
import { type ServerSession, type SessionRegistry } from './sessions';

const READ_CONCERN_LEVELS = new Set(['local', 'majority', 'snapshot', 'available', 'linearizable']);

const COMMANDS: CommandTable = {
  ...handshakeCommands,
  ...crudCommands,
  ...catalogCommands,
  ...aggregateCommands,
  ...transactionCommands,
};
// Lower-case spellings the shell and old drivers use.
COMMANDS.buildinfo = COMMANDS.buildInfo;

/** The handler of `name`; test commands only exist on a server started with them enabled. */
function handlerOf(name: string, server: ServerState): CommandHandler | undefined {
  const own = (table: CommandTable) =>
    Object.prototype.hasOwnProperty.call(table, name) ? table[name] : undefined;
  return own(COMMANDS) ?? (server.failCommand ? own(testCommands) : undefined);
}

function validateFields(name: string, handler: CommandHandler, command: Document): void {
  assertKnownFields(name, command, handler);
  const level = command.readConcern?.level;
  if (level !== undefined && !READ_CONCERN_LEVELS.has(level)) {
    throw badValue(`${level} is not a valid read concern level`);
  }
}

/** Waits for `promise`, failing as MongoDB does once the command's maxTimeMS has passed. */
async function untilDeadline(promise: Promise<void>, deadline: number | undefined): Promise<void> {
  if (deadline === undefined) return promise;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new MongoCommandError('MaxTimeMSExpired', 'operation exceeded time limit')),
      Math.max(0, deadline - Date.now()),
    );
  });
  try {
    await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** Turns decoded commands into replies: lookup, validation, sessions, transactions, retries. */
export class CommandDispatcher {
  constructor(
    private readonly engine: StorageEngine,
    private readonly cursors: CursorRegistry,
    private readonly sessions: SessionRegistry,
    private readonly server: ServerState,
    private readonly onInternalError: (error: unknown, command: string) => void,
  ) {}

  async dispatch(database: string, command: Document, connectionId: number): Promise<Reply> {
    const name = Object.keys(command)[0] ?? '';
    const handler = handlerOf(name, this.server);
    if (!handler) {
      this.server.commandMetrics.unknownCommand();
      return new MongoCommandError('CommandNotFound', `no such command: '${name}'`).toReply();
    }
    const failed = this.server.commandMetrics.started(name);
    const reply = await this.run(name, handler, database, command, connectionId);
    if (reply === CLOSE_CONNECTION || reply.ok !== 1) failed();
    return reply;
  }

  private async run(
    name: string,
    handler: CommandHandler,
    database: string,
    command: Document,
    connectionId: number,
  ): Promise<Reply> {
    let transaction: Transaction | undefined;
    try {
      validateFields(name, handler, command);
      this.count(name, command);
      const session = command.lsid ? this.sessions.get(command.lsid) : undefined;
      const inTransaction = command.autocommit === false;
      if (inTransaction) {
        if (!session || command.txnNumber === undefined) {
          throw new MongoCommandError(
            'InvalidOptions',
            'autocommit=false needs lsid and txnNumber',
          );
        }
        if (!handler.inTransaction) {
          throw new MongoCommandError(
            'OperationNotSupportedInTransaction',
            `Cannot run '${name}' in a multi-document transaction.`,
          );
        }
        if (name !== 'commitTransaction' && name !== 'abortTransaction') {
          transaction = this.sessions.transactionFor(session, command);
          if (transaction.state === 'committed')
            throw transactionCommitted(Number(command.txnNumber));
          if (transaction.state === 'aborted') throw noSuchTransaction(Number(command.txnNumber));
        }
      }
      const failed = this.server.failCommand?.hit(name, command, connectionId);
      if (failed) {
        // A statement failed by the fail point ends its transaction, as any failed statement.
        if (transaction) this.engine.abort(transaction);
        return failed;
      }
      const context = this.context(database, command, connectionId, session, transaction);
      const retryable =
        !inTransaction && handler.retryableWrite && session && command.txnNumber !== undefined;
      if (retryable) {
        const txnNumber = Number(command.txnNumber);
        if (session.lastRetryableWrite?.txnNumber === txnNumber)
          return session.lastRetryableWrite.reply;
        // A retry arriving (on another connection) while the first attempt still waits, for a
        // lock say, must not run the statement again: it shares the first attempt's outcome.
        const inProgress = session.retryableWriteInProgress;
        if (inProgress?.txnNumber === txnNumber) return await inProgress.reply;
        session.txnNumber = Math.max(session.txnNumber, txnNumber);
        const attempt = (async () => handler.run(context))();
        session.retryableWriteInProgress = { txnNumber, reply: attempt };
        try {
          const reply = await attempt;
          session.lastRetryableWrite = { txnNumber, reply };
          return reply;
        } finally {
          if (session.retryableWriteInProgress?.reply === attempt) {
            session.retryableWriteInProgress = undefined;
          }
        }
      }
      const reply = await handler.run(context);
      // Any failed statement aborts a transaction, as in MongoDB.
      if (transaction && reply.writeErrors) this.engine.abort(transaction);
      return reply;
    } catch (error) {
      if (transaction) this.engine.abort(transaction);
      if (error instanceof MongoCommandError) return error.toReply();
      this.onInternalError(error, name);
      return new MongoCommandError('InternalError', `internal error running ${name}`).toReply();
    }
  }

  /** Counts a command in `serverStatus.opcounters` as MongoDB does: inserts by document. */
  private count(name: string, command: Document): void {
    const counters = this.server.opcounters;
    switch (name) {
      case 'insert':
        counters.insert += Array.isArray(command.documents) ? command.documents.length : 0;
        break;
      case 'update':
        counters.update += Array.isArray(command.updates) ? command.updates.length : 0;
        break;
      case 'delete':
        counters.delete += Array.isArray(command.deletes) ? command.deletes.length : 0;
        break;
      case 'find':
        counters.query++;
        break;
      case 'getMore':
        counters.getmore++;
        break;
      default:
        counters.command++;
    }
  }

  private context(
    database: string,
    command: Document,
    connectionId: number,
    session: ServerSession | undefined,
    transaction: Transaction | undefined,
  ): CommandContext {
    const engine = this.engine;
    const deadline =
      typeof command.maxTimeMS === 'number' && command.maxTimeMS > 0
        ? Date.now() + command.maxTimeMS
        : undefined;
    return {
      engine,
      cursors: this.cursors,
      sessions: this.sessions,
      server: this.server,
      connectionId,
      database,
      command,
      session,
      transaction,
      write: async (statement) => {
        if (transaction) return statement(transaction);
        for (;;) {
          const unit = engine.begin(true);
          try {
            const result = statement(unit);
            engine.commit(unit);
            return result;
          } catch (error) {
            engine.abort(unit);
            if (!(error instanceof LockWait)) throw error;
            // An open transaction holds what this write touches: wait for it to end, then retry.
            await untilDeadline(error.owner.done, deadline);
          }
        }
      },
    };
  }
}

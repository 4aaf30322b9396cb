import { type Document } from 'bson';

import { isPlainObject } from '../bson-order';
import { ErrorCode, MongoCommandError, TRANSIENT_TRANSACTION_ERROR } from '../errors';
import { type CommandTable } from './context';
import { assertAdmin } from './handshake';

/** What a command the fail point hits with `closeConnection` gets: its socket closed, no reply. */
export const CLOSE_CONNECTION = Symbol('close the connection without a reply');

/** A command's reply, or the instruction to close its connection instead of replying. */
export type Reply = Document | typeof CLOSE_CONNECTION;

type Mode =
  | { kind: 'off' }
  | { kind: 'alwaysOn' }
  | { kind: 'times'; left: number }
  | { kind: 'skip'; left: number };

interface FailCommandData {
  failCommands: readonly string[];
  closeConnection: boolean;
  errorCode?: number;
  /** Replaces the labels the server would give the error itself. */
  errorLabels?: readonly string[];
  /** Only connections whose handshake named this application. */
  appName?: string;
}

const NO_DATA: FailCommandData = { failCommands: [], closeConnection: false };
const MESSAGE = "Failing command via 'failCommand' failpoint";
const MAX_COUNT = 2 ** 31 - 1;

const CODE_NAMES = new Map<number, string>(
  Object.entries(ErrorCode).map(([name, code]) => [code, name]),
);

/** Codes MongoDB retries a write (and a commit) after: the server is stepping down or away. */
const RETRYABLE_CODES = new Set<number>([
  ErrorCode.HostUnreachable,
  ErrorCode.HostNotFound,
  ErrorCode.NetworkTimeout,
  ErrorCode.ShutdownInProgress,
  ErrorCode.PrimarySteppedDown,
  ErrorCode.ExceededTimeLimit,
  ErrorCode.SocketException,
  ErrorCode.NotWritablePrimary,
  ErrorCode.InterruptedAtShutdown,
  ErrorCode.InterruptedDueToReplStateChange,
  ErrorCode.NotPrimaryNoSecondaryOk,
  ErrorCode.NotPrimaryOrSecondary,
]);

/**
 * The labels MongoDB gives an error of `code` from command `name`: a transaction may be retried
 * whole after a conflict (or, for a statement, after a retryable error); a retryable write or a
 * commit may be sent again after a retryable error.
 */
function labelsOf(name: string, command: Document, code: number): string[] {
  const commitOrAbort = name === 'commitTransaction' || name === 'abortTransaction';
  const inTransaction = command.autocommit === false;
  const labels: string[] = [];
  const transient =
    code === ErrorCode.WriteConflict ||
    code === ErrorCode.LockTimeout ||
    code === ErrorCode.NoSuchTransaction ||
    (!commitOrAbort && RETRYABLE_CODES.has(code));
  if (inTransaction && transient) labels.push(TRANSIENT_TRANSACTION_ERROR);
  const retryableWrite = commitOrAbort || (!inTransaction && command.txnNumber !== undefined);
  if (retryableWrite && RETRYABLE_CODES.has(code)) labels.push('RetryableWriteError');
  return labels;
}

/**
 * MongoDB's `failCommand` fail point: makes chosen commands fail with an error, or close their
 * connection unanswered, so that clients' retry paths can be tested. Server-wide, as in mongod;
 * `appName` keeps it to one client's connections.
 */
export class FailCommandPoint {
  private mode: Mode = { kind: 'off' };
  private data: FailCommandData = NO_DATA;
  private timesEntered = 0;
  private readonly appNames = new Map<number, string>();

  /** Remembers the application a connection's handshake named (`client.application.name`). */
  rememberClient(connectionId: number, client: unknown): void {
    const name =
      isPlainObject(client) && isPlainObject(client.application) && client.application.name;
    if (typeof name === 'string') this.appNames.set(connectionId, name);
  }

  forgetConnection(connectionId: number): void {
    this.appNames.delete(connectionId);
  }

  /** Replaces the mode and data; returns how often the fail point fired before (its `count`). */
  configure(mode: Mode, data: FailCommandData): number {
    this.mode = mode;
    this.data = data;
    return this.timesEntered;
  }

  /** What the fail point makes of command `name` on this connection; undefined lets it run. */
  hit(name: string, command: Document, connectionId: number): Reply | undefined {
    const { data } = this;
    // configureFailPoint is never failed, whatever failCommands says: it turns the point off.
    if (this.mode.kind === 'off' || name === 'configureFailPoint') return undefined;
    if (!data.failCommands.includes(name)) return undefined;
    if (data.appName !== undefined && this.appNames.get(connectionId) !== data.appName) {
      return undefined;
    }
    // Without an effect the point is not entered: it neither fires nor counts down.
    if (!data.closeConnection && data.errorCode === undefined) return undefined;
    if (!this.fires()) return undefined;
    this.timesEntered++;
    if (data.closeConnection) return CLOSE_CONNECTION;
    const code = data.errorCode as number;
    const reply: Document = {
      ok: 0,
      errmsg: MESSAGE,
      code,
      codeName: CODE_NAMES.get(code) ?? `Location${code}`,
    };
    const labels = data.errorLabels ?? labelsOf(name, command, code);
    if (labels.length > 0) reply.errorLabels = [...labels];
    return reply;
  }

  private fires(): boolean {
    const mode = this.mode;
    switch (mode.kind) {
      case 'off':
        return false;
      case 'alwaysOn':
        return true;
      case 'times':
        mode.left -= 1;
        if (mode.left <= 0) this.mode = { kind: 'off' };
        return true;
      case 'skip':
        if (mode.left <= 0) return true;
        mode.left -= 1;
        return false;
    }
  }
}

function count(value: unknown, name: 'times' | 'skip'): number {
  const number = typeof value === 'number' ? value : Number.NaN;
  if (!Number.isInteger(number)) {
    throw new MongoCommandError('TypeMismatch', `'${name}' option to 'mode' must be a number`);
  }
  if (number < 0) {
    throw new MongoCommandError('BadValue', `'${name}' option to 'mode' must be positive`);
  }
  if (number > MAX_COUNT) {
    throw new MongoCommandError('BadValue', `'${name}' option to 'mode' is too large`);
  }
  return number;
}

function parseMode(value: unknown): Mode {
  if (value === undefined) {
    throw new MongoCommandError(
      'IllegalOperation',
      "When setting a failpoint, you must supply a 'mode'",
    );
  }
  if (typeof value === 'string') {
    if (value === 'off' || value === 'alwaysOn') return { kind: value };
    throw new MongoCommandError('BadValue', `unknown mode: ${value}`);
  }
  if (!isPlainObject(value)) {
    throw new MongoCommandError('TypeMismatch', "'mode' must be a string or JSON object");
  }
  if ('times' in value) return { kind: 'times', left: count(value.times, 'times') };
  if ('skip' in value) return { kind: 'skip', left: count(value.skip, 'skip') };
  if ('activationProbability' in value) {
    throw new MongoCommandError(
      'NotImplemented',
      "configureFailPoint mode 'activationProbability' is not supported by the embedded server",
    );
  }
  throw new MongoCommandError(
    'BadValue',
    "'mode' must be one of 'off', 'alwaysOn', '{times:n}', '{skip:n}' or " +
      "'{activationProbability:p}'",
  );
}

function stringList(value: unknown, field: string): string[] {
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    throw new MongoCommandError('TypeMismatch', `'data.${field}' must be an array of strings`);
  }
  return value as string[];
}

function parseData(value: unknown): FailCommandData {
  if (value === undefined) return NO_DATA;
  if (!isPlainObject(value)) {
    throw new MongoCommandError('TypeMismatch', "the 'data' option must be a JSON object");
  }
  const data: FailCommandData = { ...NO_DATA };
  for (const [field, given] of Object.entries(value)) {
    switch (field) {
      case 'failCommands':
        data.failCommands = stringList(given, field);
        break;
      case 'errorLabels':
        data.errorLabels = stringList(given, field);
        break;
      case 'errorCode':
        if (typeof given !== 'number' || !Number.isInteger(given)) {
          throw new MongoCommandError('TypeMismatch', "'data.errorCode' must be a whole number");
        }
        data.errorCode = given;
        break;
      case 'closeConnection':
        if (typeof given !== 'boolean') {
          throw new MongoCommandError('TypeMismatch', "'data.closeConnection' must be a boolean");
        }
        data.closeConnection = given;
        break;
      case 'appName':
        if (typeof given !== 'string') {
          throw new MongoCommandError('TypeMismatch', "'data.appName' must be a string");
        }
        data.appName = given;
        break;
      default:
        // blockConnection, writeConcernError, threadName, namespace and the rest.
        throw new MongoCommandError(
          'NotImplemented',
          `configureFailPoint data.${field} is not supported by the embedded server`,
        );
    }
  }
  return data;
}

/** Commands of a server started with test commands enabled (mongod's `enableTestCommands=1`). */
export const testCommands: CommandTable = {
  configureFailPoint: {
    fields: ['mode', 'data'],
    run: (context) => {
      assertAdmin(context, 'configureFailPoint');
      const point = context.server.failCommand;
      const name = context.command.configureFailPoint;
      if (!point || name !== 'failCommand') {
        throw new MongoCommandError('FailPointSetFailed', `${String(name)} not found`);
      }
      const mode = parseMode(context.command.mode);
      // As in mongod, the data of a point turned off is not read.
      const data = mode.kind === 'off' ? NO_DATA : parseData(context.command.data);
      return { count: point.configure(mode, data), ok: 1 };
    },
  },
};

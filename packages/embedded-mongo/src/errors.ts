import { type Document } from 'bson';

/** MongoDB's own error codes, by the names its `codeName` field carries. */
export const ErrorCode = {
  InternalError: 1,
  BadValue: 2,
  HostUnreachable: 6,
  HostNotFound: 7,
  FailedToParse: 9,
  Unauthorized: 13,
  InvalidLength: 16,
  TypeMismatch: 14,
  IllegalOperation: 20,
  LockTimeout: 24,
  NamespaceNotFound: 26,
  IndexNotFound: 27,
  ConflictingUpdateOperators: 40,
  CursorNotFound: 43,
  NamespaceExists: 48,
  MaxTimeMSExpired: 50,
  CommandNotFound: 59,
  WriteConcernFailed: 64,
  ImmutableField: 66,
  InvalidOptions: 72,
  InvalidNamespace: 73,
  IndexOptionsConflict: 85,
  IndexKeySpecsConflict: 86,
  NetworkTimeout: 89,
  ShutdownInProgress: 91,
  WriteConflict: 112,
  ExceededMemoryLimit: 146,
  QueryPlanKilled: 175,
  PrimarySteppedDown: 189,
  NotImplemented: 238,
  NoSuchTransaction: 251,
  TransactionCommitted: 256,
  ExceededTimeLimit: 262,
  OperationNotSupportedInTransaction: 263,
  FailPointSetFailed: 266,
  TransactionTooOld: 225,
  ConflictingOperationInProgress: 117,
  InvalidPipelineOperator: 168,
  CannotIndexParallelArrays: 171,
  Location40324: 40324,
  Location40415: 40415,
  SocketException: 9001,
  NotWritablePrimary: 10107,
  DuplicateKey: 11000,
  InterruptedAtShutdown: 11600,
  InterruptedDueToReplStateChange: 11602,
  NotPrimaryNoSecondaryOk: 13435,
  NotPrimaryOrSecondary: 13436,
  OutOfDiskSpace: 14031,
  Location31254: 31254,
  Location50736: 50736,
  Location50737: 50737,
  Location50738: 50738,
  Location50739: 50739,
  Location50740: 50740,
  Location50741: 50741,
  Location31253: 31253,
  Location31275: 31275,
  Location31264: 31264,
  Location6108304: 6108304,
  Location17419: 17419,
  Location17420: 17420,
  CannotCreateIndex: 67,
  Location16764: 16764,
  Location16766: 16766,
} as const;

export type ErrorCodeName = keyof typeof ErrorCode;

/** A command failure as MongoDB reports it: `{ ok: 0, errmsg, code, codeName, ... }`. */
export class MongoCommandError extends Error {
  readonly code: number;
  readonly errorLabels: string[];

  constructor(
    readonly codeName: ErrorCodeName,
    message: string,
    readonly extra: Document = {},
    labels: string[] = [],
  ) {
    super(message);
    this.code = ErrorCode[codeName];
    this.errorLabels = labels;
  }

  toReply(): Document {
    const reply: Document = {
      ok: 0,
      errmsg: this.message,
      code: this.code,
      codeName: this.codeName,
      ...this.extra,
    };
    if (this.errorLabels.length > 0) reply.errorLabels = this.errorLabels;
    return reply;
  }

  /** The per-statement shape used in `writeErrors`. */
  toWriteError(index: number): Document {
    return { index, code: this.code, errmsg: this.message, ...this.extra };
  }
}

export const TRANSIENT_TRANSACTION_ERROR = 'TransientTransactionError';

export function badValue(message: string): MongoCommandError {
  return new MongoCommandError('BadValue', message);
}

export function failedToParse(message: string): MongoCommandError {
  return new MongoCommandError('FailedToParse', message);
}

export function writeConflict(): MongoCommandError {
  return new MongoCommandError(
    'WriteConflict',
    'Caused by :: Write conflict during plan execution and yielding is disabled. :: Please retry ' +
      'your operation or multi-document transaction.',
    {},
    [TRANSIENT_TRANSACTION_ERROR],
  );
}

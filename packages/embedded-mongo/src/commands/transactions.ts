import { MongoCommandError, TRANSIENT_TRANSACTION_ERROR } from '../errors';
import { type Transaction } from '../transaction';
import { type CommandContext, type CommandTable } from './context';

/** A transaction that is not open (never started, aborted, or replaced by a newer one). */
export function noSuchTransaction(txnNumber: number): MongoCommandError {
  return new MongoCommandError(
    'NoSuchTransaction',
    `Transaction with { txnNumber: ${txnNumber} } has been aborted.`,
    {},
    [TRANSIENT_TRANSACTION_ERROR],
  );
}

export function transactionCommitted(txnNumber: number): MongoCommandError {
  return new MongoCommandError(
    'TransactionCommitted',
    `Transaction ${txnNumber} has been committed.`,
  );
}

/** The transaction a commit or abort names; a missing or aborted one is NoSuchTransaction. */
function namedTransaction(context: CommandContext): {
  transaction: Transaction;
  txnNumber: number;
} {
  const session = context.session;
  if (!session || context.command.txnNumber === undefined) {
    throw new MongoCommandError('InvalidOptions', 'Transaction commands need lsid and txnNumber');
  }
  const txnNumber = Number(context.command.txnNumber);
  const transaction = session.transaction;
  if (txnNumber !== session.txnNumber || !transaction || transaction.state === 'aborted') {
    throw noSuchTransaction(txnNumber);
  }
  return { transaction, txnNumber };
}

export const transactionCommands: CommandTable = {
  commitTransaction: {
    fields: ['recoveryToken'],
    inTransaction: true,
    run: (context) => {
      // Committing again (the driver retries commits) reports the same success.
      context.engine.commit(namedTransaction(context).transaction);
      return { ok: 1 };
    },
  },
  abortTransaction: {
    fields: ['recoveryToken'],
    inTransaction: true,
    run: (context) => {
      const { transaction, txnNumber } = namedTransaction(context);
      if (transaction.state === 'committed') throw transactionCommitted(txnNumber);
      context.engine.abort(transaction);
      return { ok: 1 };
    },
  },
};

import { type Connection } from 'mongoose';

/** The last transaction queued on each connection that takes consent feed positions. */
const lastInLine = new WeakMap<Connection, Promise<unknown>>();

/**
 * Runs `transaction` once every earlier one of this process that takes feed positions on the
 * same connection has ended. Every such transaction increments the one feed counter document,
 * so any two running at once conflict on it and one starts again (see `writePreferences`):
 * under many concurrent changes most attempts would be retries. In line, they conflict only
 * with other gateway instances'. A failed transaction does not hold up the next.
 */
export function inFeedOrder<T>(connection: Connection, transaction: () => Promise<T>): Promise<T> {
  const previous = lastInLine.get(connection) ?? Promise.resolve();
  const turn = previous.then(transaction, transaction);
  lastInLine.set(
    connection,
    turn.catch(() => undefined),
  );
  return turn;
}

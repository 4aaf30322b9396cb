import { type StorageEngine } from './engine';
import { LockWait } from './locks';
import { valuesAtPath } from './paths';

/** The earliest date among `values`, as epoch milliseconds; undefined when none is a date. */
function earliestDate(values: unknown[]): number | undefined {
  let earliest: number | undefined;
  // A loop, not Math.min(...dates): an array of a few hundred thousand dates would overflow
  // the call stack, and this runs on a timer inside the gateway's process.
  for (const value of values) {
    if (!(value instanceof Date)) continue;
    const time = value.getTime();
    if (earliest === undefined || time < earliest) earliest = time;
  }
  return earliest;
}

/**
 * Deletes documents whose TTL-indexed date is older than `expireAfterSeconds`, as MongoDB's TTL
 * monitor does: a document with an array of dates expires by the earliest one; documents
 * without a date are kept. A document an open transaction holds is left for the next pass.
 * Each collection's expired documents go in one commit (one journal flush, not one per
 * document). `onError` hears of a document that could not be deleted; the pass carries on.
 */
export function expireDocuments(
  engine: StorageEngine,
  now: number,
  onError: (error: unknown) => void,
): number {
  let removed = 0;
  for (const database of engine.databaseNames()) {
    for (const collection of engine.collections(database)) {
      const unit = engine.begin(true);
      let staged = 0;
      for (const index of collection.indexes.values()) {
        const seconds = index.spec.expireAfterSeconds;
        if (seconds === undefined) continue;
        const cutoff = now - seconds * 1000;
        for (const [id, document] of collection.liveDocuments()) {
          try {
            const earliest = earliestDate(valuesAtPath(document, index.fields[0]));
            if (earliest === undefined || earliest > cutoff || unit.isStaged(collection, id)) {
              continue;
            }
            engine.stage(unit, collection, id, null);
            staged++;
          } catch (error) {
            if (!(error instanceof LockWait)) onError(error);
          }
        }
      }
      try {
        engine.commit(unit);
        removed += staged;
      } catch (error) {
        engine.abort(unit);
        onError(error);
      }
    }
  }
  return removed;
}

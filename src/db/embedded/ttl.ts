import { type Document } from 'bson';

import { idKeyOf } from './collection';
import { LockWait, type StorageEngine } from './engine';
import { valuesAtPath } from './paths';

/**
 * Deletes documents whose TTL-indexed date is older than `expireAfterSeconds`, as MongoDB's TTL
 * monitor does: a document with an array of dates expires by the earliest one; documents
 * without a date are kept. A document an open transaction holds is left for the next pass.
 */
export function expireDocuments(engine: StorageEngine, now = Date.now()): number {
  let removed = 0;
  for (const database of engine.databaseNames()) {
    for (const collection of engine.collections(database)) {
      for (const index of collection.indexes.values()) {
        const seconds = index.spec.expireAfterSeconds;
        if (seconds === undefined) continue;
        const cutoff = now - seconds * 1000;
        const expired: Document[] = [];
        for (const [, document] of collection.liveDocuments()) {
          const dates = valuesAtPath(document, index.fields[0]).filter(
            (value): value is Date => value instanceof Date,
          );
          if (dates.length > 0 && Math.min(...dates.map(Number)) <= cutoff) expired.push(document);
        }
        for (const document of expired) {
          const unit = engine.begin(true);
          try {
            engine.stage(unit, collection, idKeyOf(document), null);
            engine.commit(unit);
            removed++;
          } catch (error) {
            engine.abort(unit);
            if (!(error instanceof LockWait)) throw error;
          }
        }
      }
    }
  }
  return removed;
}

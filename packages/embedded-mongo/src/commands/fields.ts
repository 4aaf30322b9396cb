import { type Document } from 'bson';

import { MongoCommandError } from '../errors';
import { type CommandHandler } from './context';

/** Fields any command may carry: session, transaction, concern and API-version plumbing. */
export const GENERIC_FIELDS: ReadonlySet<string> = new Set([
  '$db',
  'lsid',
  'txnNumber',
  'autocommit',
  'startTransaction',
  '$clusterTime',
  '$readPreference',
  'readConcern',
  'writeConcern',
  'comment',
  'maxTimeMS',
  'apiVersion',
  'apiStrict',
  'apiDeprecationErrors',
]);

/**
 * Refuses, as MongoDB does, a field of `command` (named `name`) that `accepts` does not list: an
 * option this server does not implement is NotImplemented, any other unknown field 40415.
 */
export function assertKnownFields(
  name: string,
  command: Document,
  accepts: Pick<CommandHandler, 'fields' | 'lenient' | 'unsupported'>,
): void {
  for (const field of Object.keys(command).slice(1)) {
    if (accepts.unsupported?.includes(field)) {
      throw new MongoCommandError(
        'NotImplemented',
        `${name}.${field} is not supported by the embedded server`,
      );
    }
    if (!accepts.lenient && !GENERIC_FIELDS.has(field) && !accepts.fields.includes(field)) {
      throw new MongoCommandError(
        'Location40415',
        `BSON field '${name}.${field}' is an unknown field.`,
      );
    }
  }
}

import { type CommandSucceededEvent, type Document, type MongoClient } from 'mongodb';

export interface Batch {
  command: 'find' | 'aggregate' | 'getMore';
  size: number;
  /** '0' once the server has closed the cursor. */
  cursorId: string;
}

export interface RecordedBatches<T> {
  result: T;
  batches: Batch[];
  getMores: Batch[];
}

const CURSOR_COMMANDS = new Set(['find', 'aggregate', 'getMore']);

/**
 * Runs `body` and records every cursor batch the server sent to `client` (created with
 * `monitorCommands`) meanwhile, so a test can check that results really arrived over several
 * getMores rather than in one reply.
 */
export async function recordBatches<T>(
  client: MongoClient,
  body: () => Promise<T>,
): Promise<RecordedBatches<T>> {
  const batches: Batch[] = [];
  const listener = (event: CommandSucceededEvent) => {
    if (!CURSOR_COMMANDS.has(event.commandName)) return;
    const cursor = (event.reply as Document).cursor as Document | undefined;
    if (!cursor) return;
    const documents = (cursor.firstBatch ?? cursor.nextBatch) as unknown[];
    batches.push({
      command: event.commandName as Batch['command'],
      size: documents.length,
      cursorId: String(cursor.id),
    });
  };
  client.on('commandSucceeded', listener);
  try {
    const result = await body();
    return {
      result,
      batches,
      getMores: batches.filter((batch) => batch.command === 'getMore'),
    };
  } finally {
    client.off('commandSucceeded', listener);
  }
}

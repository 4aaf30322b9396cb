import { type CommandSucceededEvent, type Document, type MongoClient } from 'mongodb';

export interface Batch {
  command: 'find' | 'aggregate' | 'getMore';
  size: number;
  /** 0 once the server has closed the cursor. */
  cursorId: string;
}

export interface BatchRecording {
  readonly batches: Batch[];
  readonly getMores: Batch[];
  stop(): void;
}

const CURSOR_COMMANDS = new Set(['find', 'aggregate', 'getMore']);

/**
 * Records every cursor batch the server sends to `client` (created with `monitorCommands`), so a
 * test can check that results really arrived over several getMores rather than in one reply.
 */
export function recordBatches(client: MongoClient): BatchRecording {
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
  return {
    batches,
    get getMores() {
      return batches.filter((batch) => batch.command === 'getMore');
    },
    stop: () => {
      client.off('commandSucceeded', listener);
    },
  };
}

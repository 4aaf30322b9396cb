import { BSON, type Document, type MongoClient } from 'mongodb';

/** How many recent command exchanges a failing test prints; older ones are dropped. */
const TRANSCRIPT_LENGTH = 30;
const MAX_DOCUMENT_CHARS = 600;

/** Gossip fields every reply carries; they say nothing about the test and hide what does. */
const NOISE_FIELDS = ['$clusterTime', 'operationTime', 'lsid', '$db', 'signature'];

interface Exchange {
  sent: string;
  received?: string;
}

const exchanges: Exchange[] = [];
const pending = new Map<string, Exchange>();

function show(document: Document): string {
  const trimmed = Object.fromEntries(
    Object.entries(document).filter(([key]) => !NOISE_FIELDS.includes(key)),
  );
  const text = BSON.EJSON.stringify(trimmed, { relaxed: true });
  return text.length > MAX_DOCUMENT_CHARS ? `${text.slice(0, MAX_DOCUMENT_CHARS)}…` : text;
}

function exchangeKey(event: { requestId: number; address: string }): string {
  return `${event.address}#${event.requestId}`;
}

/**
 * Records every command `client` sends and the reply it gets, so that a failing `traced` test
 * can print the conversation. The client must have been created with `monitorCommands: true`.
 */
export function recordCommands(client: MongoClient): void {
  client.on('commandStarted', (event) => {
    const exchange: Exchange = { sent: `${event.databaseName}: ${show(event.command)}` };
    exchanges.push(exchange);
    if (exchanges.length > TRANSCRIPT_LENGTH) exchanges.shift();
    pending.set(exchangeKey(event), exchange);
  });
  client.on('commandSucceeded', (event) => {
    const exchange = pending.get(exchangeKey(event));
    pending.delete(exchangeKey(event));
    if (exchange) exchange.received = show(event.reply as Document);
  });
  client.on('commandFailed', (event) => {
    const exchange = pending.get(exchangeKey(event));
    pending.delete(exchangeKey(event));
    if (exchange) exchange.received = `FAILED ${event.failure.message}`;
  });
}

function transcript(): string {
  if (exchanges.length === 0) return '(no commands were sent)';
  return exchanges
    .map(({ sent, received }) => `  sent:     ${sent}\n  received: ${received ?? '(no reply)'}`)
    .join('\n');
}

/**
 * Wraps a test body so that, when it fails, the error also shows the last commands sent to the
 * server and what came back: a conformance failure is only useful with the exchange in view.
 */
export function traced(body: () => Promise<void>): () => Promise<void> {
  return async () => {
    exchanges.length = 0;
    pending.clear();
    try {
      await body();
    } catch (error) {
      const appendix = `\n\nLast commands of this test (oldest first):\n${transcript()}`;
      if (error instanceof Error) {
        error.message += appendix;
        throw error;
      }
      throw new Error(`${String(error)}${appendix}`, { cause: error });
    }
  };
}

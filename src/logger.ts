import { pino, stdSerializers, type DestinationStream, type Logger } from 'pino';

export type { Logger };

// MongoDB's duplicate-key errors end their message with the key (an email address, say).
const DUPLICATE_KEY_VALUE = /dup key: .*$/gm;

/**
 * Errors as logged: type, message, stack and MongoDB's code, and nothing else. Driver errors
 * carry the server's whole reply (and a duplicate key's value), so fields are chosen, not
 * copied; the message and stack lose the quoted key.
 */
function scrubbedError(error: Error): Record<string, unknown> {
  const { type, message, stack } = stdSerializers.err(error);
  const { code, codeName } = error as { code?: unknown; codeName?: unknown };
  const scrub = (text: string | undefined) =>
    text?.replace(DUPLICATE_KEY_VALUE, 'dup key: [redacted]');
  return { type, message: scrub(message), stack: scrub(stack), code, codeName };
}

/**
 * Structured JSON logs, on stdout unless a destination is given. Ids go in as keys; personal
 * data never goes in at all.
 */
export function createLogger(level: string = 'info', destination?: DestinationStream): Logger {
  return pino(
    { level, base: { service: 'customer-profile-gateway' }, serializers: { err: scrubbedError } },
    destination,
  );
}

import { isSpanContextValid, trace } from '@opentelemetry/api';
import { pino, stdSerializers, type DestinationStream, type Logger } from 'pino';

import { redactDuplicateKey } from './db/duplicate-key';

export type { Logger };

/**
 * Errors as logged: type, message, stack and MongoDB's code, and nothing else. Driver errors
 * carry the server's whole reply (and a duplicate key's value), so fields are chosen, not
 * copied; the message and stack lose the quoted key.
 */
function scrubbedError(error: Error): Record<string, unknown> {
  const { type, message, stack } = stdSerializers.err(error);
  const { code, codeName } = error as { code?: unknown; codeName?: unknown };
  const safeMessage = message === undefined ? undefined : redactDuplicateKey(message);
  // The stack begins with the message: swap in the redacted one, keep the frames.
  const safeStack =
    stack && message && safeMessage !== message ? stack.replace(message, safeMessage ?? '') : stack;
  return { type, message: safeMessage, stack: safeStack, code, codeName };
}

/**
 * The trace and span of the work being logged, when tracing is on (see src/tracing.ts), so that
 * every line of a request can be found from its trace and back. Without tracing there is no
 * span and nothing is added. A span that has ended still names its trace: the access log line
 * is written once the response is sent, after the HTTP span closed.
 */
function traceIds(): Record<string, string> {
  const context = trace.getActiveSpan()?.spanContext();
  if (!context || !isSpanContextValid(context)) return {};
  return { traceId: context.traceId, spanId: context.spanId };
}

/**
 * Structured JSON logs, on stdout unless a destination is given. Ids go in as keys; personal
 * data never goes in at all.
 */
export function createLogger(level: string = 'info', destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'customer-profile-gateway' },
      serializers: { err: scrubbedError },
      mixin: traceIds,
    },
    destination,
  );
}

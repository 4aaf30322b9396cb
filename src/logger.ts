import { pino, type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs on stdout. Ids go in as keys; personal data never goes in at all. */
export function createLogger(level: string = 'info'): Logger {
  return pino({ level, base: { service: 'customer-profile-gateway' } });
}

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';

import { TEST_UNSUBSCRIBE_SECRET } from '../../support/tokens';

const PROJECT_ROOT = path.resolve(__dirname, '../../..');
/** A first start compiles the gateway; on a busy 2-core machine that takes a while. */
const STARTUP_TIMEOUT_MS = 120_000;

export type LogEntry = Record<string, unknown> & { msg?: string };

/** The gateway as `npm start` runs it (src/main.ts), in a process of its own. */
export interface GatewayProcess {
  url: string;
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: string | null }>;
  /** Every JSON log line so far. */
  logs(): LogEntry[];
  /** Resolves with the first log line (past or future) that `matches`. */
  waitForLog(matches: (entry: LogEntry) => boolean, what: string): Promise<LogEntry>;
}

/** Starts src/main.ts with `env` (on top of nothing from this process but PATH) at debug level. */
export async function startGatewayProcess(env: NodeJS.ProcessEnv): Promise<GatewayProcess> {
  const child = spawn(process.execPath, ['scripts/run-ts.mjs', 'src/main.ts'], {
    cwd: PROJECT_ROOT,
    env: {
      PATH: process.env.PATH,
      LOG_LEVEL: 'debug',
      PORT: '0',
      UNSUBSCRIBE_SECRET: TEST_UNSUBSCRIBE_SECRET,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const entries: LogEntry[] = [];
  const waiters: { matches: (entry: LogEntry) => boolean; resolve(entry: LogEntry): void }[] = [];
  let output = '';
  let partial = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.startsWith('{')) continue;
      const entry = JSON.parse(line) as LogEntry;
      entries.push(entry);
      for (const waiter of waiters.splice(0)) {
        if (waiter.matches(entry)) waiter.resolve(entry);
        else waiters.push(waiter);
      }
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as string | null,
  }));

  const waitForLog = (matches: (entry: LogEntry) => boolean, what: string) => {
    const found = entries.find(matches);
    if (found) return Promise.resolve(found);
    return new Promise<LogEntry>((resolve, reject) => {
      waiters.push({ matches, resolve });
      void exited.then(({ code, signal }) =>
        reject(new Error(`exited (${code ?? signal}) before logging ${what}; output:\n${output}`)),
      );
    });
  };

  let timer: NodeJS.Timeout | undefined;
  const ready = await Promise.race([
    waitForLog((entry) => entry.msg === 'gateway ready', 'gateway ready'),
    new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`not ready within ${STARTUP_TIMEOUT_MS} ms; output:\n${output}`));
      }, STARTUP_TIMEOUT_MS);
    }),
  ]).finally(() => clearTimeout(timer));

  return { url: String(ready.url), child, exited, logs: () => entries, waitForLog };
}

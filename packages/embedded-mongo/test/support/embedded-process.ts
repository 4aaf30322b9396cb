import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';

const PACKAGE_ROOT = path.resolve(__dirname, '../..');
const CLI = 'src/cli.ts';
/** ts-node compiles the server on every start; on a 2-core machine that takes a while. */
const STARTUP_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 20_000;
const URI_PATTERN = /mongodb:\/\/[^\s'"]+/;
const OUTPUT_KEPT_CHARS = 4_000;

/** The embedded server running as its own process, as its `embedded-mongo` command starts it. */
export interface EmbeddedProcess {
  readonly uri: string;
  readonly child: ChildProcess;
  /** Everything the process printed so far, for failure messages. */
  output(): string;
  /** Sends `signal` and waits until the process has exited. */
  stop(signal: 'SIGTERM' | 'SIGKILL'): Promise<{ code: number | null; signal: string | null }>;
}

/**
 * Starts `node -r ts-node/register/transpile-only src/cli.ts` on `port` (a free one
 * by default) with its data in `dataDir`, and resolves once it has printed the URI it listens on.
 */
export async function startEmbeddedProcess(dataDir: string, port = 0): Promise<EmbeddedProcess> {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', CLI], {
    cwd: PACKAGE_ROOT,
    env: {
      ...process.env,
      EMBEDDED_MONGO_DATA: dataDir,
      EMBEDDED_MONGO_PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const remember = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-OUTPUT_KEPT_CHARS);
  };
  child.stdout?.on('data', remember);
  child.stderr?.on('data', remember);
  const exited = once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as string | null,
  }));

  const uri = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no mongodb:// URI within ${STARTUP_TIMEOUT_MS} ms; output:\n${output}`));
    }, STARTUP_TIMEOUT_MS);
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = URI_PATTERN.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(match[0]);
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(
        new Error(
          `the server exited (code ${code}, signal ${signal}) before printing a URI; output:\n${output}`,
        ),
      );
    });
  });

  return {
    uri,
    child,
    output: () => output,
    async stop(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`the server did not exit within ${STOP_TIMEOUT_MS} ms of ${signal}`));
        }, STOP_TIMEOUT_MS);
      });
      try {
        return await Promise.race([exited, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

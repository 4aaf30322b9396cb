import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { join } from 'node:path';

import { testDatabaseUri, uniqueDatabaseName } from '../support/database';
import {
  staffToken,
  TEST_ISSUER,
  TEST_JWT_SECRET,
  TEST_UNSUBSCRIBE_SECRET,
} from '../support/tokens';

interface ExportedSpan {
  traceId: string;
  name: string;
  scope: string;
}

interface OtlpJson {
  resourceSpans?: {
    scopeSpans?: { scope?: { name?: string }; spans?: { traceId: string; name: string }[] }[];
  }[];
}

/** An OTLP/HTTP (JSON) receiver on loopback that keeps every span it is sent. */
async function startReceiver(): Promise<{ server: Server; url: string; spans: ExportedSpan[] }> {
  const spans: ExportedSpan[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const payload = JSON.parse(body) as OtlpJson;
      for (const resource of payload.resourceSpans ?? []) {
        for (const scoped of resource.scopeSpans ?? []) {
          for (const span of scoped.spans ?? []) {
            spans.push({ traceId: span.traceId, name: span.name, scope: scoped.scope?.name ?? '' });
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans };
}

/** Resolves once `check` holds, polling; the test's own timeout bounds the wait. */
async function eventually<T>(check: () => T | undefined): Promise<T> {
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Tracing patches modules as Node loads them, which Jest's own module loader bypasses: so the
 * gateway runs here as `npm start` runs it, in a process of its own.
 */
describe('OpenTelemetry traces', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let gateway: ChildProcess;
  const logLines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    receiver = await startReceiver();
    const root = join(__dirname, '..', '..');
    gateway = spawn(
      process.execPath,
      [join(root, 'scripts/run-ts.mjs'), join(root, 'src/main.ts')],
      {
        cwd: root,
        env: {
          PATH: process.env.PATH,
          NODE_ENV: 'test',
          HOST: '127.0.0.1',
          PORT: '0',
          LOG_LEVEL: 'debug',
          MONGODB_URI: testDatabaseUri(),
          MONGODB_DATABASE: uniqueDatabaseName('tracing'),
          SEED_DEMO_DATA: 'false',
          AUTH_JWT_SECRET: TEST_JWT_SECRET,
          AUTH_JWT_ISSUER: TEST_ISSUER,
          UNSUBSCRIBE_SECRET: TEST_UNSUBSCRIBE_SECRET,
          PUBLIC_URL: 'http://localhost',
          OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
          // The SDK's own setting: export every tenth of a second instead of every five.
          OTEL_BSP_SCHEDULE_DELAY: '100',
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let pending = '';
    gateway.stdout?.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (line.startsWith('{')) logLines.push(JSON.parse(line) as Record<string, unknown>);
      }
    });
  }, 120_000);

  afterAll(async () => {
    if (gateway.exitCode === null) {
      gateway.kill('SIGTERM');
      await once(gateway, 'exit');
    }
    receiver.server.close();
  });

  it('gives one request spans for HTTP, GraphQL and MongoDB under one trace id, in its log lines', async () => {
    const ready = await eventually(() => {
      if (gateway.exitCode !== null) throw new Error(`the gateway exited (${gateway.exitCode})`);
      return logLines.find((line) => line.msg === 'gateway ready');
    });
    const requestId = 'trace-test-request';
    const response = await fetch(String(ready.url), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${await staffToken()}`,
        'x-request-id': requestId,
      },
      body: JSON.stringify({
        query: 'query Lookup($id: ID!) { customer(id: $id) { id } }',
        variables: { id: '64b7f0c2a1b2c3d4e5f60718' },
      }),
    });
    expect(response.status).toBe(200);

    const requestLines = await eventually(() => {
      const lines = logLines.filter((line) => line.requestId === requestId);
      return lines.some((line) => line.msg === 'request') ? lines : undefined;
    });
    const traceIds = new Set(requestLines.map((line) => line.traceId));
    expect(traceIds.size).toBe(1);
    const [traceId] = traceIds;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);

    const scopes = await eventually(() => {
      const found = new Set(
        receiver.spans.filter((span) => span.traceId === traceId).map((span) => span.scope),
      );
      const wanted = [
        '@opentelemetry/instrumentation-http',
        '@opentelemetry/instrumentation-graphql',
        '@opentelemetry/instrumentation-mongodb',
      ];
      return wanted.every((scope) => found.has(scope)) ? [...found] : undefined;
    });
    expect(scopes).toEqual(
      expect.arrayContaining([
        '@opentelemetry/instrumentation-http',
        '@opentelemetry/instrumentation-graphql',
        '@opentelemetry/instrumentation-mongodb',
      ]),
    );
  }, 120_000);
});

import { once } from 'node:events';
import { request, type IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';

import { MongoClient } from 'mongodb';

import { Brand } from '../../src/modules/customers/brand';
import { accountInput, UPSERT_BRAND_ACCOUNT } from '../support/builders';
import { testDatabaseUri, uniqueDatabaseName } from '../support/database';
import { brandToken, TEST_JWT_SECRET } from '../support/tokens';
import { startGatewayProcess, type GatewayProcess } from './support/gateway-process';

const IN_FLIGHT = 20;

interface Answer {
  status: number;
  body: { data?: { upsertBrandAccount?: { id: string } }; errors?: unknown[] };
}

function readAnswer(response: IncomingMessage): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let text = '';
    response.on('data', (chunk: Buffer) => (text += chunk.toString()));
    response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) }));
    response.on('error', reject);
  });
}

/**
 * A mutation whose body is sent in two halves: between them the gateway has the request in
 * flight (its headers read, its body still coming), on a connection of its own.
 */
function splitMutation(url: string, requestId: string, body: string, token: string) {
  const half = Math.floor(body.length / 2);
  const req = request(url, {
    method: 'POST',
    agent: false,
    headers: {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      authorization: `Bearer ${token}`,
      'x-request-id': requestId,
    },
  });
  const answer = new Promise<Answer>((resolve, reject) => {
    req.on('response', (response) => resolve(readAnswer(response)));
    req.on('error', reject);
  });
  // Marked handled: if the test fails early, the child is killed and these fail unwatched.
  answer.catch(() => undefined);
  req.write(body.slice(0, half));
  return { answer, finish: () => req.end(body.slice(half)) };
}

/** 'connected', or the error code of a fresh TCP connection to the gateway's port. */
function connectOutcome(url: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(Number(new URL(url).port), '127.0.0.1');
    socket.on('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

/** Resolves once `check` holds, asking again after each answer (a condition, not a delay). */
async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setImmediate(resolve));
}

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The HTTP/1.1 responses in what one connection received, in order (sized or chunked bodies). */
function parseResponses(bytes: Buffer): RawResponse[] {
  const responses: RawResponse[] = [];
  let offset = 0;
  for (;;) {
    const headEnd = bytes.indexOf('\r\n\r\n', offset);
    if (headEnd < 0) return responses;
    const [statusLine, ...lines] = bytes.subarray(offset, headEnd).toString('latin1').split('\r\n');
    const headers = Object.fromEntries(
      lines.map((line) => {
        const colon = line.indexOf(':');
        return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
      }),
    );
    let cursor = headEnd + 4;
    const chunks: Buffer[] = [];
    if (headers['transfer-encoding'] === 'chunked') {
      for (;;) {
        const sizeEnd = bytes.indexOf('\r\n', cursor);
        const size = parseInt(bytes.subarray(cursor, sizeEnd).toString('latin1'), 16);
        cursor = sizeEnd + 2;
        if (size === 0) break;
        chunks.push(bytes.subarray(cursor, cursor + size));
        cursor += size + 2;
      }
      cursor += 2;
    } else {
      const length = Number(headers['content-length'] ?? 0);
      chunks.push(bytes.subarray(cursor, cursor + length));
      cursor += length;
    }
    responses.push({
      status: Number(statusLine.split(' ')[1]),
      headers,
      body: Buffer.concat(chunks).toString('utf8'),
    });
    offset = cursor;
  }
}

/** Everything `socket` receives until the other side ends the connection. */
function receivedUntilClosed(socket: Socket): Promise<Buffer> {
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  return new Promise((resolve, reject) => {
    socket.once('close', () => resolve(Buffer.concat(chunks)));
    socket.once('error', reject);
  });
}

describe('shutdown on SIGTERM', () => {
  const database = uniqueDatabaseName('shutdown');
  let gateway: GatewayProcess;
  let client: MongoClient;
  const startGateway = () =>
    startGatewayProcess({
      NODE_ENV: 'test',
      MONGODB_URI: testDatabaseUri(),
      MONGODB_DATABASE: database,
      AUTH_JWT_SECRET: TEST_JWT_SECRET,
      SEED_DEMO_DATA: 'false',
      SHUTDOWN_GRACE_MS: '60000',
    });

  beforeAll(async () => {
    client = await new MongoClient(testDatabaseUri()).connect();
    gateway = await startGateway();
  }, 180_000);

  afterAll(async () => {
    if (gateway.child.exitCode === null) gateway.child.kill('SIGKILL');
    await client.db(database).dropDatabase();
    await client.close();
  });

  it('finishes every request in flight, stores every acknowledged mutation and exits 0', async () => {
    const token = await brandToken(Brand.JOHN_LEWIS);
    const inputs = Array.from({ length: IN_FLIGHT }, () =>
      accountInput({ brand: Brand.JOHN_LEWIS }),
    );
    const requests = inputs.map((input, index) =>
      splitMutation(
        gateway.url,
        `burst-${index}`,
        JSON.stringify({ query: UPSERT_BRAND_ACCOUNT, variables: { input } }),
        token,
      ),
    );
    // Every request is in flight: the gateway has read its headers.
    await Promise.all(
      requests.map((_request, index) =>
        gateway.waitForLog(
          (entry) => entry.msg === 'request received' && entry.requestId === `burst-${index}`,
          `request burst-${index}`,
        ),
      ),
    );

    gateway.child.kill('SIGTERM');
    await gateway.waitForLog((entry) => entry.msg === 'stopping', 'stopping');
    // The drain stops listening as its first step: from then on a connection is refused,
    // while every request above is still in flight.
    await until(async () => (await connectOutcome(gateway.url)) === 'ECONNREFUSED');

    for (const each of requests) each.finish();
    const answers = await Promise.all(requests.map((each) => each.answer));
    expect(answers.filter((answer) => answer.status !== 200 || answer.body.errors)).toEqual([]);
    expect(await gateway.exited).toEqual({ code: 0, signal: null });

    const stored = await client
      .db(database)
      .collection('brandAccounts')
      .countDocuments({ accountId: { $in: inputs.map((input) => input.accountId) } });
    expect(stored).toBe(IN_FLIGHT);
    // The whole stop ran, database connection included, before the exit.
    expect(gateway.logs().some((entry) => entry.msg === 'stopped')).toBe(true);
  }, 120_000);

  it('answers /readyz 503 at once, on a connection kept alive through the shutdown', async () => {
    const second = await startGateway();
    try {
      const { port } = new URL(second.url);
      const input = accountInput({ brand: Brand.JOHN_LEWIS });
      const body = JSON.stringify({ query: UPSERT_BRAND_ACCOUNT, variables: { input } });
      const half = Math.floor(body.length / 2);
      const socket = connect(Number(port), '127.0.0.1');
      await once(socket, 'connect');
      const received = receivedUntilClosed(socket);
      socket.write(
        [
          'POST /graphql HTTP/1.1',
          `Host: 127.0.0.1:${port}`,
          'Connection: keep-alive',
          'Content-Type: application/json',
          `Content-Length: ${Buffer.byteLength(body)}`,
          `Authorization: Bearer ${await brandToken(Brand.JOHN_LEWIS)}`,
          'X-Request-Id: keep-alive-mutation',
          '',
          body.slice(0, half),
        ].join('\r\n'),
      );
      await second.waitForLog(
        (entry) => entry.msg === 'request received' && entry.requestId === 'keep-alive-mutation',
        'the mutation received',
      );

      second.child.kill('SIGTERM');
      await second.waitForLog((entry) => entry.msg === 'stopping', 'stopping');
      // The rest of the mutation, and straight after it on the same connection a readiness probe.
      socket.write(
        `${body.slice(half)}GET /readyz HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n` +
          'X-Request-Id: keep-alive-readyz\r\n\r\n',
      );

      const [mutation, readiness, ...more] = parseResponses(await received);
      expect(more).toEqual([]);
      expect(mutation.status).toBe(200);
      expect(JSON.parse(mutation.body)).toEqual({
        data: { upsertBrandAccount: expect.objectContaining({ id: expect.any(String) }) },
      });
      expect({ status: readiness.status, body: JSON.parse(readiness.body) }).toEqual({
        status: 503,
        body: { status: 'unavailable', reason: 'shutting down' },
      });
      expect(await second.exited).toEqual({ code: 0, signal: null });
    } finally {
      if (second.child.exitCode === null) second.child.kill('SIGKILL');
    }
  }, 180_000);
});

import { once } from 'node:events';
import { connect, type Socket } from 'node:net';

import { deserialize, serialize, type Document } from 'bson';

import { startEmbeddedServer, type EmbeddedServer } from '../../src';
import { MessageFramer } from '../../src/wire';

// The embedded server runs inside the gateway's process in development: one local client must
// not be able to make it hold unbounded memory, connections or CPU.

const OP_MSG = 2013;
let nextRequestId = 1;

function opMsg(body: Document): Buffer {
  const document = serialize(body);
  const header = Buffer.alloc(21);
  header.writeInt32LE(21 + document.length, 0);
  header.writeInt32LE(nextRequestId++, 4);
  header.writeInt32LE(OP_MSG, 12);
  return Buffer.concat([header, document]);
}

function replyDocuments(bytes: Buffer): Document[] {
  const documents: Document[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const length = bytes.readInt32LE(offset);
    documents.push(deserialize(bytes.subarray(offset + 21, offset + length)));
    offset += length;
  }
  return documents;
}

async function open(server: EmbeddedServer): Promise<Socket> {
  const socket = connect(server.port, '127.0.0.1');
  // A connection the server closes mid-write is reset: the tests check the close, not the reset.
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  return socket;
}

/** Resolves when the socket closes, reset or not (`once` would reject on the reset). */
function closing(socket: Socket): Promise<void> {
  return new Promise((resolve) => socket.once('close', () => resolve()));
}

/** Sends a ping and waits for its reply: the server has accepted and is serving the socket. */
async function ping(socket: Socket): Promise<Document> {
  socket.write(opMsg({ ping: 1, $db: 'admin' }));
  const [chunk] = (await once(socket, 'data')) as [Buffer];
  return replyDocuments(chunk)[0];
}

describe('message framing', () => {
  it('copies each byte once however the stream is cut, even after a first chunk under 4 bytes', () => {
    const message = opMsg({ insert: 'c', documents: [{ text: 'x'.repeat(1_000_000) }], $db: 'd' });
    const framer = new MessageFramer();
    const concat = jest.spyOn(Buffer, 'concat');
    try {
      const messages = [...framer.push(message.subarray(0, 2))];
      for (let offset = 2; offset < message.length; offset += 1000) {
        messages.push(...framer.push(message.subarray(offset, offset + 1000)));
      }
      const copied = concat.mock.calls.reduce(
        (total, [pieces]) => total + pieces.reduce((sum, piece) => sum + piece.length, 0),
        0,
      );
      expect(messages).toHaveLength(1);
      expect(messages[0].equals(message)).toBe(true);
      expect(copied).toBeLessThanOrEqual(message.length + 4);
      expect(framer.bufferedBytes).toBe(0);
    } finally {
      concat.mockRestore();
    }
  });
});

describe('connection limits', () => {
  let server: EmbeddedServer;
  const sockets: Socket[] = [];

  beforeEach(async () => {
    server = await startEmbeddedServer({
      maxIncomingConnections: 2,
      maxBufferedBytes: 1_000_000,
      incompleteMessageTimeoutMs: 50,
    });
  });

  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    await server.close();
  });

  it('closes connections beyond maxIncomingConnections as they arrive', async () => {
    for (let i = 0; i < 2; i++) {
      sockets.push(await open(server));
      expect(await ping(sockets[i])).toMatchObject({ ok: 1 });
    }
    const closed = once(server.events, 'connectionClosed');
    const third = await open(server);
    const thirdClosed = closing(third);
    sockets.push(third);
    expect((await closed)[1]).toBe('too many connections');
    expect(server.stats().connections).toBe(2);
    await thirdClosed;
  });

  it('closes a connection whose unfinished message would pass maxBufferedBytes', async () => {
    const socket = await open(server);
    const socketClosed = closing(socket);
    sockets.push(socket);
    const message = opMsg({ insert: 'c', documents: [{ text: 'x'.repeat(2_000_000) }], $db: 'd' });
    const closed = once(server.events, 'connectionClosed');
    socket.write(message.subarray(0, 1_500_000));
    expect((await closed)[1]).toBe('buffer limit');
    expect(server.stats()).toMatchObject({ bufferedBytes: 0, connections: 0 });
    await socketClosed;
  });

  it('closes a connection that leaves a message half-sent past the timeout', async () => {
    const socket = await open(server);
    const socketClosed = closing(socket);
    sockets.push(socket);
    const closed = once(server.events, 'connectionClosed');
    socket.write(opMsg({ ping: 1, $db: 'admin' }).subarray(0, 10));
    expect((await closed)[1]).toBe('incomplete message timeout');
    expect(server.stats()).toMatchObject({ bufferedBytes: 0, connections: 0 });
    await socketClosed;
  });
});

describe('a client that never reads its replies', () => {
  let server: EmbeddedServer;

  beforeAll(async () => {
    server = await startEmbeddedServer();
  });

  afterAll(() => server.close());

  it('makes the server stop reading requests, holding at most one unsent reply', async () => {
    const seed = await open(server);
    const text = 'x'.repeat(1024 * 1024);
    seed.write(opMsg({ insert: 'c', documents: [{ _id: 1, text }], $db: 'slow' }));
    await once(seed, 'data');
    seed.destroy();

    const socket = await open(server);
    socket.pause();
    const requests = 64;
    const blocked = once(server.events, 'writeBlocked');
    for (let i = 0; i < requests; i++) {
      socket.write(opMsg({ find: 'c', filter: { _id: 1 }, $db: 'slow' }));
    }
    await blocked;
    const replySize = opMsg({ cursor: { firstBatch: [{ _id: 1, text }] } }).length;
    expect(server.stats().unsentBytes).toBeLessThanOrEqual(replySize + 1024);

    // Once the client reads, every request is answered, in order.
    let received = Buffer.alloc(0);
    let answered = 0;
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      while (received.length >= 4 && received.length >= received.readInt32LE(0)) {
        const length = received.readInt32LE(0);
        expect(deserialize(received.subarray(21, length))).toMatchObject({ ok: 1 });
        received = received.subarray(length);
        answered++;
      }
      if (answered === requests) socket.emit('allAnswered');
    });
    const done = once(socket, 'allAnswered');
    socket.resume();
    await done;
    socket.destroy();
  });
});

import { connect, type Socket } from 'node:net';

import { deserialize, type Document, serialize } from 'bson';

import { startEmbeddedServer, type EmbeddedServer } from '../../src';

// Raw wire-protocol messages, built by hand so these tests do not depend on what the driver
// happens to send: legacy OP_QUERY handshakes and OP_MSG document sequences.

const OP_REPLY = 1;
const OP_QUERY = 2004;
const OP_MSG = 2013;
let nextRequestId = 1;

function frame(opCode: number, body: Buffer): { bytes: Buffer; requestId: number } {
  const requestId = nextRequestId++;
  const header = Buffer.alloc(16);
  header.writeInt32LE(16 + body.length, 0);
  header.writeInt32LE(requestId, 4);
  header.writeInt32LE(opCode, 12);
  return { bytes: Buffer.concat([header, body]), requestId };
}

function opQuery(namespace: string, query: Document) {
  const fixed = Buffer.alloc(8);
  fixed.writeInt32LE(0, 0);
  fixed.writeInt32LE(-1, 4);
  const flags = Buffer.alloc(4);
  return frame(
    OP_QUERY,
    Buffer.concat([flags, Buffer.from(`${namespace}\0`), fixed, serialize(query)]),
  );
}

function opMsg(body: Document, sequences: [string, Document[]][] = [], flags = 0) {
  const flagBits = Buffer.alloc(4);
  flagBits.writeUInt32LE(flags, 0);
  const parts: Uint8Array[] = [flagBits, Buffer.from([0]), serialize(body)];
  for (const [identifier, documents] of sequences) {
    const payload = Buffer.concat([
      Buffer.from(`${identifier}\0`),
      ...documents.map((d) => serialize(d)),
    ]);
    const size = Buffer.alloc(4);
    size.writeInt32LE(4 + payload.length, 0);
    parts.push(Buffer.from([1]), size, payload);
  }
  return frame(OP_MSG, Buffer.concat(parts));
}

class RawConnection {
  private buffer = Buffer.alloc(0);
  private waiting?: () => void;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.waiting?.();
    });
  }

  static open(port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(new RawConnection(socket)));
      socket.once('error', reject);
    });
  }

  send(message: { bytes: Buffer }): void {
    this.socket.write(message.bytes);
  }

  /** The next reply: its header fields and its single document. */
  async reply(): Promise<{ opCode: number; responseTo: number; document: Document }> {
    while (this.buffer.length < 4 || this.buffer.length < this.buffer.readInt32LE(0)) {
      await new Promise<void>((resolve) => (this.waiting = resolve));
    }
    const length = this.buffer.readInt32LE(0);
    const message = this.buffer.subarray(0, length);
    this.buffer = this.buffer.subarray(length);
    const opCode = message.readInt32LE(12);
    const documentStart = opCode === OP_REPLY ? 16 + 20 : 16 + 5;
    return {
      opCode,
      responseTo: message.readInt32LE(8),
      document: deserialize(message.subarray(documentStart)),
    };
  }

  close(): void {
    this.socket.destroy();
  }
}

describe('embedded server wire protocol', () => {
  let server: EmbeddedServer;
  let connection: RawConnection;

  beforeAll(async () => {
    server = await startEmbeddedServer();
    connection = await RawConnection.open(server.port);
  });

  afterAll(async () => {
    connection.close();
    await server.close();
  });

  it('answers a legacy OP_QUERY isMaster with OP_REPLY as a replica-set primary', async () => {
    const request = opQuery('admin.$cmd', { isMaster: 1, helloOk: true });
    connection.send(request);
    const reply = await connection.reply();
    expect(reply.opCode).toBe(OP_REPLY);
    expect(reply.responseTo).toBe(request.requestId);
    expect(reply.document).toMatchObject({
      ok: 1,
      ismaster: true,
      helloOk: true,
      setName: expect.any(String),
      maxWireVersion: expect.any(Number),
    });
  });

  it('accepts OP_MSG document sequences as the command array', async () => {
    const request = opMsg({ insert: 'people', $db: 'wire' }, [
      [
        'documents',
        [
          { _id: 1, name: 'Ada' },
          { _id: 2, name: 'Grace' },
        ],
      ],
    ]);
    connection.send(request);
    const reply = await connection.reply();
    expect(reply.opCode).toBe(OP_MSG);
    expect(reply.responseTo).toBe(request.requestId);
    expect(reply.document).toMatchObject({ ok: 1, n: 2 });

    connection.send(opMsg({ find: 'people', filter: {}, sort: { _id: 1 }, $db: 'wire' }));
    const found = await connection.reply();
    expect(found.document.cursor.firstBatch).toEqual([
      { _id: 1, name: 'Ada' },
      { _id: 2, name: 'Grace' },
    ]);
  });

  it('sends no reply to a moreToCome write, yet applies it', async () => {
    const moreToCome = 1 << 1;
    connection.send(
      opMsg(
        { insert: 'people', $db: 'wire', writeConcern: { w: 0 } },
        [['documents', [{ _id: 3 }]]],
        moreToCome,
      ),
    );
    const ping = opMsg({ count: 'people', $db: 'wire' });
    connection.send(ping);
    const reply = await connection.reply();
    expect(reply.responseTo).toBe(ping.requestId);
    expect(reply.document).toMatchObject({ ok: 1, n: 3 });
  });

  it('closes a connection announcing a message over maxMessageSizeBytes, as mongod does', async () => {
    const oversized = await RawConnection.open(server.port);
    const closed = new Promise<string>((resolve) =>
      server.events.once('connectionClosed', (_id, reason) => resolve(reason)),
    );
    const header = Buffer.alloc(16);
    header.writeInt32LE(48_000_001, 0);
    header.writeInt32LE(OP_MSG, 12);
    oversized.send({ bytes: header });
    expect(await closed).toBe('malformed message');
    oversized.close();
  });

  it('refuses unknown commands and fields in MongoDB error shape', async () => {
    connection.send(opMsg({ frobnicate: 1, $db: 'wire' }));
    expect((await connection.reply()).document).toEqual({
      ok: 0,
      errmsg: "no such command: 'frobnicate'",
      code: 59,
      codeName: 'CommandNotFound',
    });
    connection.send(opMsg({ find: 'people', frobnicate: true, $db: 'wire' }));
    expect((await connection.reply()).document).toMatchObject({
      ok: 0,
      code: 40415,
      errmsg: "BSON field 'find.frobnicate' is an unknown field.",
    });
  });
});

import { deserialize, type Document, serialize } from 'bson';

/** Wire-protocol opcodes this server speaks. OP_COMPRESSED is never negotiated, so never sent. */
export const OpCode = { REPLY: 1, QUERY: 2004, MSG: 2013 } as const;

const HEADER_SIZE = 16;
const MSG_FLAG_CHECKSUM_PRESENT = 1 << 0;
const MSG_FLAG_MORE_TO_COME = 1 << 1;
const KNOWN_MSG_FLAGS = MSG_FLAG_CHECKSUM_PRESENT | MSG_FLAG_MORE_TO_COME | (1 << 16);

/** The largest message accepted, as advertised in `hello.maxMessageSizeBytes`. */
export const MAX_MESSAGE_SIZE = 48_000_000;

export interface IncomingCommand {
  requestId: number;
  opCode: number;
  /** The command document, with OP_MSG document sequences folded in as arrays. */
  command: Document;
  /** The database the command addresses (`$db`, or the OP_QUERY namespace). */
  database: string;
  /** OP_MSG moreToCome: the client expects no reply. */
  noReply: boolean;
}

export class WireProtocolError extends Error {}

const DESERIALIZE_OPTIONS = { promoteLongs: true, promoteValues: true } as const;

function readCString(buffer: Buffer, offset: number): [string, number] {
  const end = buffer.indexOf(0, offset);
  if (end < 0) throw new WireProtocolError('unterminated cstring');
  return [buffer.toString('utf8', offset, end), end + 1];
}

function readDocument(buffer: Buffer, offset: number): [Document, number] {
  const size = buffer.readInt32LE(offset);
  if (size < 5 || offset + size > buffer.length) throw new WireProtocolError('bad document size');
  return [deserialize(buffer.subarray(offset, offset + size), DESERIALIZE_OPTIONS), offset + size];
}

function decodeOpMsg(requestId: number, body: Buffer): IncomingCommand {
  const flags = body.readUInt32LE(0);
  if ((flags & ~KNOWN_MSG_FLAGS) !== 0) throw new WireProtocolError('unknown OP_MSG flag bits');
  const end = flags & MSG_FLAG_CHECKSUM_PRESENT ? body.length - 4 : body.length;
  let offset = 4;
  let command: Document | undefined;
  const sequences: [string, Document[]][] = [];
  while (offset < end) {
    const kind = body.readUInt8(offset);
    offset += 1;
    if (kind === 0) {
      [command, offset] = readDocument(body, offset);
    } else if (kind === 1) {
      const sectionEnd = offset + body.readInt32LE(offset);
      let identifier: string;
      [identifier, offset] = readCString(body, offset + 4);
      const documents: Document[] = [];
      while (offset < sectionEnd) {
        let document: Document;
        [document, offset] = readDocument(body, offset);
        documents.push(document);
      }
      sequences.push([identifier, documents]);
    } else {
      throw new WireProtocolError(`unknown OP_MSG section kind ${kind}`);
    }
  }
  if (!command) throw new WireProtocolError('OP_MSG without a body section');
  for (const [identifier, documents] of sequences) command[identifier] = documents;
  const database = command.$db;
  if (typeof database !== 'string') throw new WireProtocolError('OP_MSG command without $db');
  return {
    requestId,
    opCode: OpCode.MSG,
    command,
    database,
    noReply: (flags & MSG_FLAG_MORE_TO_COME) !== 0,
  };
}

function decodeOpQuery(requestId: number, body: Buffer): IncomingCommand {
  const [namespace, afterName] = readCString(body, 4);
  const [query] = readDocument(body, afterName + 8);
  const database = namespace.split('.')[0];
  if (!namespace.endsWith('.$cmd')) {
    throw new WireProtocolError('OP_QUERY is only supported for commands');
  }
  // Legacy drivers wrap the command as { $query: {...}, $readPreference: ... }.
  const command = typeof query.$query === 'object' ? query.$query : query;
  return { requestId, opCode: OpCode.QUERY, command, database, noReply: false };
}

/** Decodes one whole message (header included). */
export function decodeMessage(message: Buffer): IncomingCommand {
  const requestId = message.readInt32LE(4);
  const opCode = message.readInt32LE(12);
  const body = message.subarray(HEADER_SIZE);
  if (opCode === OpCode.MSG) return decodeOpMsg(requestId, body);
  if (opCode === OpCode.QUERY) return decodeOpQuery(requestId, body);
  throw new WireProtocolError(`unsupported opcode ${opCode}`);
}

function header(length: number, requestId: number, responseTo: number, opCode: number): Buffer {
  const buffer = Buffer.alloc(HEADER_SIZE);
  buffer.writeInt32LE(length, 0);
  buffer.writeInt32LE(requestId, 4);
  buffer.writeInt32LE(responseTo, 8);
  buffer.writeInt32LE(opCode, 12);
  return buffer;
}

const SERIALIZE_OPTIONS = { checkKeys: false, ignoreUndefined: true } as const;

/** Encodes a reply in the opcode the request came in. */
export function encodeReply(
  request: Pick<IncomingCommand, 'requestId' | 'opCode'>,
  responseId: number,
  reply: Document,
): Buffer {
  const document = serialize(reply, SERIALIZE_OPTIONS);
  if (request.opCode === OpCode.QUERY) {
    // responseFlags 0, cursorID 0, startingFrom 0, numberReturned 1.
    const prefix = Buffer.alloc(20);
    prefix.writeInt32LE(1, 16);
    const length = HEADER_SIZE + prefix.length + document.length;
    return Buffer.concat([
      header(length, responseId, request.requestId, OpCode.REPLY),
      prefix,
      document,
    ]);
  }
  const flagsAndKind = Buffer.alloc(5);
  const length = HEADER_SIZE + flagsAndKind.length + document.length;
  return Buffer.concat([
    header(length, responseId, request.requestId, OpCode.MSG),
    flagsAndKind,
    document,
  ]);
}

/**
 * Splits a TCP byte stream into whole messages. Messages can arrive split across chunks or
 * several to a chunk. Each byte is copied at most once, however the stream is cut: a message
 * is joined from its pieces only when its last piece arrives.
 */
export class MessageFramer {
  private pieces: Buffer[] = [];
  private buffered = 0;
  /** Length of the message being assembled; 0 until its first four bytes have arrived. */
  private expected = 0;

  /** Bytes of the unfinished message held. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  push(chunk: Buffer): Buffer[] {
    const messages: Buffer[] = [];
    let offset = 0;
    while (offset < chunk.length) {
      if (this.expected === 0) {
        if (this.buffered === 0 && chunk.length - offset >= 4) {
          this.expected = checkedLength(chunk.readInt32LE(offset));
        } else {
          // The length itself is split: gather its four bytes, and only those, first.
          const take = Math.min(4 - this.buffered, chunk.length - offset);
          this.keep(chunk.subarray(offset, offset + take));
          offset += take;
          if (this.buffered < 4) break;
          const head = Buffer.concat(this.pieces, 4);
          this.pieces = [head];
          this.expected = checkedLength(head.readInt32LE(0));
          continue;
        }
      }
      const take = Math.min(this.expected - this.buffered, chunk.length - offset);
      const piece = chunk.subarray(offset, offset + take);
      offset += take;
      if (this.buffered === 0 && take === this.expected) {
        messages.push(piece);
      } else {
        this.keep(piece);
        if (this.buffered < this.expected) break;
        messages.push(Buffer.concat(this.pieces, this.expected));
      }
      this.pieces = [];
      this.buffered = 0;
      this.expected = 0;
    }
    return messages;
  }

  private keep(piece: Buffer): void {
    this.pieces.push(piece);
    this.buffered += piece.length;
  }
}

function checkedLength(length: number): number {
  if (length < HEADER_SIZE || length > MAX_MESSAGE_SIZE) {
    throw new WireProtocolError(`invalid message length ${length}`);
  }
  return length;
}

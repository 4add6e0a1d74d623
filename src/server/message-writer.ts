/**
 * Builds backend messages into one growing buffer and writes it to the socket
 * on flush(), honouring backpressure: flush() resolves once the socket has
 * taken the bytes or, when its buffer is full, once it drains (or closes).
 *
 * Layouts follow the PostgreSQL manual, "Message Formats": a type byte, an
 * int32 length counting itself and the body, then the body. Strings are
 * NUL-terminated UTF-8; a NUL inside a string is dropped so it cannot end the
 * field early.
 */
import type { Socket } from 'node:net';
import { pgTypeLength, pgTypeOid, pgTypmod } from '../../catalog/types.ts';
import type { ResultColumn, TransactionStatus } from '../session/api.ts';
import { assert } from '../errors.ts';
import { Backend } from './protocol-codes.ts';
import { vectorTypeOid } from './catalog-vectors.ts';

const INITIAL_CAPACITY = 16 * 1024;

export class MessageWriter {
  readonly #socket: Socket;
  #buf: Buffer = Buffer.allocUnsafe(INITIAL_CAPACITY);
  #pos = 0;
  /** Offset of the length field of the message being built, or -1. */
  #lengthAt = -1;

  constructor(socket: Socket) {
    this.#socket = socket;
  }

  /** Bytes built but not yet handed to the socket. */
  get pendingBytes(): number {
    return this.#pos;
  }

  /** Hands everything built so far to the socket; waits for 'drain' when the socket is saturated. */
  async flush(): Promise<void> {
    assert(this.#lengthAt < 0, 'flush inside a message');
    if (this.#pos === 0) return;
    const out = this.#buf.subarray(0, this.#pos);
    this.#buf = Buffer.allocUnsafe(INITIAL_CAPACITY);
    this.#pos = 0;
    const socket = this.#socket;
    if (socket.destroyed || !socket.writable) return;
    if (socket.write(out)) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        socket.off('drain', done);
        socket.off('close', done);
        resolve();
      };
      socket.on('drain', done);
      socket.on('close', done);
    });
  }

  // ------------------------------------------------------------ primitives

  /** Starts a message of `type`; end() fills in its length. */
  begin(type: number): void {
    assert(this.#lengthAt < 0, 'nested message');
    this.#ensure(5);
    this.#buf[this.#pos] = type;
    this.#lengthAt = this.#pos + 1;
    this.#pos += 5;
  }

  end(): void {
    assert(this.#lengthAt >= 0, 'end without begin');
    this.#buf.writeInt32BE(this.#pos - this.#lengthAt, this.#lengthAt);
    this.#lengthAt = -1;
  }

  /** Drops the message being built (its value could not be encoded). */
  abandon(): void {
    assert(this.#lengthAt >= 0, 'abandon without begin');
    this.#pos = this.#lengthAt - 1;
    this.#lengthAt = -1;
  }

  int8(v: number): void {
    this.#ensure(1);
    this.#buf[this.#pos++] = v & 0xff;
  }

  int16(v: number): void {
    this.#ensure(2);
    this.#buf.writeInt16BE(v, this.#pos);
    this.#pos += 2;
  }

  int32(v: number): void {
    this.#ensure(4);
    this.#buf.writeInt32BE(v | 0, this.#pos);
    this.#pos += 4;
  }

  cstring(s: string): void {
    const text = s.indexOf('\0') < 0 ? s : s.replaceAll('\0', '');
    this.#ensure(text.length * 3 + 1);
    this.#pos += this.#buf.write(text, this.#pos, 'utf8');
    this.#buf[this.#pos++] = 0;
  }

  /** A length-prefixed field holding `s` as UTF-8 (DataRow column). */
  textField(s: string): void {
    this.#ensure(4 + s.length * 3);
    const n = this.#buf.write(s, this.#pos + 4, 'utf8');
    this.#buf.writeInt32BE(n, this.#pos);
    this.#pos += 4 + n;
  }

  /** A length-prefixed field holding `bytes` (DataRow column). */
  bytesField(bytes: Uint8Array): void {
    this.#ensure(4 + bytes.length);
    this.#buf.writeInt32BE(bytes.length, this.#pos);
    this.#buf.set(bytes, this.#pos + 4);
    this.#pos += 4 + bytes.length;
  }

  /** The length -1 that stands for SQL NULL. */
  nullField(): void {
    this.int32(-1);
  }

  /** One raw byte outside any message (the answer to SSLRequest / GSSENCRequest). */
  rawByte(b: number): void {
    assert(this.#lengthAt < 0, 'raw byte inside a message');
    this.int8(b);
  }

  #ensure(n: number): void {
    if (this.#pos + n <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.#buf.copy(next, 0, 0, this.#pos);
    this.#buf = next;
  }

  // ------------------------------------------------------------ messages

  #empty(type: number): void {
    this.begin(type);
    this.end();
  }

  /** AuthenticationOk (code 0) and the other Authentication requests. */
  authentication(code: number, payload?: Uint8Array): void {
    this.begin(Backend.AUTHENTICATION);
    this.int32(code);
    if (payload !== undefined) {
      this.#ensure(payload.length);
      this.#buf.set(payload, this.#pos);
      this.#pos += payload.length;
    }
    this.end();
  }

  parameterStatus(name: string, value: string): void {
    this.begin(Backend.PARAMETER_STATUS);
    this.cstring(name);
    this.cstring(value);
    this.end();
  }

  backendKeyData(pid: number, secret: number): void {
    this.begin(Backend.BACKEND_KEY_DATA);
    this.int32(pid);
    this.int32(secret);
    this.end();
  }

  negotiateProtocolVersion(newestMinor: number, unrecognized: readonly string[]): void {
    this.begin(Backend.NEGOTIATE_PROTOCOL_VERSION);
    this.int32(newestMinor);
    this.int32(unrecognized.length);
    for (const option of unrecognized) this.cstring(option);
    this.end();
  }

  readyForQuery(status: TransactionStatus): void {
    this.begin(Backend.READY_FOR_QUERY);
    this.int8(status.charCodeAt(0));
    this.end();
  }

  commandComplete(tag: string): void {
    this.begin(Backend.COMMAND_COMPLETE);
    this.cstring(tag);
    this.end();
  }

  emptyQueryResponse(): void {
    this.#empty(Backend.EMPTY_QUERY_RESPONSE);
  }

  parseComplete(): void {
    this.#empty(Backend.PARSE_COMPLETE);
  }

  bindComplete(): void {
    this.#empty(Backend.BIND_COMPLETE);
  }

  closeComplete(): void {
    this.#empty(Backend.CLOSE_COMPLETE);
  }

  noData(): void {
    this.#empty(Backend.NO_DATA);
  }

  portalSuspended(): void {
    this.#empty(Backend.PORTAL_SUSPENDED);
  }

  parameterDescription(typeOids: readonly number[]): void {
    this.begin(Backend.PARAMETER_DESCRIPTION);
    this.int16(typeOids.length);
    for (const oid of typeOids) this.int32(oid);
    this.end();
  }

  /** RowDescription; `formats[i]` is column i's format code. */
  rowDescription(columns: readonly ResultColumn[], formats: readonly number[]): void {
    this.begin(Backend.ROW_DESCRIPTION);
    this.int16(columns.length);
    for (let i = 0; i < columns.length; i++) {
      const c = columns[i]!;
      this.cstring(c.name);
      this.int32(c.tableOid);
      this.int16(c.attnum);
      this.int32(vectorTypeOid(c) ?? pgTypeOid(c.type));
      this.int16(pgTypeLength(c.type));
      this.int32(pgTypmod(c.type));
      this.int16(formats[i] ?? 0);
    }
    this.end();
  }

  /** CopyInResponse ('G') / CopyOutResponse ('H'): int8 overall format, int16 n, int16 format x n (all text here). */
  copyResponse(type: number, columnCount: number): void {
    this.begin(type);
    this.int8(0);
    this.int16(columnCount);
    for (let i = 0; i < columnCount; i++) this.int16(0);
    this.end();
  }

  /** CopyData ('d'): the bytes as they are. */
  copyData(bytes: Uint8Array): void {
    this.begin(Backend.COPY_DATA);
    this.#ensure(bytes.length);
    this.#buf.set(bytes, this.#pos);
    this.#pos += bytes.length;
    this.end();
  }

  copyDone(): void {
    this.#empty(Backend.COPY_DONE);
  }

  /** ErrorResponse or NoticeResponse: (field code, value) pairs, then the terminator. */
  fieldsMessage(type: number, fields: readonly (readonly [string, string])[]): void {
    this.begin(type);
    for (const [code, value] of fields) {
      this.int8(code.charCodeAt(0));
      this.cstring(value);
    }
    this.int8(0);
    this.end();
  }
}

/**
 * Reads the fields of one frontend message body (after type and length).
 * Running past the end or a missing string terminator is a protocol
 * violation (08P01), as in PostgreSQL's pq_getmsg* functions.
 */
import { SqlError, SqlState } from '../errors.ts';

export class MessageReader {
  readonly #buf: Buffer;
  #pos = 0;

  constructor(body: Buffer) {
    this.#buf = body;
  }

  get remaining(): number {
    return this.#buf.length - this.#pos;
  }

  byte(): number {
    this.#need(1);
    return this.#buf[this.#pos++]!;
  }

  int16(): number {
    this.#need(2);
    const v = this.#buf.readInt16BE(this.#pos);
    this.#pos += 2;
    return v;
  }

  int32(): number {
    this.#need(4);
    const v = this.#buf.readInt32BE(this.#pos);
    this.#pos += 4;
    return v;
  }

  /** A NUL-terminated UTF-8 string. */
  cstring(): string {
    const end = this.#buf.indexOf(0, this.#pos);
    if (end < 0) throw protocolViolation('invalid string in message');
    const s = this.#buf.toString('utf8', this.#pos, end);
    this.#pos = end + 1;
    return s;
  }

  /** The next `n` bytes, sharing memory with the message. */
  bytes(n: number): Buffer {
    if (n < 0) throw protocolViolation('invalid field length in message');
    this.#need(n);
    const b = this.#buf.subarray(this.#pos, this.#pos + n);
    this.#pos += n;
    return b;
  }

  /** Asserts that the whole message was read. */
  end(): void {
    if (this.#pos !== this.#buf.length) throw protocolViolation('invalid message format');
  }

  #need(n: number): void {
    if (this.#pos + n > this.#buf.length) throw protocolViolation('insufficient data left in message');
  }
}

export function protocolViolation(message: string): SqlError {
  return new SqlError(SqlState.PROTOCOL_VIOLATION, message);
}

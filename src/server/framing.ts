/**
 * Splits the client's byte stream into protocol messages.
 *
 * The stream starts in the startup phase (untagged messages: int32 length
 * counting itself, int32 code, body) and stays there after SSLRequest and
 * GSSENCRequest, which the client follows with another untagged message; any
 * other startup message switches the stream to tagged messages (type byte,
 * int32 length counting itself, body).
 *
 * A length below the minimum breaks the framing (08P01), and so does a message
 * above the size limit (54000, reported as soon as its header arrives): the
 * decoder reports it once and then ignores all further bytes, since message
 * boundaries can no longer be found. Incomplete messages wait for more bytes;
 * a message's bytes are copied at most once, when it is complete.
 */
import { SqlError, SqlState } from '../errors.ts';
import { MAX_STARTUP_MESSAGE_BYTES, StartupCode } from './protocol-codes.ts';

export type Frame =
  /** An untagged startup-phase message; `body` follows the code. */
  | { readonly kind: 'startup'; readonly code: number; readonly body: Buffer }
  /** A tagged message; `body` follows the length. */
  | { readonly kind: 'message'; readonly type: number; readonly body: Buffer }
  /** The framing is broken; nothing follows. */
  | { readonly kind: 'broken'; readonly error: SqlError };

export class FrameDecoder {
  readonly #maxMessageBytes: number;
  #chunks: Buffer[] = [];
  #buffered = 0;
  #startup = true;
  #broken = false;

  constructor(maxMessageBytes: number) {
    this.#maxMessageBytes = maxMessageBytes;
  }

  /** Bytes received but not yet part of a complete message. */
  get bufferedBytes(): number {
    return this.#buffered;
  }

  /** Adds received bytes and hands every message completed by them to `emit`, in order. */
  push(chunk: Buffer, emit: (frame: Frame) => void): void {
    if (this.#broken || chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    for (;;) {
      const frame = this.#startup ? this.#nextStartup() : this.#nextTagged();
      if (frame === null) return;
      emit(frame);
      if (frame.kind === 'broken') return;
    }
  }

  #nextStartup(): Frame | null {
    if (this.#buffered < 4) return null;
    const length = this.#peek(4).readInt32BE(0);
    if (length < 8 || length > MAX_STARTUP_MESSAGE_BYTES) return this.#break('invalid length of startup packet');
    if (this.#buffered < length) return null;
    const bytes = this.#take(length);
    const code = bytes.readInt32BE(4);
    if (code !== StartupCode.SSL_REQUEST && code !== StartupCode.GSSENC_REQUEST) this.#startup = false;
    return { kind: 'startup', code, body: bytes.subarray(8) };
  }

  #nextTagged(): Frame | null {
    if (this.#buffered < 5) return null;
    const head = this.#peek(5);
    const type = head[0]!;
    const length = head.readInt32BE(1);
    if (length < 4) return this.#break(`invalid message length ${length}`);
    if (length > this.#maxMessageBytes) {
      return this.#break(
        `message length ${length} exceeds the limit of ${this.#maxMessageBytes} bytes`,
        SqlState.PROGRAM_LIMIT_EXCEEDED,
      );
    }
    if (this.#buffered < length + 1) return null;
    const bytes = this.#take(length + 1);
    return { kind: 'message', type, body: bytes.subarray(5) };
  }

  #break(message: string, code: string = SqlState.PROTOCOL_VIOLATION): Frame {
    this.#broken = true;
    this.#chunks = [];
    this.#buffered = 0;
    return { kind: 'broken', error: new SqlError(code, message, { severity: 'FATAL' }) };
  }

  /** The first chunk, merged with its successors until it holds at least `n` bytes (n <= buffered). */
  #peek(n: number): Buffer {
    const first = this.#chunks[0]!;
    if (first.length >= n) return first;
    let count = 0;
    let bytes = 0;
    while (bytes < n) bytes += this.#chunks[count++]!.length;
    const merged = Buffer.concat(this.#chunks.slice(0, count), bytes);
    this.#chunks.splice(0, count, merged);
    return merged;
  }

  #take(n: number): Buffer {
    const first = this.#peek(n);
    if (first.length === n) this.#chunks.shift();
    else this.#chunks[0] = first.subarray(n);
    this.#buffered -= n;
    return first.subarray(0, n);
  }
}

/**
 * A raw frontend for tests: builds frontend messages byte by byte and reads
 * backend messages (type char + body) off a real socket.
 */
import net from 'node:net';
import { once } from 'node:events';

export interface BackendMessage {
  /** The type byte as a character, e.g. 'Z'; '' for the one-byte SSL answer. */
  readonly type: string;
  readonly body: Buffer;
}

function cstr(s: string): Buffer {
  return Buffer.concat([Buffer.from(s, 'utf8'), Buffer.from([0])]);
}

function int16(v: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeInt16BE(v);
  return b;
}

function int32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(v);
  return b;
}

export function tagged(type: string, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from(type, 'latin1'), int32(body.length + 4), body]);
}

export function untagged(code: number, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  return Buffer.concat([int32(body.length + 8), int32(code), body]);
}

export const msg = {
  sslRequest: (): Buffer => untagged(80877103),
  gssencRequest: (): Buffer => untagged(80877104),
  cancel: (pid: number, secret: number): Buffer => untagged(80877102, int32(pid), int32(secret)),
  startup: (params: Record<string, string>, version = 196608): Buffer =>
    untagged(version, ...Object.entries(params).flatMap(([k, v]) => [cstr(k), cstr(v)]), Buffer.from([0])),
  query: (sql: string): Buffer => tagged('Q', cstr(sql)),
  parse: (name: string, sql: string, oids: number[] = []): Buffer =>
    tagged('P', cstr(name), cstr(sql), int16(oids.length), ...oids.map(int32)),
  bind: (
    portal: string,
    stmt: string,
    params: (Buffer | null)[] = [],
    paramFormats: number[] = [],
    resultFormats: number[] = [],
  ): Buffer =>
    tagged(
      'B',
      cstr(portal),
      cstr(stmt),
      int16(paramFormats.length),
      ...paramFormats.map(int16),
      int16(params.length),
      ...params.flatMap((p) => (p === null ? [int32(-1)] : [int32(p.length), p])),
      int16(resultFormats.length),
      ...resultFormats.map(int16),
    ),
  describe: (kind: 'S' | 'P', name: string): Buffer => tagged('D', Buffer.from(kind), cstr(name)),
  execute: (portal: string, maxRows = 0): Buffer => tagged('E', cstr(portal), int32(maxRows)),
  close: (kind: 'S' | 'P', name: string): Buffer => tagged('C', Buffer.from(kind), cstr(name)),
  sync: (): Buffer => tagged('S'),
  flush: (): Buffer => tagged('H'),
  terminate: (): Buffer => tagged('X'),
  int32,
};

export class WireClient {
  readonly socket: net.Socket;
  #buf = Buffer.alloc(0);
  #waiters: (() => void)[] = [];
  #ended = false;
  /** Expect a single 'S'/'N' byte next (after SSLRequest). */
  #expectByte = false;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.#buf = Buffer.concat([this.#buf, chunk]);
      this.#wake();
    });
    socket.on('close', () => {
      this.#ended = true;
      this.#wake();
    });
    socket.on('error', () => {});
  }

  static async connect(port: number): Promise<WireClient> {
    const socket = net.connect(port, '127.0.0.1');
    await once(socket, 'connect');
    return new WireClient(socket);
  }

  /** Connects, sends StartupMessage and reads up to the first ReadyForQuery. */
  static async ready(port: number): Promise<{ client: WireClient; startup: BackendMessage[] }> {
    const client = await WireClient.connect(port);
    client.send(msg.startup({ user: 'tester', database: 'millrace' }));
    const startup = await client.readUntil('Z');
    return { client, startup };
  }

  get ended(): boolean {
    return this.#ended;
  }

  send(...bufs: Buffer[]): void {
    this.socket.write(Buffer.concat(bufs));
  }

  expectSslAnswer(): void {
    this.#expectByte = true;
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  #wait(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** The next backend message, or null when the server closed the connection. */
  async next(): Promise<BackendMessage | null> {
    for (;;) {
      if (this.#expectByte && this.#buf.length >= 1) {
        this.#expectByte = false;
        const b = this.#buf.subarray(0, 1);
        this.#buf = this.#buf.subarray(1);
        return { type: '', body: Buffer.from(b) };
      }
      if (!this.#expectByte && this.#buf.length >= 5) {
        const length = this.#buf.readInt32BE(1);
        if (this.#buf.length >= length + 1) {
          const type = String.fromCharCode(this.#buf[0]!);
          const body = Buffer.from(this.#buf.subarray(5, length + 1));
          this.#buf = this.#buf.subarray(length + 1);
          return { type, body };
        }
      }
      if (this.#ended) return null;
      await this.#wait();
    }
  }

  /** Messages up to and including the first of type `type`; throws if the connection ends first. */
  async readUntil(type: string): Promise<BackendMessage[]> {
    const out: BackendMessage[] = [];
    for (;;) {
      const m = await this.next();
      if (m === null) throw new Error(`connection closed before '${type}'; got ${types(out)}`);
      out.push(m);
      if (m.type === type) return out;
    }
  }

  /** Everything until the server closes the connection. */
  async readToEnd(): Promise<BackendMessage[]> {
    const out: BackendMessage[] = [];
    for (;;) {
      const m = await this.next();
      if (m === null) return out;
      out.push(m);
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

export function types(messages: readonly BackendMessage[]): string {
  return messages.map((m) => m.type).join('');
}

/** ErrorResponse / NoticeResponse fields by code letter. */
export function fields(m: BackendMessage): Record<string, string> {
  const out: Record<string, string> = {};
  let pos = 0;
  while (pos < m.body.length && m.body[pos] !== 0) {
    const code = String.fromCharCode(m.body[pos]!);
    const end = m.body.indexOf(0, pos + 1);
    out[code] = m.body.toString('utf8', pos + 1, end);
    pos = end + 1;
  }
  return out;
}

/** DataRow columns as text (null for SQL NULL) or raw bytes when `binary`. */
export function dataRow(m: BackendMessage): (string | null)[] {
  return dataRowBytes(m).map((b) => (b === null ? null : b.toString('utf8')));
}

export function dataRowBytes(m: BackendMessage): (Buffer | null)[] {
  const n = m.body.readInt16BE(0);
  const out: (Buffer | null)[] = [];
  let pos = 2;
  for (let i = 0; i < n; i++) {
    const len = m.body.readInt32BE(pos);
    pos += 4;
    if (len < 0) out.push(null);
    else {
      out.push(m.body.subarray(pos, pos + len));
      pos += len;
    }
  }
  return out;
}

export function cstring(m: BackendMessage): string {
  return m.body.toString('utf8', 0, m.body.indexOf(0));
}

/** ParameterStatus messages as a map. */
export function parameterStatuses(messages: readonly BackendMessage[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of messages) {
    if (m.type !== 'S') continue;
    const end = m.body.indexOf(0);
    out.set(m.body.toString('utf8', 0, end), m.body.toString('utf8', end + 1, m.body.length - 1));
  }
  return out;
}

/** RowDescription as (name, type oid, format) triples. */
export function rowDescription(m: BackendMessage): { name: string; oid: number; format: number }[] {
  const n = m.body.readInt16BE(0);
  const out: { name: string; oid: number; format: number }[] = [];
  let pos = 2;
  for (let i = 0; i < n; i++) {
    const end = m.body.indexOf(0, pos);
    const name = m.body.toString('utf8', pos, end);
    pos = end + 1;
    const oid = m.body.readInt32BE(pos + 6);
    const format = m.body.readInt16BE(pos + 16);
    pos += 18;
    out.push({ name, oid, format });
  }
  return out;
}

/**
 * The text and CSV formats of COPY, as PostgreSQL reads and writes them.
 *
 * Reading (`CopyReader`): bytes arrive in chunks that may split a row anywhere;
 * complete rows are handed out as arrays of field texts (null = SQL NULL) with
 * their line number. Rows end at LF or CRLF (the first row decides). Text
 * format: fields split at the delimiter, the NULL string is matched before
 * backslash escapes (\b \f \n \r \t \v, \ooo octal, \xHH, \c = c) are resolved;
 * a line `\.` ends the data. CSV: a quote starts a quoted section anywhere in a
 * field; inside it, escape+quote or escape+escape is the second character;
 * quoted sections may hold the delimiter and newlines; an unquoted field equal
 * to the NULL string is NULL; a `\.` line ends the data.
 *
 * Writing (`formatCopyRow`): text format escapes backslash, the delimiter and
 * \b \f \n \r \t \v; NULL is the NULL string. CSV quotes a field that holds the
 * delimiter, the quote, CR or LF, that equals the NULL string, is a lone `\.`, or
 * whose column is in FORCE_QUOTE; inside quotes the quote and escape
 * characters are preceded by the escape. Rows end with LF.
 *
 * Binary (`BinaryCopyReader`, `formatBinaryRow`): PostgreSQL's file layout,
 * described at the section below; values are in their types' binary
 * send/receive forms (src/values/binary.ts).
 */
import { SqlError, SqlState } from '../errors.ts';

export interface CopyFormat {
  /** For 'binary' only `header` applies (false); the other fields keep the text defaults. */
  readonly format: 'text' | 'csv' | 'binary';
  /** One character. */
  readonly delimiter: string;
  readonly null: string;
  readonly header: boolean;
  /** CSV only: one character each. */
  readonly quote: string;
  readonly escape: string;
  /** CSV output: columns always quoted (non-NULL values). */
  readonly forceQuote: readonly boolean[];
}

export function defaultCopyFormat(format: 'text' | 'csv' | 'binary', columnCount: number): CopyFormat {
  return {
    format,
    delimiter: format === 'csv' ? ',' : '\t',
    null: format === 'csv' ? '' : '\\N',
    header: false,
    quote: '"',
    escape: '"',
    forceQuote: new Array<boolean>(columnCount).fill(false),
  };
}

const LF = 0x0a;
const CR = 0x0d;
const BACKSLASH = 0x5c;

/** A row read from COPY input: its fields, its 1-based line number and its text. */
export interface CopyRow {
  readonly fields: (string | null)[];
  readonly line: number;
  readonly text: string;
}

export function badCopyFormat(message: string, detail?: string, hint?: string): SqlError {
  return new SqlError(SqlState.BAD_COPY_FILE_FORMAT, message, {
    ...(detail !== undefined ? { detail } : {}),
    ...(hint !== undefined ? { hint } : {}),
  });
}

/**
 * Splits COPY input into rows. `push` takes a chunk and returns the rows it
 * completed; `finish` returns the last row when the input did not end with a
 * newline. State kept: the unread bytes, the scan position within them, the
 * CSV quote state at that position, the line count and the end-of-line style.
 */
export class CopyReader {
  readonly #fmt: CopyFormat;
  readonly #quote: number;
  readonly #escape: number;
  #buf: Buffer = Buffer.alloc(0);
  #scan = 0;
  #inQuote = false;
  #line = 0;
  #crlf: boolean | undefined = undefined;
  #ended = false;
  #headerPending: boolean;

  constructor(fmt: CopyFormat) {
    this.#fmt = fmt;
    this.#quote = fmt.quote.charCodeAt(0);
    this.#escape = fmt.escape.charCodeAt(0);
    this.#headerPending = fmt.header;
  }

  /** True once the end marker `\.` was read; later input is ignored. */
  get ended(): boolean {
    return this.#ended;
  }

  /** The number of the last line read. */
  get line(): number {
    return this.#line;
  }

  push(chunk: Uint8Array): CopyRow[] {
    const out: CopyRow[] = [];
    if (this.#ended) return out;
    this.#buf = this.#buf.length === this.#scan && this.#scan === 0 ? Buffer.from(chunk) : Buffer.concat([this.#buf, chunk]);
    let start = 0;
    const buf = this.#buf;
    const csv = this.#fmt.format === 'csv';
    let i = this.#scan;
    while (i < buf.length) {
      const c = buf[i]!;
      if (csv) {
        if (this.#inQuote) {
          if (c === this.#escape && this.#escape !== this.#quote) {
            if (i + 1 >= buf.length) break;
            const next = buf[i + 1]!;
            if (next === this.#quote || next === this.#escape) {
              i += 2;
              continue;
            }
          }
          if (c === this.#quote) this.#inQuote = false;
          i++;
          continue;
        }
        if (c === this.#quote) {
          this.#inQuote = true;
          i++;
          continue;
        }
      } else if (c === BACKSLASH) {
        if (i + 1 >= buf.length) break;
        i += 2;
        continue;
      }
      if (c === LF) {
        this.#row(buf.subarray(start, i), out);
        start = i + 1;
        if (this.#ended) break;
      }
      i++;
    }
    this.#buf = buf.subarray(start);
    this.#scan = Math.max(0, i - start);
    return out;
  }

  /** The input ended (CopyDone): the unterminated last row, if any. */
  finish(): CopyRow[] {
    const out: CopyRow[] = [];
    if (this.#ended || this.#buf.length === 0) return out;
    if (this.#inQuote) {
      this.#line++;
      throw badCopyFormat('unterminated CSV quoted field');
    }
    this.#row(this.#buf, out);
    this.#buf = Buffer.alloc(0);
    this.#scan = 0;
    return out;
  }

  #row(bytes: Buffer, out: CopyRow[]): void {
    this.#line++;
    let end = bytes.length;
    const endsCr = end > 0 && bytes[end - 1] === CR;
    if (this.#crlf === undefined) this.#crlf = endsCr;
    if (this.#crlf) {
      if (!endsCr) throw badCopyFormat('literal newline found in data', undefined, this.#fmt.format === 'csv' ? 'Use quoted CSV field to represent newline.' : 'Use "\\n" to represent newline.');
      end--;
    }
    const text = bytes.toString('utf8', 0, end);
    if (text === '\\.') {
      this.#ended = true;
      return;
    }
    if (this.#headerPending) {
      this.#headerPending = false;
      return;
    }
    const fields = this.#fmt.format === 'csv' ? this.#csvFields(text) : this.#textFields(text);
    out.push({ fields, line: this.#line, text });
  }

  #textFields(line: string): (string | null)[] {
    const fields: (string | null)[] = [];
    const delim = this.#fmt.delimiter;
    let raw = '';
    let value = '';
    const flush = (): void => {
      fields.push(raw === this.#fmt.null ? null : value);
      raw = '';
      value = '';
    };
    for (let i = 0; i < line.length; i++) {
      const ch = line[i]!;
      if (ch === delim) {
        flush();
        continue;
      }
      if (ch === '\r' && !this.#crlf) {
        throw badCopyFormat('literal carriage return found in data', undefined, 'Use "\\r" to represent carriage return.');
      }
      if (ch !== '\\' || i + 1 >= line.length) {
        raw += ch;
        value += ch;
        continue;
      }
      const next = line[++i]!;
      raw += ch + next;
      switch (next) {
        case 'b': value += '\b'; break;
        case 'f': value += '\f'; break;
        case 'n': value += '\n'; break;
        case 'r': value += '\r'; break;
        case 't': value += '\t'; break;
        case 'v': value += '\v'; break;
        case 'x': {
          const m = /^[0-9a-fA-F]{1,2}/.exec(line.slice(i + 1, i + 3));
          if (m === null) value += 'x';
          else {
            value += String.fromCharCode(parseInt(m[0], 16));
            raw += m[0];
            i += m[0].length;
          }
          break;
        }
        default:
          if (next >= '0' && next <= '7') {
            const m = /^[0-7]{1,2}/.exec(line.slice(i + 1, i + 3));
            const digits = next + (m?.[0] ?? '');
            value += String.fromCharCode(parseInt(digits, 8) & 0xff);
            raw += m?.[0] ?? '';
            i += digits.length - 1;
          } else {
            value += next;
          }
      }
    }
    flush();
    return fields;
  }

  #csvFields(line: string): (string | null)[] {
    const { delimiter, quote, escape } = this.#fmt;
    const fields: (string | null)[] = [];
    let value = '';
    let quoted = false;
    let inQuote = false;
    for (let i = 0; i <= line.length; i++) {
      if (i === line.length) {
        if (inQuote) throw badCopyFormat('unterminated CSV quoted field');
        fields.push(!quoted && value === this.#fmt.null ? null : value);
        break;
      }
      const ch = line[i]!;
      if (inQuote) {
        if (ch === escape && i + 1 < line.length && (line[i + 1] === quote || line[i + 1] === escape)) {
          value += line[++i]!;
        } else if (ch === quote) {
          inQuote = false;
        } else {
          value += ch;
        }
        continue;
      }
      if (ch === delimiter) {
        fields.push(!quoted && value === this.#fmt.null ? null : value);
        value = '';
        quoted = false;
      } else if (ch === quote) {
        inQuote = true;
        quoted = true;
      } else if (ch === '\r' && !this.#crlf) {
        throw badCopyFormat('unquoted carriage return found in data', undefined, 'Use quoted CSV field to represent carriage return.');
      } else {
        value += ch;
      }
    }
    return fields;
  }
}

/** One row of COPY output (with its line end): `values` are already in text form, null = SQL NULL. */
export function formatCopyRow(values: readonly (string | null)[], fmt: CopyFormat): string {
  let out = '';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += fmt.delimiter;
    const v = values[i] ?? null;
    if (v === null) out += fmt.null;
    else out += fmt.format === 'csv' ? csvField(v, fmt, fmt.forceQuote[i] === true, values.length === 1) : textField(v, fmt.delimiter);
  }
  return `${out}\n`;
}

/** The header line: column names, in the format's quoting. */
export function formatCopyHeader(names: readonly string[], fmt: CopyFormat): string {
  return formatCopyRow(names, { ...fmt, null: fmt.format === 'csv' ? '\0' : fmt.null, forceQuote: [] });
}

function textField(v: string, delimiter: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < v.length; i++) {
    const ch = v[i]!;
    let esc: string | undefined;
    switch (ch) {
      case '\\': esc = '\\\\'; break;
      case '\b': esc = '\\b'; break;
      case '\f': esc = '\\f'; break;
      case '\n': esc = '\\n'; break;
      case '\r': esc = '\\r'; break;
      case '\t': esc = '\\t'; break;
      case '\v': esc = '\\v'; break;
      default:
        if (ch === delimiter) esc = `\\${ch}`;
    }
    if (esc === undefined) continue;
    out += v.slice(from, i) + esc;
    from = i + 1;
  }
  return from === 0 ? v : out + v.slice(from);
}

function csvField(v: string, fmt: CopyFormat, force: boolean, single: boolean): string {
  const { delimiter, quote, escape } = fmt;
  const needs =
    force ||
    v === fmt.null ||
    (single && v === '\\.') ||
    v.includes(delimiter) ||
    v.includes(quote) ||
    v.includes('\n') ||
    v.includes('\r');
  if (!needs) return v;
  let out = quote;
  for (const ch of v) {
    if (ch === quote || ch === escape) out += escape;
    out += ch;
  }
  return out + quote;
}

// ---------------------------------------------------------------- binary format

/**
 * Binary COPY (PostgreSQL manual, "COPY", "Binary Format"): an 11-byte
 * signature `PGCOPY\n\377\r\n\0`, int32 flags (bit 16 = OIDs, bits 0-15
 * critical, none may be set here), int32 header-extension length and that many
 * bytes; then per tuple int16 field count and per field int32 length (-1 =
 * NULL) and the value in its type's binary send format; int16 -1 ends the data.
 */
export const BINARY_SIGNATURE: Uint8Array = Uint8Array.of(0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00);

/** The format name a binary COPY carries in the CopyIn/CopyOut `format` field. */
export const BINARY_FORMAT = 'binary';

/**
 * True for the CopyIn/CopyOut of a binary COPY: its `format` is 'binary', a value
 * src/session/api.ts does not list yet (it types the field 'text' | 'csv').
 */
export function isBinaryCopy(copy: { readonly format: string }): boolean {
  return copy.format === BINARY_FORMAT;
}

/** Signature, flags 0, extension length 0. */
export function binaryCopyHeader(): Buffer {
  const out = Buffer.alloc(BINARY_SIGNATURE.length + 8);
  out.set(BINARY_SIGNATURE, 0);
  return out;
}

/** The file trailer: int16 -1. */
export function binaryCopyTrailer(): Buffer {
  return Buffer.from([0xff, 0xff]);
}

/** One tuple: int16 field count, then (int32 length | -1, bytes) per field. */
export function formatBinaryRow(fields: readonly (Uint8Array | null)[]): Buffer {
  let size = 2;
  for (const f of fields) size += 4 + (f === null ? 0 : f.length);
  const out = Buffer.allocUnsafe(size);
  out.writeInt16BE(fields.length, 0);
  let at = 2;
  for (const f of fields) {
    if (f === null) {
      out.writeInt32BE(-1, at);
      at += 4;
      continue;
    }
    out.writeInt32BE(f.length, at);
    out.set(f, at + 4);
    at += 4 + f.length;
  }
  return out;
}

/** A tuple read from binary COPY input: its fields (null = SQL NULL) and its 1-based number. */
export interface BinaryCopyRow {
  readonly fields: (Uint8Array | null)[];
  readonly line: number;
}

/**
 * Splits binary COPY input into tuples. `push` takes a chunk (tuples may span
 * chunks) and returns the tuples it completed; `finish` checks that the input
 * ended at a tuple boundary (the trailer is optional, as in PostgreSQL). State
 * kept: the unread bytes, whether the header was read, the tuple count and
 * whether the trailer was seen. Errors are 22P04 with PostgreSQL's messages.
 */
export class BinaryCopyReader {
  readonly #columnCount: number;
  #buf: Buffer = Buffer.alloc(0);
  #headerDone = false;
  #line = 0;
  #ended = false;

  constructor(columnCount: number) {
    this.#columnCount = columnCount;
  }

  /** The number of the tuple being read (or last read). */
  get line(): number {
    return this.#line;
  }

  /** False until the whole file header was read (PostgreSQL reports header errors without a line). */
  get headerRead(): boolean {
    return this.#headerDone;
  }

  push(chunk: Uint8Array): BinaryCopyRow[] {
    if (this.#ended) {
      if (chunk.length === 0) return [];
      throw badCopyFormat('received copy data after EOF marker');
    }
    this.#buf = this.#buf.length === 0 ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength) : Buffer.concat([this.#buf, chunk]);
    const out: BinaryCopyRow[] = [];
    const buf = this.#buf;
    let at = 0;
    if (!this.#headerDone) {
      const h = this.#header(buf);
      if (h === 0) return out;
      at = h;
      this.#headerDone = true;
    }
    for (;;) {
      if (buf.length - at < 2) break;
      const count = buf.readInt16BE(at);
      if (count === -1) {
        this.#ended = true;
        if (buf.length > at + 2) throw badCopyFormat('received copy data after EOF marker');
        at += 2;
        break;
      }
      const line = this.#line + 1;
      if (count !== this.#columnCount) {
        this.#line = line;
        throw badCopyFormat(`row field count is ${count}, expected ${this.#columnCount}`);
      }
      const fields: (Uint8Array | null)[] = new Array<Uint8Array | null>(count);
      let p = at + 2;
      let complete = true;
      for (let i = 0; i < count; i++) {
        if (buf.length - p < 4) {
          complete = false;
          break;
        }
        const len = buf.readInt32BE(p);
        p += 4;
        if (len === -1) {
          fields[i] = null;
          continue;
        }
        if (len < -1) {
          this.#line = line;
          throw badCopyFormat('invalid field size');
        }
        if (buf.length - p < len) {
          complete = false;
          break;
        }
        fields[i] = buf.subarray(p, p + len);
        p += len;
      }
      if (!complete) break;
      this.#line = line;
      out.push({ fields, line });
      at = p;
    }
    // The chunk may be a view of a reused receive buffer: keep a copy of the unread rest.
    this.#buf = at === buf.length ? Buffer.alloc(0) : Buffer.from(buf.subarray(at));
    return out;
  }

  /** CopyDone: the input must end between tuples. */
  finish(): void {
    if (!this.#headerDone) {
      if (this.#buf.length === 0) throw badCopyFormat('COPY file signature not recognized');
      throw badCopyFormat(this.#buf.length < BINARY_SIGNATURE.length ? 'COPY file signature not recognized' : 'invalid COPY file header (missing flags)');
    }
    if (this.#buf.length > 0) {
      this.#line++;
      throw badCopyFormat('unexpected EOF in COPY data');
    }
  }

  /** The header's length once all of it is in `buf`, 0 while incomplete. */
  #header(buf: Buffer): number {
    const sig = BINARY_SIGNATURE.length;
    for (let i = 0; i < Math.min(sig, buf.length); i++) {
      if (buf[i] !== BINARY_SIGNATURE[i]) throw badCopyFormat('COPY file signature not recognized');
    }
    if (buf.length < sig + 8) return 0;
    const flags = buf.readInt32BE(sig);
    if ((flags & (1 << 16)) !== 0) throw badCopyFormat('invalid COPY file header (WITH OIDS)');
    if ((flags & ~(1 << 16) & 0xffff0000) !== 0) throw badCopyFormat('unrecognized critical flags in COPY file header');
    const extension = buf.readInt32BE(sig + 4);
    if (extension < 0) throw badCopyFormat('invalid COPY file header (wrong length)');
    if (buf.length < sig + 8 + extension) return 0;
    return sig + 8 + extension;
  }
}

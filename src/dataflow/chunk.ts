/**
 * Chunks: the unit operators exchange (ARCHITECTURE decision 1).
 *
 * A chunk is an array of rows plus, per row, its change kind: insert (+I),
 * update-before (-U), update-after (+U) or delete (-D). `kinds` is null when
 * every row is an insert, so bounded queries pay nothing for the tags.
 * Chunks hold at most CHUNK_SIZE rows. Rows in a chunk are owned by the
 * receiver once yielded: producers never mutate a row after emitting it.
 */
import type { Row } from '../../catalog/types.ts';
import { InternalError } from '../errors.ts';

/** Row change kinds, as small integers (the engine's compact form). */
export const RowKind = {
  INSERT: 0,
  UPDATE_BEFORE: 1,
  UPDATE_AFTER: 2,
  DELETE: 3,
} as const;
export type RowKind = (typeof RowKind)[keyof typeof RowKind];

const KIND_TEXT = ['+I', '-U', '+U', '-D'] as const;

/** The most rows a chunk carries. */
export const CHUNK_SIZE = 1024;

export interface Chunk {
  readonly rows: Row[];
  /** One RowKind per row, or null when all rows are inserts. */
  readonly kinds: Uint8Array | null;
}

export function insertChunk(rows: Row[]): Chunk {
  return { rows, kinds: null };
}

/** Operators that only handle bounded, insert-only input call this on every chunk they receive. */
export function assertInsertOnly(chunk: Chunk, operator: string): void {
  const kinds = chunk.kinds;
  if (kinds === null) return;
  for (let i = 0; i < kinds.length; i++) {
    if (kinds[i] !== RowKind.INSERT) {
      throw new InternalError(`${operator} received a ${KIND_TEXT[kinds[i]!] ?? '?'} row but only handles inserts`);
    }
  }
}

/** Collects output rows into insert-only chunks of at most CHUNK_SIZE rows. */
export class ChunkBuilder {
  #rows: Row[] = [];

  get length(): number {
    return this.#rows.length;
  }

  /** Adds a row; returns true when the chunk is full and should be taken. */
  push(row: Row): boolean {
    this.#rows.push(row);
    return this.#rows.length >= CHUNK_SIZE;
  }

  /** The rows collected so far as a chunk; the builder starts empty again. */
  take(): Chunk {
    const rows = this.#rows;
    this.#rows = [];
    return { rows, kinds: null };
  }
}

/** Test form of a chunk: one line per row, `+I 1 a`; values printed with `String`, NULL as `NULL`. */
export function formatChunk(chunk: Chunk): string {
  const lines: string[] = [];
  for (let i = 0; i < chunk.rows.length; i++) {
    const kind = KIND_TEXT[chunk.kinds === null ? 0 : chunk.kinds[i]!] ?? '?';
    const cells = chunk.rows[i]!.map((v) => (v === null ? 'NULL' : Array.isArray(v) ? `{${v.join(',')}}` : String(v)));
    lines.push([kind, ...cells].join(' '));
  }
  return lines.join('\n');
}

/**
 * Parses the test form back: each line is a kind followed by space-separated
 * cells; `NULL` is null, integers become numbers, anything else a string.
 */
export function parseChunk(text: string): Chunk {
  const rows: Row[] = [];
  const kinds: number[] = [];
  for (const line of text.split('\n')) {
    const parts = line.trim().split(/\s+/);
    if (parts.length === 0 || parts[0] === '') continue;
    const k = KIND_TEXT.indexOf(parts[0] as (typeof KIND_TEXT)[number]);
    if (k < 0) throw new InternalError(`bad row kind in chunk text: ${parts[0]}`);
    kinds.push(k);
    rows.push(parts.slice(1).map((c) => (c === 'NULL' ? null : /^-?\d+$/.test(c) ? Number(c) : c)));
  }
  return { rows, kinds: kinds.every((k) => k === RowKind.INSERT) ? null : Uint8Array.from(kinds) };
}

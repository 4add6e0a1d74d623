/**
 * Changelogs and the incremental operator contract.
 *
 * A changelog is a sequence of chunks (src/dataflow/chunk.ts) whose rows carry
 * a RowKind: +I insert, -U update-before, +U update-after, -D delete. The
 * retract reading applies everywhere: +I and +U add their row, -U and -D take
 * an equal row away. A -U is immediately followed by its +U (an "update
 * pair"); ChangelogBuilder never splits a pair across two chunks. A lone -U
 * or +U (e.g. after a filter dropped the other half) still reads as a delete
 * or an insert.
 *
 * An incremental operator consumes chunks on numbered inputs and returns the
 * chunks it emits in response, synchronously (state reads and writes go
 * through state tables, see state-table.ts; nothing here awaits). The runtime
 * owns the protocol around it: it merges watermarks over inputs (the minimum)
 * and hands the operator only the merged one, aligns checkpoint barriers, and
 * calls `flush` between chunks when an operator buffers (none does yet).
 * Barriers need no operator hook: all state lives in state tables, which the
 * runtime checkpoints when barrier N has passed the operator.
 * When `push` throws (a user error such as division by zero in an expression,
 * or a broken changelog), the operator emits nothing for that chunk and its
 * state is undefined: the job fails and restarts from its last checkpoint.
 */
import type { Row } from '../../catalog/types.ts';
import { CHUNK_SIZE, RowKind, type Chunk } from '../dataflow/chunk.ts';
import { InternalError } from '../errors.ts';

export { RowKind };

export interface IncrementalOperator {
  /** Handles one chunk that arrived on `input` (0-based); returns the chunks emitted, in order. */
  push(input: number, chunk: Chunk): Chunk[];
  /**
   * The merged event-time watermark (µs since the epoch) advanced to `wm`:
   * every row with an event time <= `wm` has arrived. Operators with timers
   * (windows, interval joins) emit what the watermark completes. Operators
   * without it forward the watermark unchanged.
   */
  watermark?(wm: number): Chunk[];
  /**
   * How far behind its input watermark the operator's output times may be
   * (an interval join emits pairs up to the interval's width late): the
   * runtime forwards `wm - watermarkDelay` downstream. Default 0.
   */
  readonly watermarkDelay?: number;
}

const KIND_TEXT = ['+I', '-U', '+U', '-D'] as const;

export function kindText(kind: number): string {
  return KIND_TEXT[kind] ?? '?';
}

/** The kind of row `i` of `chunk`. */
export function kindAt(chunk: Chunk, i: number): RowKind {
  return chunk.kinds === null ? RowKind.INSERT : (chunk.kinds[i] as RowKind);
}

/** +I and +U add a row; -U and -D retract one. */
export function isAddition(kind: number): boolean {
  return kind === RowKind.INSERT || kind === RowKind.UPDATE_AFTER;
}

/** A chunk from rows and their kinds; kinds become null when every row is an insert. */
export function changelogChunk(rows: Row[], kinds: readonly number[]): Chunk {
  if (rows.length !== kinds.length) throw new InternalError('changelog chunk: rows and kinds differ in length');
  let allInserts = true;
  for (let i = 0; i < kinds.length; i++) if (kinds[i] !== RowKind.INSERT) allInserts = false;
  return { rows, kinds: allInserts ? null : Uint8Array.from(kinds) };
}

/**
 * Collects emitted rows into chunks of at most CHUNK_SIZE rows (one more when
 * that keeps an update pair together). Reused across pushes: `take` empties it.
 */
export class ChangelogBuilder {
  #rows: Row[] = [];
  #kinds: number[] = [];
  #allInserts = true;
  #done: Chunk[] = [];

  /** Appends one row of `kind`. */
  emit(kind: RowKind, row: Row): void {
    if (this.#rows.length >= CHUNK_SIZE && kind !== RowKind.UPDATE_AFTER) this.#seal();
    this.#rows.push(row);
    this.#kinds.push(kind);
    if (kind !== RowKind.INSERT) this.#allInserts = false;
  }

  /** Appends an update pair: -U `before`, +U `after`, adjacent. */
  update(before: Row, after: Row): void {
    if (this.#rows.length + 2 > CHUNK_SIZE) this.#seal();
    this.emit(RowKind.UPDATE_BEFORE, before);
    this.emit(RowKind.UPDATE_AFTER, after);
  }

  get empty(): boolean {
    return this.#rows.length === 0 && this.#done.length === 0;
  }

  /** Drops everything built so far (after an operator failed mid-chunk). */
  discard(): void {
    this.#rows = [];
    this.#kinds = [];
    this.#allInserts = true;
    this.#done = [];
  }

  /** All chunks built so far; the builder starts empty again. */
  take(): Chunk[] {
    this.#seal();
    const out = this.#done;
    this.#done = [];
    return out;
  }

  #seal(): void {
    if (this.#rows.length === 0) return;
    this.#done.push({ rows: this.#rows, kinds: this.#allInserts ? null : Uint8Array.from(this.#kinds) });
    this.#rows = [];
    this.#kinds = [];
    this.#allInserts = true;
  }
}

/** Runs single-input operators one after the other: each one's output is the next one's input 0. */
export class OperatorChain implements IncrementalOperator {
  readonly #ops: readonly IncrementalOperator[];

  constructor(ops: readonly IncrementalOperator[]) {
    this.#ops = ops;
  }

  push(input: number, chunk: Chunk): Chunk[] {
    if (input !== 0) throw new InternalError(`operator chain has one input, got input ${input}`);
    return this.#from(0, [chunk]);
  }

  watermark(wm: number): Chunk[] {
    const out: Chunk[] = [];
    for (let i = 0; i < this.#ops.length; i++) {
      const op = this.#ops[i]!;
      if (op.watermark === undefined) continue;
      out.push(...this.#from(i + 1, op.watermark(wm)));
    }
    return out;
  }

  #from(start: number, chunks: Chunk[]): Chunk[] {
    let current = chunks;
    for (let i = start; i < this.#ops.length; i++) {
      const op = this.#ops[i]!;
      const next: Chunk[] = [];
      for (const c of current) if (c.rows.length > 0) for (const o of op.push(0, c)) next.push(o);
      current = next;
    }
    return current;
  }
}

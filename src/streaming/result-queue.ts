/**
 * The sink of a continuous query read by a client session: chunks queue up
 * here and the session pulls them as row batches.
 *
 * - Plain rows (a continuous SELECT, append-only by the planner's check) or
 *   change rows: `op` ('+I', '-U', '+U', '-D') followed by the row's columns
 *   (SUBSCRIBE and its COPY form).
 * - Backpressure: `ready()` returns a promise while more than `highWater`
 *   batches wait, which the dataflow's sources await between reads.
 * - The iterator ends after the dataflow's end, throws its error or 57014
 *   when the session's signal aborts, and stops the dataflow when the reader
 *   stops early (LIMIT of a portal, cursor close, disconnect).
 */
import type { Row } from '../../catalog/types.ts';
import type { Chunk } from '../dataflow/chunk.ts';
import { SqlError, SqlState } from '../errors.ts';
import { kindAt, kindText } from './changelog.ts';
import type { Port } from './dataflow.ts';

export class ResultQueue implements Port {
  readonly #withOp: boolean;
  readonly #highWater: number;
  readonly #batches: Row[][] = [];
  #ended = false;
  #error: unknown;
  #wake: (() => void) | undefined;
  #drained: { promise: Promise<void>; resolve: () => void } | undefined;
  /** While true, chunks are dropped (SUBSCRIBE WITH (SNAPSHOT = false) until the inputs caught up). */
  suppress = false;

  constructor(withOp: boolean, highWater = 64) {
    this.#withOp = withOp;
    this.#highWater = highWater;
  }

  chunk(c: Chunk): void {
    if (this.suppress) return;
    if (!this.#withOp) this.#batches.push(c.rows);
    else {
      const rows: Row[] = new Array<Row>(c.rows.length);
      for (let i = 0; i < c.rows.length; i++) rows[i] = [kindText(kindAt(c, i)), ...c.rows[i]!];
      this.#batches.push(rows);
    }
    this.#notify();
  }

  watermark(): void {}

  idle(): void {}

  barrier(): void {}

  end(): void {
    this.#ended = true;
    this.#notify();
  }

  fail(err: unknown): void {
    if (this.#error === undefined) this.#error = err;
    this.#notify();
  }

  ready(): Promise<void> | undefined {
    if (this.#batches.length <= this.#highWater) return undefined;
    if (this.#drained === undefined) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.#drained = { promise, resolve };
    }
    return this.#drained.promise;
  }

  /** The batches as the session reads them; `stop` runs when reading ends for any reason. */
  async *read(signal: AbortSignal, stop: () => void): AsyncGenerator<Row[]> {
    const onAbort = (): void => this.#notify();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      for (;;) {
        if (signal.aborted) throw new SqlError(SqlState.QUERY_CANCELED, 'canceling statement due to user request');
        const batch = this.#batches.shift();
        if (batch !== undefined) {
          if (this.#drained !== undefined && this.#batches.length <= this.#highWater / 2) {
            this.#drained.resolve();
            this.#drained = undefined;
          }
          if (batch.length > 0) yield batch;
          continue;
        }
        if (this.#error !== undefined) throw this.#error;
        if (this.#ended) return;
        await new Promise<void>((resolve) => (this.#wake = resolve));
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.#drained?.resolve();
      stop();
    }
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}

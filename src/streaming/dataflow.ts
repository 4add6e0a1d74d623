/**
 * The running graph of a continuous query (ARCHITECTURE decisions 1, 4, 9).
 *
 * Stages are connected by Ports and driven by their sources: a source pushes
 * a chunk, and the chunk runs synchronously through every stage down to the
 * sink before the source reads on. Between chunks a source may advance its
 * watermark; a stage with several inputs (join, union) forwards the minimum
 * over its inputs that are not idle, and only when that minimum grows, so a
 * stage sees watermarks that never go back. A bounded input ends with the
 * final watermark (MAX_WATERMARK), which fires every open window, and then
 * `end`. The sink sees `end` once every source has ended.
 *
 * Checkpoint barriers (ARCHITECTURE decision 6) travel in-band like
 * watermarks: the runtime injects barrier n at every source between two
 * chunks; a stage forwards it after everything before it; a stage with
 * several inputs aligns them: once an input delivered barrier n, what it
 * sends next is held back until every other live input delivered barrier n
 * too, then the barrier goes on and the held-back input is replayed. When
 * the sink sees barrier n, every operator has processed exactly the input
 * before it, which is what checkpoint n records.
 *
 * Contract for stages: `chunk` runs the operator on one chunk and forwards
 * what it emits; `watermark` lets the operator emit what the watermark
 * completes, then forwards the watermark; nothing here awaits. An exception
 * thrown by an operator propagates to the source that pushed, which fails the
 * dataflow (see Dataflow in stream-runtime.ts).
 */
import type { Chunk } from '../dataflow/chunk.ts';
import type { IncrementalOperator } from './changelog.ts';

/** The watermark of an input that has ended: every window can fire. */
export const MAX_WATERMARK = Number.MAX_SAFE_INTEGER;

/** Where a stage sends its output. */
export interface Port {
  chunk(c: Chunk): void;
  /** Every row with an event time <= `wm` has arrived. Never decreases on one port. */
  watermark(wm: number): void;
  /** The input produced its last chunk and its final watermark. */
  end(): void;
  /** The input has been silent for the idle timeout (true) or produced data again (false). */
  idle(idle: boolean): void;
  /** Checkpoint barrier `id`: what came before belongs to checkpoint `id`, what follows to the next. */
  barrier(id: number): void;
}

/** A single-input operator between its input and `out`. */
export class OperatorStage implements Port {
  readonly #op: IncrementalOperator;
  readonly #out: Port;

  constructor(op: IncrementalOperator, out: Port) {
    this.#op = op;
    this.#out = out;
  }

  chunk(c: Chunk): void {
    const out = this.#out;
    const emitted = this.#op.push(0, c);
    for (let i = 0; i < emitted.length; i++) if (emitted[i]!.rows.length > 0) out.chunk(emitted[i]!);
  }

  watermark(wm: number): void {
    if (this.#op.watermark !== undefined) for (const c of this.#op.watermark(wm)) if (c.rows.length > 0) this.#out.chunk(c);
    this.#out.watermark(wm);
  }

  end(): void {
    this.#out.end();
  }

  idle(idle: boolean): void {
    this.#out.idle(idle);
  }

  barrier(id: number): void {
    this.#out.barrier(id);
  }
}

/**
 * An operator with several inputs (join: 2, union: n). Input i's chunks go to
 * `op.push(i, ...)`; the merged watermark is the minimum over inputs that are
 * neither idle nor ended (an ended input counts as MAX_WATERMARK); when every
 * live input is idle the watermark holds.
 */
export class MergeStage {
  readonly #op: IncrementalOperator;
  readonly #out: Port;
  readonly #marks: number[];
  readonly #idle: boolean[];
  readonly #ended: boolean[];
  /** The last barrier each input delivered, and the last one forwarded. */
  readonly #barriers: number[];
  #forwarded = -1;
  /** What inputs that are ahead (delivered a barrier not yet forwarded) sent after it, in arrival order. */
  readonly #held: (() => void)[] = [];
  #current = -Infinity;
  #allIdle = false;

  constructor(op: IncrementalOperator, inputs: number, out: Port) {
    this.#op = op;
    this.#out = out;
    this.#marks = new Array<number>(inputs).fill(-Infinity);
    this.#idle = new Array<boolean>(inputs).fill(false);
    this.#ended = new Array<boolean>(inputs).fill(false);
    this.#barriers = new Array<number>(inputs).fill(-1);
  }

  port(input: number): Port {
    const ahead = (): boolean => this.#barriers[input]! > this.#forwarded;
    const port: Port = {
      chunk: (c) => {
        if (ahead()) {
          this.#held.push(() => port.chunk(c));
          return;
        }
        const emitted = this.#op.push(input, c);
        for (let i = 0; i < emitted.length; i++) if (emitted[i]!.rows.length > 0) this.#out.chunk(emitted[i]!);
      },
      watermark: (wm) => {
        if (ahead()) {
          this.#held.push(() => port.watermark(wm));
          return;
        }
        if (wm > this.#marks[input]!) this.#marks[input] = wm;
        this.#advance();
      },
      end: () => {
        if (ahead()) {
          this.#held.push(() => port.end());
          return;
        }
        this.#ended[input] = true;
        this.#marks[input] = MAX_WATERMARK;
        this.#idle[input] = false;
        this.#advance();
        this.#align();
        if (this.#ended.every(Boolean)) this.#out.end();
      },
      idle: (idle) => {
        if (this.#ended[input]) return;
        this.#idle[input] = idle;
        this.#advance();
      },
      barrier: (id) => {
        if (ahead()) {
          this.#held.push(() => port.barrier(id));
          return;
        }
        this.#barriers[input] = id;
        this.#align();
      },
    };
    return port;
  }

  /** Forwards the pending barrier once every live input delivered it, then replays what was held back. */
  #align(): void {
    let pending = -1;
    for (let i = 0; i < this.#barriers.length; i++) if (!this.#ended[i] && this.#barriers[i]! > this.#forwarded) pending = this.#barriers[i]!;
    if (pending < 0) return;
    for (let i = 0; i < this.#barriers.length; i++) if (!this.#ended[i] && this.#barriers[i]! < pending) return;
    this.#forwarded = pending;
    this.#out.barrier(pending);
    const held = this.#held.splice(0);
    for (const replay of held) replay();
  }

  #advance(): void {
    let min = Infinity;
    let live = 0;
    for (let i = 0; i < this.#marks.length; i++) {
      if (this.#idle[i]) continue;
      live++;
      if (this.#marks[i]! < min) min = this.#marks[i]!;
    }
    const allIdle = live === 0;
    if (allIdle !== this.#allIdle) {
      this.#allIdle = allIdle;
      this.#out.idle(allIdle);
    }
    if (allIdle || min <= this.#current) return;
    this.#current = min;
    if (this.#op.watermark !== undefined) for (const c of this.#op.watermark(min)) if (c.rows.length > 0) this.#out.chunk(c);
    const delay = this.#op.watermarkDelay ?? 0;
    this.#out.watermark(min >= MAX_WATERMARK ? min : min - delay);
  }
}

/** An operator that passes chunks on unchanged (UNION ALL's inputs). */
export const passThrough: IncrementalOperator = {
  push: (_input, chunk) => [chunk],
};

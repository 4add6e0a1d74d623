/**
 * A running continuous query: its sources, stages and sink, and its life.
 *
 * - `startDataflow` compiles the plan (0A000 for what has no incremental
 *   form, before anything starts), then runs every source concurrently.
 * - `ready` resolves once every source has delivered the rows that existed
 *   when it started (stored tables' snapshots; bounded inputs entirely), so a
 *   materialized view answers with its full contents from then on.
 * - `done` resolves when every input ended and the sink saw `end`; it rejects
 *   with the error that failed the dataflow (an operator's, a source's).
 * - `stop()` ends it (cancel, disconnect, DROP, LIMIT reached): sources stop
 *   reading, subscriptions to stored tables are dropped, state is released
 *   with the stages. `done` then resolves.
 */
import type { LogicalPlan } from '../planner/logical-plan.ts';
import type { ExecEnv } from '../compiler/compile.ts';
import { MAX_WATERMARK, type Port } from './dataflow.ts';
import { compileStream, type CompiledStream } from './stream-compiler.ts';
import type { StreamInputs } from './stream-sources.ts';

export interface DataflowOptions {
  readonly storedReading: 'snapshot' | 'changelog';
  readonly emptyInputRow?: boolean;
  /** Milliseconds of silence after which a source is idle (0: never, Flink's default). */
  readonly idleTimeoutMs?: number;
  /** Backpressure: the sources wait for this between batches when it returns a promise. */
  readonly ready?: () => Promise<void> | undefined;
  /** Called synchronously the moment every source has caught up (see `ready`). */
  readonly onCaughtUp?: () => void;
}

/** How often processing-time windows look at the clock. */
const CLOCK_INTERVAL_MS = 50;

export type DataflowStatus = 'running' | 'finished' | 'failed' | 'stopped';

export class Dataflow {
  readonly ready: Promise<void>;
  readonly done: Promise<void>;
  #status: DataflowStatus = 'running';
  #error: unknown;
  readonly #abort = new AbortController();
  readonly #compiled: CompiledStream;
  #sourceMarks: number[] = [];
  #clock: NodeJS.Timeout | undefined;
  #resolveDone!: () => void;
  #rejectDone!: (err: unknown) => void;

  constructor(plan: LogicalPlan, env: ExecEnv, inputs: StreamInputs, sink: Port, options: DataflowOptions) {
    this.done = new Promise<void>((resolve, reject) => {
      this.#resolveDone = resolve;
      this.#rejectDone = reject;
    });
    // A dataflow that nobody awaits must not crash the process when it fails.
    this.done.catch(() => undefined);
    let ended = false;
    const guardedSink: Port = {
      chunk: (c) => {
        if (!ended) sink.chunk(c);
      },
      watermark: (wm) => {
        if (!ended) sink.watermark(wm);
      },
      end: () => {
        if (ended) return;
        ended = true;
        sink.end();
        this.#settle('finished');
      },
      idle: (idle) => sink.idle(idle),
    };
    this.#compiled = compileStream(plan, env, inputs, guardedSink, {
      storedReading: options.storedReading,
      emptyInputRow: options.emptyInputRow ?? false,
      finish: () => {
        if (ended) return;
        ended = true;
        sink.end();
        this.#settle('finished');
        this.#abort.abort();
      },
    });
    for (const { op, port } of this.#compiled.initial) for (const c of op.initial()) port.chunk(c);
    if (this.#compiled.clocks.length > 0) {
      const clocks = this.#compiled.clocks;
      this.#clock = setInterval(() => {
        try {
          const now = Date.now() * 1000;
          for (const c of clocks) c.tick(now);
        } catch (err) {
          this.#fail(err);
        }
      }, CLOCK_INTERVAL_MS);
      this.#clock.unref();
    }
    const signal = this.#abort.signal;
    const readyChecks: Promise<void>[] = [];
    this.#sourceMarks = this.#compiled.sources.map(() => -Infinity);
    let behind = this.#compiled.sources.length;
    const runs = this.#compiled.sources.map(({ source, port: inner }, index) => {
      const marks = this.#sourceMarks;
      const port: Port = {
        chunk: (c) => inner.chunk(c),
        watermark: (wm) => {
          if (wm > marks[index]!) marks[index] = wm;
          inner.watermark(wm);
        },
        end: () => inner.end(),
        idle: (idle) => inner.idle(idle),
      };
      let resolveReady!: () => void;
      readyChecks.push(new Promise<void>((resolve) => (resolveReady = resolve)));
      let done = false;
      const caughtUp = (): void => {
        if (done) return;
        done = true;
        resolveReady();
        if (--behind === 0) options.onCaughtUp?.();
      };
      return source
        .run(port, {
          signal,
          ready: options.ready ?? (() => undefined),
          idleTimeoutMs: options.idleTimeoutMs ?? 0,
          fail: (err) => this.#fail(err),
          caughtUp,
        })
        .catch((err: unknown) => this.#fail(err))
        .finally(caughtUp);
    });
    if (runs.length === 0) {
      options.onCaughtUp?.();
      guardedSink.watermark(MAX_WATERMARK);
      guardedSink.end();
    }
    this.ready = Promise.all(readyChecks).then(() => undefined);
  }

  /** The least watermark over the sources (µs), or null before every source has one: CURRENT_WATERMARK. */
  get watermark(): number | null {
    let min = Infinity;
    for (const m of this.#sourceMarks) if (m < min) min = m;
    return min === Infinity || min === -Infinity ? null : min;
  }

  get status(): DataflowStatus {
    return this.#status;
  }

  get error(): unknown {
    return this.#error;
  }

  /** Rows dropped because they arrived after the watermark had passed their window. */
  get lateRows(): number {
    let n = 0;
    for (const c of this.#compiled.lateCounters) n += c.lateRows;
    return n;
  }

  /** Ends the dataflow; what it held is released. */
  stop(): void {
    if (this.#status !== 'running') return;
    this.#abort.abort();
    this.#settle('stopped');
  }

  #fail(err: unknown): void {
    if (this.#status !== 'running') return;
    clearInterval(this.#clock);
    this.#error = err;
    this.#abort.abort();
    this.#status = 'failed';
    this.#rejectDone(err);
  }

  #settle(status: 'finished' | 'stopped'): void {
    if (this.#status !== 'running') return;
    clearInterval(this.#clock);
    this.#status = status;
    this.#resolveDone();
  }
}

export function startDataflow(plan: LogicalPlan, env: ExecEnv, inputs: StreamInputs, sink: Port, options: DataflowOptions): Dataflow {
  return new Dataflow(plan, env, inputs, sink, options);
}

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
 * - `injectBarrier(id)` (checkpoints): when every source can be rewound to
 *   where it is, records each source's position and watermark and sends
 *   barrier `id` from every source that has not ended (when all have, to
 *   the sink directly); it has reached the sink when the call returns
 *   (stages run synchronously). Started with
 *   `from` (one checkpoint per source, in source order), the sources resume
 *   from those positions.
 */
import type { LogicalPlan } from '../planner/logical-plan.ts';
import type { ExecEnv } from '../compiler/compile.ts';
import { MAX_WATERMARK, type Port } from './dataflow.ts';
import { compileStream, type CompiledStream } from './stream-compiler.ts';
import type { SourceCheckpoint, StreamInputs } from './stream-sources.ts';
import type { StateProvider } from './state-provider.ts';
import { InternalError } from '../errors.ts';

export interface DataflowOptions {
  readonly storedReading: 'snapshot' | 'changelog';
  readonly emptyInputRow?: boolean;
  /** Milliseconds of silence after which a source is idle (0: never, Flink's default). */
  readonly idleTimeoutMs?: number;
  /** Backpressure: the sources wait for this between batches when it returns a promise. */
  readonly ready?: () => Promise<void> | undefined;
  /** Called synchronously the moment every source has caught up (see `ready`). */
  readonly onCaughtUp?: () => void;
  /** Where the operators keep their state (default: in memory). */
  readonly state?: StateProvider;
  /** `table.exec.state.ttl` in milliseconds: unwindowed aggregation and join state expires after it unwritten (0: never, the default). */
  readonly stateTtlMs?: number;
  /** Resume every source from a checkpoint (one per source, in the order of `sources`). */
  readonly from?: readonly SourceCheckpoint[];
  /** The reader id this dataflow uses for stored tables' changelogs when it checkpoints. */
  readonly durableReader?: string;
  /** Runs after every chunk a source pushed has gone through the graph (a safe point to evict cached state). */
  readonly afterChunk?: () => void;
  /** The sink replaces rows by these output columns (stream-compiler.ts `upsertKey`). */
  readonly upsertKey?: readonly number[] | undefined;
  /** Instances of every keyed operator (`parallelism.default`; default 1). */
  readonly parallelism?: number;
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
  readonly #sourceEnded: boolean[] = [];
  #sinkBarrier = -1;
  #sink!: Port;
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
      barrier: (id) => {
        // Also after the end: the final checkpoint's barrier comes then.
        this.#sinkBarrier = id;
        sink.barrier(id);
      },
    };
    this.#sink = guardedSink;
    this.#compiled = compileStream(plan, env, inputs, guardedSink, {
      storedReading: options.storedReading,
      emptyInputRow: options.emptyInputRow ?? false,
      ...(options.state !== undefined ? { state: options.state } : {}),
      ...(options.stateTtlMs !== undefined && options.stateTtlMs > 0 ? { stateTtl: { ttlMs: options.stateTtlMs } } : {}),
      upsertKey: options.upsertKey,
      parallelism: options.parallelism ?? 1,
      finish: () => {
        if (ended) return;
        ended = true;
        sink.end();
        this.#settle('finished');
        this.#abort.abort();
      },
    });
    if (options.from !== undefined && options.from.length !== this.#compiled.sources.length) {
      throw new InternalError(`checkpoint has ${options.from.length} sources, the plan ${this.#compiled.sources.length}`);
    }
    // A restored operator's state already holds what `initial` would emit.
    if (options.from === undefined) for (const { op, port } of this.#compiled.initial) for (const c of op.initial()) port.chunk(c);
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
      const afterChunk = options.afterChunk;
      const port: Port = {
        chunk:
          afterChunk === undefined
            ? (c) => inner.chunk(c)
            : (c) => {
                inner.chunk(c);
                afterChunk();
              },
        watermark: (wm) => {
          if (wm > marks[index]!) marks[index] = wm;
          inner.watermark(wm);
        },
        end: () => {
          this.#sourceEnded[index] = true;
          inner.end();
        },
        idle: (idle) => inner.idle(idle),
        barrier: (id) => inner.barrier(id),
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
          ...(options.from !== undefined ? { from: options.from[index]! } : {}),
          ...(options.durableReader !== undefined ? { durableReader: options.durableReader } : {}),
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

  /**
   * Sends checkpoint barrier `id` through the graph and returns what each
   * source had delivered before it; undefined (nothing sent) while a source
   * cannot be rewound to where it is, or the dataflow is not running.
   */
  injectBarrier(id: number): SourceCheckpoint[] | undefined {
    if (this.#status !== 'running' && this.#status !== 'finished') return undefined;
    const sources = this.#compiled.sources;
    const out: SourceCheckpoint[] = [];
    for (let i = 0; i < sources.length; i++) {
      const position = sources[i]!.source.position();
      if (position === undefined) return undefined;
      out.push({ position, watermark: this.#sourceMarks[i]! });
    }
    const live = sources.filter((_, i) => this.#sourceEnded[i] !== true);
    // Every input ended: nothing is in flight, the sink takes the barrier at once (the final checkpoint).
    if (live.length === 0) this.#sink.barrier(id);
    for (const { port } of live) port.barrier(id);
    if (this.#sinkBarrier !== id && this.#status === 'running') {
      throw new InternalError(`checkpoint barrier ${id} did not reach the sink`);
    }
    return out;
  }

  /** Checkpoint with these source positions is durable: sources may let go of what came before. */
  checkpointCommitted(positions: readonly SourceCheckpoint[]): void {
    this.#compiled.sources.forEach(({ source }, i) => source.committed?.(positions[i]!.position));
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

  /** Fails the dataflow from outside (a checkpoint that could not be written). */
  fail(err: unknown): void {
    this.#fail(err);
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

/** A port that drops everything (for compiling a plan without running it). */
const nowhere: Port = { chunk() {}, watermark() {}, end() {}, idle() {}, barrier() {} };

/**
 * Compiles `plan` without running it, so that `state` hears of every state
 * table the dataflow will ask for (durable dataflows restore those first).
 */
export function declareState(plan: LogicalPlan, env: ExecEnv, inputs: StreamInputs, state: StateProvider, options: Pick<DataflowOptions, 'storedReading' | 'emptyInputRow' | 'stateTtlMs' | 'upsertKey' | 'parallelism'>): void {
  compileStream(plan, env, inputs, nowhere, {
    storedReading: options.storedReading,
    parallelism: options.parallelism ?? 1,
    upsertKey: options.upsertKey,
    emptyInputRow: options.emptyInputRow ?? false,
    state,
    finish: () => undefined,
    ...(options.stateTtlMs !== undefined && options.stateTtlMs > 0 ? { stateTtl: { ttlMs: options.stateTtlMs } } : {}),
  });
}

export function startDataflow(plan: LogicalPlan, env: ExecEnv, inputs: StreamInputs, sink: Port, options: DataflowOptions): Dataflow {
  return new Dataflow(plan, env, inputs, sink, options);
}

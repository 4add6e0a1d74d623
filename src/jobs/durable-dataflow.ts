/**
 * A dataflow that survives restarts: a materialized view or a job whose
 * operator state lives in LevelDB and is checkpointed (ARCHITECTURE
 * decisions 5 and 6).
 *
 * - Start: the state tables are restored from the last committed checkpoint
 *   (none: an empty start), the plan is compiled over them and every source
 *   resumes from the checkpoint's position with its watermark, so nothing
 *   the checkpoint covered is read twice and nothing after it is missed.
 * - Every `intervalMs` a checkpoint: barrier n through the graph, then in one
 *   atomic batch the state written since checkpoint n-1, the sources'
 *   positions and what the sink staged for n (`commit`). One checkpoint at a
 *   time; a tick while one is being written is skipped, as is a tick while a
 *   source cannot be rewound (a snapshot being read).
 * - When the input ends, a final checkpoint commits the rest.
 * - A checkpoint that cannot be written (I/O error, full disk) fails the
 *   dataflow with the reason; nothing is dropped silently: the state and
 *   positions on disk stay those of the last completed checkpoint.
 */
import { InternalError } from '../errors.ts';
import type { Store, WriteOp } from '../storage/store.ts';
import type { Dataflow } from '../streaming/stream-runtime.ts';
import type { SourceCheckpoint } from '../streaming/stream-sources.ts';
import type { StateProvider } from '../streaming/state-provider.ts';
import type { StateCodec } from '../state/state-codec.ts';
import { DurableState, RecordingStateProvider, clearState } from '../state/durable-state.ts';
import type { StateMemoryBudget } from '../state/memory-budget.ts';
import { checkpointOp, readCheckpoint, jobKey, type CheckpointHistory, type CheckpointRecord, type CheckpointStats } from './checkpoints.ts';

export interface DurableDataflowSpec {
  /** State owner id (see src/state/durable-state.ts). */
  readonly owner: number;
  /** The dataflow's name in SHOW CHECKPOINTS and as a reader of stored tables' changelogs. */
  readonly name: string;
  readonly store: Store;
  readonly budget: StateMemoryBudget;
  readonly history: CheckpointHistory;
  /** Milliseconds between checkpoints (0: only the final one). */
  readonly intervalMs: number;
  /** The running durable dataflows of the server (a last checkpoint each at shutdown). */
  readonly registry?: Set<DurableDataflow>;
  /** Asks `provider` for every state table the dataflow keeps (compiles the plan without running it). */
  declareState(provider: StateProvider): void;
  /** Compiles and starts the dataflow over `state`, its sources resuming from `from` when given. */
  launch(state: StateProvider, from: readonly SourceCheckpoint[] | undefined): Dataflow;
  /** Writes checkpoint `id`'s operations and what the sink staged for it in one atomic batch (default: the ops alone). */
  commit?(id: number, ops: WriteOp[]): Promise<void>;
}

export class DurableDataflow {
  readonly #spec: DurableDataflowSpec;
  readonly #state: DurableState;
  readonly flow: Dataflow;
  #lastId: number;
  #running: Promise<CheckpointStats | undefined> | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** Whether the dataflow started from a checkpoint (false: from its inputs' beginning). */
  readonly restored: boolean;

  private constructor(spec: DurableDataflowSpec, state: DurableState, last: CheckpointRecord | undefined) {
    this.#spec = spec;
    this.#state = state;
    this.#lastId = last?.id ?? 0;
    this.restored = last !== undefined;
    this.flow = spec.launch(state, last?.sources);
    spec.registry?.add(this);
    if (spec.intervalMs > 0) {
      this.#timer = setInterval(() => void this.checkpoint('checkpoint').catch(() => undefined), spec.intervalMs);
      this.#timer.unref();
    }
    this.flow.done.then(
      () => {
        this.#stopTimer();
        if (this.flow.status === 'finished') void this.checkpoint('final').catch(() => undefined);
      },
      () => this.#stopTimer(),
    );
  }

  /**
   * Restores and starts. `checkpoint: 'ignore'` starts over from the inputs
   * (the old state is deleted first), which is also what happens when there
   * is no checkpoint.
   */
  static async start(spec: DurableDataflowSpec, mode: 'resume' | 'fresh' = 'resume'): Promise<DurableDataflow> {
    const recording = new RecordingStateProvider();
    spec.declareState(recording);
    let last: CheckpointRecord | undefined;
    if (mode === 'resume') {
      try {
        last = await readCheckpoint(spec.store, spec.owner, spec.name);
      } catch (err) {
        process.stderr.write(`millrace: ${(err as Error).message}; ${spec.name} starts over from its inputs\n`);
      }
    }
    if (last === undefined) await DurableDataflow.forget(spec.store, spec.owner);
    const state = await DurableState.load(spec.store, spec.owner, recording.tables as ReadonlyMap<string, StateCodec<unknown>>, spec.budget);
    return new DurableDataflow(spec, state, last);
  }

  /** Deletes the state and checkpoint of `owner`. */
  static async forget(store: Store, owner: number): Promise<void> {
    await store.write([{ type: 'del', key: jobKey(owner, 'checkpoint') }]);
    await clearState(store, owner);
  }

  /** The id of the last completed checkpoint (0: none). */
  get lastCheckpoint(): number {
    return this.#lastId;
  }

  /**
   * Takes a checkpoint now; resolves with its statistics, or undefined when
   * it was skipped (one is already being written, or a source cannot be
   * rewound yet). Rejects when writing it failed; the dataflow then fails too.
   */
  checkpoint(kind: CheckpointStats['kind'], afterCommit?: (record: CheckpointRecord) => Promise<void>): Promise<CheckpointStats | undefined> {
    if (this.#running !== undefined) {
      if (kind === 'checkpoint') return Promise.resolve(undefined);
      // A savepoint or the final checkpoint waits for the one in flight, then runs.
      const again = (): Promise<CheckpointStats | undefined> => this.checkpoint(kind, afterCommit);
      return this.#running.then(again, again);
    }
    const run = this.#take(kind, afterCommit);
    this.#running = run;
    const clear = (): void => {
      if (this.#running === run) this.#running = undefined;
    };
    run.then(clear, clear);
    return run;
  }

  /** One checkpoint; `afterCommit` runs once it is durable, before any other checkpoint can start (savepoint copies). */
  async #take(kind: CheckpointStats['kind'], afterCommit?: (record: CheckpointRecord) => Promise<void>): Promise<CheckpointStats | undefined> {
    const spec = this.#spec;
    const id = this.#lastId + 1;
    const triggered = new Date();
    const sources = this.flow.injectBarrier(id);
    if (sources === undefined) return undefined;
    const ops = this.#state.takeCheckpoint();
    const entries = ops.length;
    const record: CheckpointRecord = { id, time: triggered.getTime(), sources };
    ops.push(checkpointOp(spec.owner, record));
    let bytes = 0;
    for (const op of ops) bytes += op.key.length + (op.type === 'put' ? op.value.length : 0);
    const base = { dataflow: spec.name, id, kind, triggered, bytes, entries };
    try {
      if (spec.commit !== undefined) await spec.commit(id, ops);
      else await spec.store.write(ops);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      spec.history.add({ ...base, status: 'FAILED', durationMs: Date.now() - triggered.getTime(), error: why });
      this.flow.fail(new InternalError(`checkpoint ${id} of ${spec.name} could not be written: ${why}`));
      throw err;
    }
    this.#lastId = id;
    this.#state.committed();
    this.flow.checkpointCommitted(sources);
    await afterCommit?.(record);
    const stats: CheckpointStats = { ...base, status: 'COMPLETED', durationMs: Date.now() - triggered.getTime(), error: null };
    spec.history.add(stats);
    return stats;
  }

  /** Stops the dataflow (its state stays on disk for the next start). */
  stop(): void {
    this.#spec.registry?.delete(this);
    this.#stopTimer();
    this.flow.stop();
    this.#state.close();
  }

  #stopTimer(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}

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
 *   atomic batch the state written since checkpoint n-1, the undo of those
 *   writes (checkpoint-undo.ts; n-1's undo is deleted), record n, record n-1
 *   as the previous one, and what the sink staged for n with its own undo
 *   (`commit`). One checkpoint at a time; a tick while one is being written
 *   is skipped, as is a tick while a source cannot be rewound (a snapshot
 *   being read).
 * - A damaged record n (its checksum fails) is never used: the start applies
 *   undo(n) to the state, makes record n-1 the current one (one batch) and
 *   resumes from it; the sink undoes n's output in its first checkpoint after
 *   that (`CheckpointBatch.rolledBack`). Since n-1 may be needed, a source is
 *   told a checkpoint is durable (it may then drop what came before, e.g. a
 *   stored table's changelog) one checkpoint late: at n's commit, of n-1's
 *   positions. Without a usable n-1 the dataflow starts over from its inputs.
 * - A checkpoint whose state layout version is not this build's
 *   (checkpoints.ts) is treated as absent: the old state is deleted and the
 *   dataflow starts over from its inputs, with a log line.
 * - When the input ends, a final checkpoint commits the rest.
 * - A checkpoint that cannot be written (I/O error, full disk) fails the
 *   dataflow with the reason; nothing is dropped silently: the state and
 *   positions on disk stay those of the last completed checkpoint.
 */
import { InternalError, SqlError, SqlState } from '../errors.ts';
import type { Store, WriteOp } from '../storage/store.ts';
import type { Dataflow } from '../streaming/stream-runtime.ts';
import type { SourceCheckpoint } from '../streaming/stream-sources.ts';
import type { StateProvider } from '../streaming/state-provider.ts';
import type { StateCodec } from '../state/state-codec.ts';
import { DurableState, RecordingStateProvider, clearState } from '../state/durable-state.ts';
import type { StateMemoryBudget } from '../state/memory-budget.ts';
import type { OverwrittenValue } from '../state/level-state-table.ts';
import { currentLayout, decodeCheckpoint, encodeCheckpoint, STATE_LAYOUT_VERSION, jobKey, previousCheckpointKey, sinkUndoKey, type CheckpointHistory, type CheckpointRecord, type CheckpointStats } from './checkpoints.ts';
import { readUndo, rollbackOps, undoOps, undoRange, type WrittenState } from './checkpoint-undo.ts';

/** What a spec's `commit` receives: the checkpoint's operations, plus what its sink must know. */
export interface CheckpointBatch extends Array<WriteOp> {
  /** The dataflow's state owner (the sink keeps its undo under `sinkUndoKey(owner)`). */
  readonly owner: number;
  /**
   * The stored sink undo of a checkpoint that was rolled back (its record was
   * damaged; the dataflow resumed from the one before): the sink undoes that
   * output in this batch. Undefined otherwise.
   */
  readonly rolledBack: Uint8Array | undefined;
}

export function isCheckpointBatch(ops: WriteOp[]): ops is CheckpointBatch {
  return 'owner' in ops && 'rolledBack' in ops;
}

/** The checkpoint a start resumes from, and what is on disk around it. */
interface Restored {
  readonly record: CheckpointRecord;
  /** The record's stored bytes (the next checkpoint keeps them as the previous one). */
  readonly bytes: Uint8Array;
  /** Undo entries on disk (of `record`'s checkpoint), deleted by the next checkpoint. */
  readonly undoKeys: Uint8Array[];
  /** A rolled-back checkpoint's sink undo, still to apply. */
  readonly rolledBack: Uint8Array | undefined;
}

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
  launch(state: DurableState, from: readonly SourceCheckpoint[] | undefined): Dataflow;
  /** Writes checkpoint `id`'s operations and what the sink staged for it in one atomic batch (default: the ops alone). */
  commit?(id: number, ops: CheckpointBatch): Promise<void>;
}

export class DurableDataflow {
  readonly #spec: DurableDataflowSpec;
  readonly #state: DurableState;
  readonly flow: Dataflow;
  #lastId: number;
  /** The last committed record's bytes and sources (the next checkpoint's previous one). */
  #lastBytes: Uint8Array | undefined;
  #lastSources: readonly SourceCheckpoint[] | undefined;
  /** Undo entries on disk: the last checkpoint's, deleted by the next one. */
  #undoKeys: Uint8Array[];
  /** The state writes of the last checkpoint (the old values of the next one's rewrites). */
  #written: WrittenState;
  #rolledBack: Uint8Array | undefined;
  #running: Promise<CheckpointStats | undefined> | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** Why the last checkpoint could not be written; undefined while they succeed. */
  #writeError: string | undefined;
  /** Whether the dataflow started from a checkpoint (false: from its inputs' beginning). */
  readonly restored: boolean;

  private constructor(spec: DurableDataflowSpec, state: DurableState, last: Restored | undefined) {
    this.#spec = spec;
    this.#state = state;
    this.#lastId = last?.record.id ?? 0;
    this.#lastBytes = last?.bytes;
    this.#lastSources = last?.record.sources;
    this.#undoKeys = last?.undoKeys ?? [];
    this.#written = new Map();
    this.#rolledBack = last?.rolledBack;
    this.#writeError = undefined;
    this.restored = last !== undefined;
    this.flow = spec.launch(state, last?.record.sources);
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
    const last = mode === 'resume' ? await restore(spec) : undefined;
    if (last === undefined) await DurableDataflow.forget(spec.store, spec.owner);
    const state = await DurableState.load(spec.store, spec.owner, recording.tables as ReadonlyMap<string, StateCodec<unknown>>, spec.budget, recording.options);
    return new DurableDataflow(spec, state, last);
  }

  /** Deletes the state and checkpoints of `owner` (the records first: what remains is never taken for a checkpoint). */
  static async forget(store: Store, owner: number): Promise<void> {
    await store.write([
      { type: 'del', key: jobKey(owner, 'checkpoint') },
      { type: 'del', key: previousCheckpointKey(owner) },
      { type: 'del', key: sinkUndoKey(owner) },
    ]);
    await store.clear(undoRange(owner));
    await clearState(store, owner);
  }

  /** Why the last checkpoint could not be written (undefined: it could). */
  get checkpointFailure(): string | undefined {
    return this.#writeError;
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
    const overwritten: OverwrittenValue[] = [];
    const ops = this.#state.takeCheckpoint(overwritten);
    const entries = ops.length;
    const record: CheckpointRecord = { id, time: triggered.getTime(), sources };
    const recordBytes = encodeCheckpoint(record);
    let undo: WriteOp[] = [];
    let written: WrittenState = new Map();
    let bytes = 0;
    const base = (): Omit<CheckpointStats, 'status' | 'durationMs' | 'error'> => ({ dataflow: spec.name, id, kind, triggered, bytes, entries });
    try {
      ({ ops: undo, written } = await undoOps(spec.store, spec.owner, id, ops, this.#written, overwritten));
      for (const key of this.#undoKeys) ops.push({ type: 'del', key });
      for (const op of undo) ops.push(op);
      ops.push({ type: 'put', key: jobKey(spec.owner, 'checkpoint'), value: recordBytes });
      const previous = previousCheckpointKey(spec.owner);
      ops.push(this.#lastBytes === undefined ? { type: 'del', key: previous } : { type: 'put', key: previous, value: this.#lastBytes });
      for (const op of ops) bytes += op.key.length + (op.type === 'put' ? op.value.length : 0);
      const batch: CheckpointBatch = Object.assign(ops, { owner: spec.owner, rolledBack: this.#rolledBack });
      if (spec.commit !== undefined) await spec.commit(id, batch);
      else await spec.store.write(batch);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      this.#writeError = why;
      spec.history.add({ ...base(), status: 'FAILED', durationMs: Date.now() - triggered.getTime(), error: why });
      this.flow.fail(new InternalError(`checkpoint ${id} of ${spec.name} could not be written: ${why}`));
      throw err;
    }
    const released = this.#lastSources;
    this.#lastId = id;
    this.#lastBytes = recordBytes;
    this.#lastSources = sources;
    this.#undoKeys = undo.map((op) => op.key);
    this.#written = written;
    this.#rolledBack = undefined;
    this.#writeError = undefined;
    this.#state.committed();
    // One checkpoint late: a fall-back to this checkpoint's predecessor needs what came after its positions.
    if (released !== undefined) this.flow.checkpointCommitted(released);
    await afterCommit?.(record);
    const stats: CheckpointStats = { ...base(), status: 'COMPLETED', durationMs: Date.now() - triggered.getTime(), error: null };
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

/**
 * Reads the checkpoint to resume from. Record n readable: it. Damaged: the
 * undo of n is applied and record n-1 made current in one batch, then n-1
 * (undefined, a fresh start, when n-1 is missing or damaged too or the undo
 * does not belong to n).
 */
async function restore(spec: DurableDataflowSpec): Promise<Restored | undefined> {
  const { store, owner, name } = spec;
  const bytes = await store.get(jobKey(owner, 'checkpoint'));
  if (bytes === undefined) return undefined;
  const sinkUndo = await store.get(sinkUndoKey(owner));
  let damaged: SqlError;
  try {
    const record = decodeCheckpoint(bytes, name);
    if (!currentLayout(record)) {
      process.stderr.write(`millrace: the checkpoint of ${name} holds state in layout version ${record.layout ?? '?'}, this server reads version ${STATE_LAYOUT_VERSION}: ${name} starts over from its inputs\n`);
      return undefined;
    }
    const undoKeys: Uint8Array[] = [];
    for await (const batch of store.keys(undoRange(owner))) for (const key of batch) undoKeys.push(key.slice());
    return { record, bytes, undoKeys, rolledBack: pendingSinkUndo(sinkUndo, record.id) };
  } catch (err) {
    if (!(err instanceof SqlError) || err.code !== SqlState.DATA_CORRUPTED) throw err;
    damaged = err;
  }
  const startOver = (why: string): undefined => {
    process.stderr.write(`millrace: ${damaged.message}; ${why}: ${name} starts over from its inputs\n`);
    return undefined;
  };
  const previousBytes = await store.get(previousCheckpointKey(owner));
  if (previousBytes === undefined) return startOver('there is no checkpoint before it');
  let previous: CheckpointRecord;
  try {
    previous = decodeCheckpoint(previousBytes, name);
  } catch (err) {
    return startOver(`the one before is not usable either (${(err as Error).message})`);
  }
  if (!currentLayout(previous)) return startOver(`the one before holds state in layout version ${previous.layout ?? '?'}, not ${STATE_LAYOUT_VERSION}`);
  const undo = await readUndo(store, owner);
  const stray = undo.find((e) => e.checkpoint !== previous.id + 1);
  if (stray !== undefined) return startOver(`its undo entries belong to checkpoint ${stray.checkpoint}, not ${previous.id + 1}`);
  const ops = rollbackOps(undo);
  ops.push({ type: 'put', key: jobKey(owner, 'checkpoint'), value: previousBytes });
  ops.push({ type: 'del', key: previousCheckpointKey(owner) });
  await store.write(ops);
  process.stderr.write(`millrace: ${damaged.message}; ${name} resumes from checkpoint ${previous.id}, the one before (${undo.length} state entries rolled back)\n`);
  return { record: previous, bytes: previousBytes, undoKeys: [], rolledBack: pendingSinkUndo(sinkUndo, previous.id) };
}

/** The stored sink undo when it belongs to a checkpoint after `restoredId` (one that was rolled back). */
function pendingSinkUndo(bytes: Uint8Array | undefined, restoredId: number): Uint8Array | undefined {
  if (bytes === undefined || bytes.length < 4) return undefined;
  const id = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0);
  return id > restoredId ? bytes : undefined;
}

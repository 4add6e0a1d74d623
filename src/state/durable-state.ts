/**
 * The state of one durable dataflow (a materialized view or a job) in
 * LevelDB (ARCHITECTURE decisions 5 and 6).
 *
 * - Key layout: STATE + uint32 owner + utf8 table name + 0x00 + the table's
 *   key. Owners are materialized views (their catalog id) and jobs
 *   (JOB_OWNER_BASE + job number), so the two never collide.
 * - The tables are known by compiling the plan once with a recording
 *   provider (`recordStateTables`): names and codecs, before anything runs.
 *   `DurableState.load` then restores each of them from what the last
 *   checkpoint committed and serves them to the real compile.
 * - `takeCheckpoint()` collects the writes of every table since the last
 *   checkpoint (values encoded at that moment), for the caller's atomic
 *   batch; `committed()` tells the tables that batch is durable.
 * - State is only ever written together with checkpoint metadata, so what is
 *   on disk is exactly some committed checkpoint's state. The same batch keeps
 *   the undo of those writes (src/jobs/checkpoint-undo.ts): the state of the
 *   checkpoint before can be restored when the last record is damaged.
 */
import { InternalError } from '../errors.ts';
import { KeyPrefix, objectKey, objectPrefix, prefixRange } from '../storage/key-space.ts';
import type { Store, WriteOp } from '../storage/store.ts';
import type { StateProvider, StateTableOptions } from '../streaming/state-provider.ts';
import { MemoryStateTable, type StateTable } from '../streaming/state-table.ts';
import type { StateCodec } from './state-codec.ts';
import { LevelStateTable, type OverwrittenValue } from './level-state-table.ts';
import type { StateMemoryBudget } from './memory-budget.ts';

/** Jobs' state owners start here (materialized views use their catalog ids, which stay below). */
export const JOB_OWNER_BASE = 0x80000000;

const utf8 = new TextEncoder();

/** The key prefix of table `name` of `owner`. */
function tablePrefix(owner: number, name: string): Uint8Array {
  const bytes = utf8.encode(name);
  if (bytes.includes(0)) throw new InternalError(`state table name with a NUL byte: ${JSON.stringify(name)}`);
  const suffix = new Uint8Array(bytes.length + 1);
  suffix.set(bytes, 0);
  return objectKey(KeyPrefix.STATE, owner, suffix);
}

/** A provider that hands out in-memory tables and remembers which were asked for. */
export class RecordingStateProvider implements StateProvider {
  readonly tables = new Map<string, StateCodec<unknown>>();
  /** The options tables were declared with (absent: none). */
  readonly options = new Map<string, StateTableOptions>();

  table<V>(name: string, codec: StateCodec<V>, options?: StateTableOptions): StateTable<V> {
    if (this.tables.has(name)) throw new InternalError(`state table "${name}" asked for twice`);
    this.tables.set(name, codec as StateCodec<unknown>);
    if (options !== undefined) this.options.set(name, options);
    return new MemoryStateTable<V>();
  }
}

export class DurableState implements StateProvider {
  readonly #tables: ReadonlyMap<string, LevelStateTable<unknown>>;
  readonly #handedOut = new Set<string>();

  private constructor(tables: ReadonlyMap<string, LevelStateTable<unknown>>) {
    this.#tables = tables;
  }

  /**
   * Restores the tables named in `codecs` of `owner` from the store (empty
   * when never checkpointed); a table declared point-only (`options`) is
   * restored lazily: nothing is read until its keys are.
   */
  static async load(store: Store, owner: number, codecs: ReadonlyMap<string, StateCodec<unknown>>, budget: StateMemoryBudget, options: ReadonlyMap<string, StateTableOptions> = new Map()): Promise<DurableState> {
    const tables = new Map<string, LevelStateTable<unknown>>();
    for (const [name, codec] of codecs) {
      const pointOnly = options.get(name)?.pointOnly === true;
      tables.set(name, await LevelStateTable.load(store, tablePrefix(owner, name), codec, budget, { pointOnly }));
    }
    return new DurableState(tables);
  }

  table<V>(name: string, codec: StateCodec<V>, options?: StateTableOptions): StateTable<V> {
    return this.levelTable(name, codec, options);
  }

  /** `table`, typed as what it is (its `snapshot` reads a point-only table in key order). */
  levelTable<V>(name: string, _codec: StateCodec<V>, options?: StateTableOptions): LevelStateTable<V> {
    const t = this.#tables.get(name);
    if (t === undefined) throw new InternalError(`state table "${name}" was not restored`);
    if (t.pointOnly && options?.pointOnly !== true) throw new InternalError(`state table "${name}" was restored point-only but is asked for without that option`);
    if (this.#handedOut.has(name)) throw new InternalError(`state table "${name}" asked for twice`);
    this.#handedOut.add(name);
    return t as unknown as LevelStateTable<V>;
  }

  /**
   * Every table's writes since the last checkpoint, as batch operations
   * (values encoded now). `overwritten`, when given (empty), receives per
   * operation what it overwrites as far as the tables know
   * (`OverwrittenValue`), relative to the previous checkpoint taken.
   */
  takeCheckpoint(overwritten?: OverwrittenValue[]): WriteOp[] {
    const ops: WriteOp[] = [];
    const olds: OverwrittenValue[] | undefined = overwritten === undefined ? undefined : [];
    for (const t of this.#tables.values()) {
      for (const op of t.takeCheckpoint(olds)) ops.push(op);
      if (olds !== undefined) {
        for (const o of olds) overwritten!.push(o);
        olds.length = 0;
      }
    }
    return ops;
  }

  /** Releases the tables' memory (the dataflow stopped; what is on disk stays). */
  close(): void {
    for (const t of this.#tables.values()) t.close();
  }

  /** The batch of the last `takeCheckpoint` is durable: those values may now be evicted. */
  committed(): void {
    for (const t of this.#tables.values()) t.checkpointCommitted();
  }
}

/** Deletes every state entry of `owner` (DROP, STOP JOB, a fresh start). */
export async function clearState(store: Store, owner: number): Promise<void> {
  await store.clear(prefixRange(objectPrefix(KeyPrefix.STATE, owner)));
}

/**
 * Incremental group aggregation (non-windowed GROUP BY over a changelog).
 *
 * State (state tables, ARCHITECTURE decision 5):
 * - groups: encoded group key -> { key, rows, accumulators, emitted }, where
 *   `rows` counts the input rows of the group (whatever the FILTER clauses say)
 *   and `emitted` is the result row last sent downstream (null before the first).
 * - distinct: encoded (group key, call index, argument tuple) -> how many rows
 *   of the group carry that tuple, for DISTINCT calls. The accumulator sees a
 *   tuple when its count goes 0 -> 1 and loses it when it goes 1 -> 0.
 *
 * Rule per row kind: +I and +U add the row to its group (accumulator `add`);
 * -U and -D retract it (accumulator `remove`, the inverse of one earlier add;
 * MIN/MAX keep a multiset). A retraction for a group that holds no rows is a
 * broken changelog and fails with an internal error. Per call, rows whose FILTER
 * is not TRUE are skipped, and strict aggregates skip NULL first arguments, as
 * in the batch operator (src/operators/hash-aggregate.ts).
 *
 * Output, once per input chunk (a chunk is one mini-batch: several changes to
 * a group inside it give one output change), for each group the chunk touched,
 * in order of first touch:
 * - first result of the group: +I row;
 * - result differs from the emitted one: -U old, +U new (adjacent), or only
 *   +U new when the spec says `updateBefore: false` (upsert on the group key);
 * - result unchanged: nothing;
 * - the group's row count dropped to zero: -D of the emitted row, state dropped.
 * Output rows are the group keys followed by the aggregate results. A global
 * aggregate (no keys) is the group of the empty key: as in Flink it emits +I
 * with the first row and -U/+U afterwards, and nothing while its input is
 * empty; with `emptyInputRow` it keeps the batch answer instead (one row,
 * COUNT 0, emitted by `initial()`, updated, never deleted).
 * - watermark: forwarded unchanged (no `watermark` hook).
 *
 * State TTL (state-ttl.ts, `table.exec.state.ttl` > 0): a group not written
 * (no row added or retracted) for the TTL expires; its state and its DISTINCT
 * entries are dropped without output, at the next chunk or when the key is read,
 * whichever comes first (an expired group is never used). A later addition
 * starts a new group (+I again); a retraction for a group that holds no rows,
 * or of a DISTINCT tuple the group does not hold, is ignored instead of failing.
 * The global aggregate with `emptyInputRow` never expires (one key, and its row
 * must stay the batch answer). The TTL bookkeeping is per instance and only
 * ever holds keys of the instance's own key groups, so an instance expires
 * only its own groups.
 *
 * Key groups (key-groups.ts): rows are partitioned by their group key; a
 * row's key group is that of the key-codec encoding of its group key values
 * (the global aggregate: of the empty key, one group). Every state key starts
 * with the group's key group byte: a group's entry is
 * inKeyGroup(kg, encoded key) and its DISTINCT entries extend that key, so a
 * key group's state is one contiguous range. The operator reads and writes
 * only keys of its own key groups (rows are routed to the instance owning
 * theirs; a row of another group is an internal error) and never scans
 * outside them (under a TTL: the scan of a restored run's groups covers the
 * owned key groups, that of a restored group's DISTINCT entries its key). The empty-input row of `initial()` is
 * emitted by the instance owning the empty key's group only.
 *
 * ORDER BY inside an aggregate call is refused (not supported yet).
 */
import type { Row, SqlType, Value } from '../../catalog/types.ts';
import { RowKind, type Chunk } from '../dataflow/chunk.ts';
import type { EvalFn } from '../compiler/expr-compiler.ts';
import type { PersistentAccumulator } from '../compiler/exec-context.ts';
import type { AggregateNode } from '../planner/logical-plan.ts';
import { compileExpr, type ExecEnv } from '../compiler/compile.ts';
import { InternalError, notSupported } from '../errors.ts';
import { encodeKey } from '../values/key-codec.ts';
import { rowsEqual } from '../values/compare.ts';
import { ChangelogBuilder, isAddition, kindAt, type IncrementalOperator } from './changelog.ts';
import type { StateTable } from './state-table.ts';
import { GroupAccumulation, incrementalAggregateCalls, loadAccumulators, saveAccumulators } from './group-accumulation.ts';
import { decodeStateValue, encodeStateValue, type StateCodec } from '../state/state-codec.ts';
import { countCodec, memoryStateProvider, stateArray, stateNumber, stateRow, type StateProvider } from './state-provider.ts';
import { prefixRange } from './state-table.ts';
import { addDependent, trackRestoredKeys, ttlTracker, type StateTtl, type TtlSlot, type TtlTracker } from './state-ttl.ts';
import { ALL_KEY_GROUPS, inKeyGroup, keyGroupOf, ownsKeyGroup, type KeyGroupRange } from './key-groups.ts';
import { ownedKeyGroups } from './state-provider.ts';
import type { KeyedOperator } from './parallel-operator.ts';

export interface IncrementalAggregateCall {
  readonly factory: () => PersistentAccumulator;
  readonly args: readonly EvalFn[];
  /** Set when the only argument is an input column: read as `row[argColumn]` instead of through `args`. */
  readonly argColumn?: number | undefined;
  readonly argTypes: readonly SqlType[];
  readonly filter: EvalFn | undefined;
  readonly distinct: boolean;
  /** Rows whose first argument is NULL are not fed (all but count(*), array_agg, first_value, last_value). */
  readonly skipNulls: boolean;
  readonly resultType: SqlType;
}

export interface IncrementalAggregateSpec {
  readonly keys: readonly EvalFn[];
  /** Per key: the input column it is, read as `row[column]` instead of through `keys`; -1 for other expressions. */
  readonly keyColumns?: readonly number[];
  readonly keyTypes: readonly SqlType[];
  readonly calls: readonly IncrementalAggregateCall[];
  /**
   * false: changes are emitted as a lone +U (upsert on the group key, for a
   * consumer keyed on it, as Flink does towards an upsert sink); default true.
   */
  readonly updateBefore?: boolean;
  /**
   * Global aggregate only: keep the batch answer for empty input (one row,
   * COUNT = 0, other aggregates NULL), as Postgres does. `initial()` emits it,
   * the first row updates it (-U/+U) and retracting the last row turns it back
   * into the empty-input row instead of deleting it. Default false (Flink).
   */
  readonly emptyInputRow?: boolean;
}

export interface GroupState {
  readonly key: Row;
  rows: number;
  accs: PersistentAccumulator[];
  emitted: Row | null;
  /** Transient bookkeeping, not state: the number of the chunk that last touched the group. */
  touched?: number;
  /** Transient, not state: the group's state key (key group byte, encoded key), once the operator used the group. */
  stateKey?: Uint8Array | undefined;
}

export interface AggregateStateTables {
  readonly groups: StateTable<GroupState>;
  readonly distinct: StateTable<number>;
  /** The key groups the operator instance owns (key-groups.ts); absent: all of them. */
  readonly keyGroups?: KeyGroupRange;
}

/**
 * A group at a checkpoint: [key, rows, accumulator states, emitted]; decoding
 * restores the accumulators into fresh ones of `calls` (the same calls the
 * operator runs). `touched` is bookkeeping and is not kept.
 */
export function groupStateCodec(calls: readonly IncrementalAggregateCall[]): StateCodec<GroupState> {
  return {
    encode: (g) => encodeStateValue([g.key, g.rows, saveAccumulators(g.accs), g.emitted]),
    decode: (bytes) => {
      const [key, rows, accs, emitted] = stateArray(decodeStateValue(bytes), 'aggregate group', 4);
      return {
        key: stateRow(key, 'aggregate group key'),
        rows: stateNumber(rows, 'aggregate group row count'),
        accs: loadAccumulators(calls, accs),
        emitted: emitted === null ? null : stateRow(emitted, 'aggregate group result'),
      };
    },
  };
}

/**
 * The aggregate's tables from `state`: roles `groups` and `distinct`. Both
 * are only used by key, unless a state TTL expires groups: then a restored
 * run scans its groups once to track them, and a restored group's DISTINCT
 * entries are found by a scan.
 */
export function aggregateStateTables(state: StateProvider, calls: readonly IncrementalAggregateCall[], ttl = false): AggregateStateTables {
  return {
    groups: state.table('groups', groupStateCodec(calls), { pointOnly: !ttl }),
    distinct: state.table('distinct', countCodec, { pointOnly: !ttl }),
    keyGroups: ownedKeyGroups(state),
  };
}

/** The key group of the global aggregate (no group keys): that of the empty key. */
const GLOBAL_KEY_GROUP = keyGroupOf(new Uint8Array(0));
/** The state key of the global aggregate's one group. */
const GLOBAL_STATE_KEY = inKeyGroup(GLOBAL_KEY_GROUP, new Uint8Array(0));

export class IncrementalAggregate implements KeyedOperator {
  readonly #spec: IncrementalAggregateSpec;
  readonly #groups: StateTable<GroupState>;
  readonly #distinct: StateTable<number>;
  readonly #outTypes: readonly SqlType[];
  readonly #updateBefore: boolean;
  readonly #emptyInputRow: boolean;
  readonly #scratch: Value[];
  readonly #keyColumns: readonly number[];
  readonly #acc: GroupAccumulation;
  /** Groups the current chunk touched, in order of first touch. */
  readonly #touchedGroups: GroupState[] = [];
  /**
   * Reused bytes to look groups up by (key group byte, encoded key), and a
   * view of them per key length, so a lookup allocates nothing; a group keeps
   * a copy as its `stateKey`.
   */
  #lookup = new Uint8Array(64);
  #lookupViews: (Uint8Array | undefined)[] = [];
  /** Which chunk is being handled: a group whose `touched` equals it is in the lists already. */
  #chunkNo = 0;
  readonly #out = new ChangelogBuilder();
  /** State TTL bookkeeping; null when state never expires (no per-row cost then). */
  readonly #ttl: TtlTracker | null;
  readonly #hasDistinct: boolean;
  /** The TTL slot of the group of the row being added (for its new DISTINCT entries). */
  #rowSlot: TtlSlot | null = null;
  readonly #onNewDistinct: ((dk: Uint8Array) => void) | undefined;
  readonly #onExpire = (slot: TtlSlot): void => this.#drop(slot);
  readonly #owned: KeyGroupRange;
  /** Whether the groups found in state at the first chunk (a restored run's) were handed to the TTL tracker. */
  #restoredTracked = false;

  constructor(spec: IncrementalAggregateSpec, state?: AggregateStateTables, ttl?: StateTtl) {
    this.#spec = spec;
    const tables = state ?? aggregateStateTables(memoryStateProvider, spec.calls);
    this.#groups = tables.groups;
    this.#distinct = tables.distinct;
    this.#owned = tables.keyGroups ?? ALL_KEY_GROUPS;
    this.#outTypes = [...spec.keyTypes, ...spec.calls.map((c) => c.resultType)];
    this.#updateBefore = spec.updateBefore ?? true;
    this.#emptyInputRow = spec.emptyInputRow ?? false;
    if (this.#emptyInputRow && spec.keys.length > 0) throw new InternalError('emptyInputRow is for aggregates without GROUP BY keys');
    this.#scratch = new Array<Value>(spec.keys.length).fill(null);
    this.#keyColumns = spec.keyColumns ?? spec.keys.map(() => -1);
    this.#ttl = this.#emptyInputRow ? null : ttlTracker(ttl);
    this.#hasDistinct = spec.calls.some((c) => c.distinct);
    const distinct = this.#distinct;
    const live = (dk: Uint8Array): boolean => distinct.get(dk) !== undefined;
    this.#onNewDistinct = this.#ttl !== null && this.#hasDistinct ? (dk) => addDependent(this.#rowSlot!, dk, live) : undefined;
    this.#acc = new GroupAccumulation(spec.calls, spec.keys.length, this.#distinct, 'aggregate', this.#ttl !== null);
    if (spec.calls.length > 255) throw notSupported('more than 255 aggregates in one GROUP BY over a changing input');
  }

  /**
   * What a fresh run (not one restored from a checkpoint) emits before any
   * input: the empty-input row of a global aggregate with `emptyInputRow`.
   */
  initial(): Chunk[] {
    if (!this.#emptyInputRow || !ownsKeyGroup(this.#owned, GLOBAL_KEY_GROUP) || this.#groups.get(GLOBAL_STATE_KEY) !== undefined) return [];
    const g: GroupState = { key: [], rows: 0, accs: this.#acc.fresh(), emitted: null };
    g.emitted = this.#acc.result(g);
    this.#groups.put(GLOBAL_STATE_KEY, g);
    this.#out.emit(RowKind.INSERT, g.emitted);
    return this.#out.take();
  }

  push(_input: number, chunk: Chunk): Chunk[] {
    try {
      this.#accumulate(chunk);
      return this.#emit();
    } catch (err) {
      this.#out.discard();
      throw err;
    } finally {
      this.#touchedGroups.length = 0;
    }
  }

  #accumulate(chunk: Chunk): void {
    if (this.#ttl !== null) {
      this.#accumulateTtl(chunk, this.#ttl);
      return;
    }
    const chunkNo = ++this.#chunkNo;
    const scratch = this.#scratch;
    const rows = chunk.rows;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      const lookup = this.#groupKey(row);
      let g = this.#groups.get(lookup);
      const add = isAddition(kindAt(chunk, i));
      if (g === undefined || g.rows === 0) {
        if (!add) throw new InternalError(`aggregate received a retraction for group (${scratch.join(', ')}) that holds no rows`);
        if (g === undefined) {
          g = this.#newGroup(lookup);
          this.#groups.put(g.stateKey!, g);
        }
      }
      const keyBytes = g.stateKey ?? (g.stateKey = lookup.slice());
      if (g.touched !== chunkNo) {
        g.touched = chunkNo;
        this.#touchedGroups.push(g);
      }
      if (add) this.#acc.add(g, keyBytes, row);
      else this.#acc.remove(g, keyBytes, row);
    }
  }

  keyGroupOf(_input: number, row: Row): number {
    return this.#spec.keys.length === 0 ? GLOBAL_KEY_GROUP : keyGroupOf(this.#encodedKey(row));
  }

  /** The key-codec encoding of `row`'s group key (not empty: there are keys); its values are left in `#scratch`. */
  #encodedKey(row: Row): Uint8Array {
    const { keys, keyTypes } = this.#spec;
    const keyColumns = this.#keyColumns;
    const nk = keys.length;
    const scratch = this.#scratch;
    for (let k = 0; k < nk; k++) {
      const kc = keyColumns[k]!;
      scratch[k] = kc >= 0 ? (row[kc] ?? null) : keys[k]!(row);
    }
    return encodeKey(scratch, keyTypes);
  }

  /**
   * The state key of `row`'s group (its key group byte, then its encoded
   * key), to look it up by: a view of reused bytes, valid until the next call
   * (copy it to keep it). The key values are left in `#scratch`.
   */
  #groupKey(row: Row): Uint8Array {
    if (this.#spec.keys.length === 0) {
      if (GLOBAL_KEY_GROUP < this.#owned.first || GLOBAL_KEY_GROUP > this.#owned.last) this.#misrouted(GLOBAL_KEY_GROUP);
      return GLOBAL_STATE_KEY;
    }
    const encoded = this.#encodedKey(row);
    const kg = keyGroupOf(encoded);
    if (kg < this.#owned.first || kg > this.#owned.last) this.#misrouted(kg);
    const n = encoded.length + 1;
    if (n > this.#lookup.length) {
      this.#lookup = new Uint8Array(2 * n);
      this.#lookupViews = [];
    }
    const bytes = this.#lookup;
    bytes[0] = kg;
    for (let i = 1; i < n; i++) bytes[i] = encoded[i - 1]!;
    return this.#lookupViews[n] ?? (this.#lookupViews[n] = bytes.subarray(0, n));
  }

  /** A new empty group of the key values in `#scratch`, its state key a copy of `lookup`. */
  #newGroup(lookup: Uint8Array): GroupState {
    return { key: this.#scratch.slice(), rows: 0, accs: this.#acc.fresh(), emitted: null, touched: 0, stateKey: lookup === GLOBAL_STATE_KEY ? lookup : lookup.slice() };
  }

  #misrouted(kg: number): never {
    throw new InternalError(`aggregate instance owning key groups ${this.#owned.first}..${this.#owned.last} received a row of key group ${kg}`);
  }

  /** `#accumulate` under a state TTL: expired groups are dropped before use, retractions without a group ignored. */
  #accumulateTtl(chunk: Chunk, ttl: TtlTracker): void {
    const chunkNo = ++this.#chunkNo;
    const now = ttl.now();
    if (!this.#restoredTracked) {
      this.#restoredTracked = true;
      trackRestoredKeys(ttl, this.#groups, this.#owned, now);
    }
    ttl.expire(now, this.#onExpire);
    const rows = chunk.rows;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      const lookup = this.#groupKey(row);
      let g = this.#groups.get(lookup);
      let slot: TtlSlot | null = null;
      if (g !== undefined) {
        const stateKey = g.stateKey ?? (g.stateKey = lookup.slice());
        slot = ttl.touch(stateKey, now);
        if (slot === null) {
          this.#drop(ttl.forget(stateKey)!);
          g = undefined;
        }
      }
      const add = isAddition(kindAt(chunk, i));
      if (g === undefined || g.rows === 0) {
        if (!add) continue;
        if (g === undefined) {
          g = this.#newGroup(lookup);
          this.#groups.put(g.stateKey!, g);
          slot = ttl.written(g.stateKey!, now);
        }
      }
      const keyBytes = g.stateKey!;
      if (g.touched !== chunkNo) {
        g.touched = chunkNo;
        this.#touchedGroups.push(g);
      }
      this.#rowSlot = slot;
      if (add) this.#acc.add(g, keyBytes, row, this.#onNewDistinct);
      else this.#acc.remove(g, keyBytes, row);
    }
    this.#rowSlot = null;
  }

  /** Drops an expired group: its state and its DISTINCT entries, no output. */
  #drop(slot: TtlSlot): void {
    this.#groups.delete(slot.key);
    this.#dropDistinct(slot);
  }

  /**
   * Deletes the DISTINCT entries of the group of `slot`. Needed on expiry, and
   * also when a group empties under a TTL: a retraction ignored after an
   * expiry can leave tuples counted that no row of the group carries.
   */
  #dropDistinct(slot: TtlSlot): void {
    if (!this.#hasDistinct) return;
    if (slot.complete) {
      const dks = slot.dependents;
      if (dks !== null) for (let i = 0; i < dks.length; i++) this.#distinct.delete(dks[i]!);
      return;
    }
    // Restored from a checkpoint: the group's entries were not heard of, look them up.
    const found: Uint8Array[] = [];
    for (const [dk] of this.#distinct.scan(prefixRange(slot.key))) found.push(dk);
    for (const dk of found) this.#distinct.delete(dk);
  }

  #emit(): Chunk[] {
    const out = this.#out;
    const groups = this.#touchedGroups;
    for (let t = 0; t < groups.length; t++) {
      const g = groups[t]!;
      const keyBytes = g.stateKey!;
      if (g.rows === 0 && !this.#emptyInputRow) {
        if (g.emitted !== null) out.emit(RowKind.DELETE, g.emitted);
        this.#groups.delete(keyBytes);
        if (this.#ttl !== null) {
          const slot = this.#ttl.forget(keyBytes);
          if (slot !== undefined) this.#dropDistinct(slot);
        }
        continue;
      }
      const result = this.#acc.result(g);
      if (g.emitted === null) out.emit(RowKind.INSERT, result);
      else if (!rowsEqual(g.emitted, result, this.#outTypes)) {
        if (this.#updateBefore) out.update(g.emitted, result);
        else out.emit(RowKind.UPDATE_AFTER, result);
      } else {
        this.#groups.put(keyBytes, g);
        continue;
      }
      g.emitted = result;
      this.#groups.put(keyBytes, g);
    }
    return out.take();
  }
}

/**
 * The aggregation of a logical plan node (expressions without subqueries,
 * calls without ORDER BY), its tables from `state`.
 */
export function incrementalAggregateOf(
  node: AggregateNode,
  env: ExecEnv,
  state: StateProvider = memoryStateProvider,
  opts: { readonly updateBefore?: boolean; readonly emptyInputRow?: boolean; readonly ttl?: StateTtl | undefined } = {},
): IncrementalAggregate {
  const calls = incrementalAggregateCalls(node, env, 'over a changing input');
  return new IncrementalAggregate(
    {
      keys: node.groupKeys.map((e) => compileExpr(e, env)),
      keyColumns: node.groupKeys.map((e) => (e.kind === 'column' ? e.index : -1)),
      keyTypes: node.groupKeys.map((e) => e.type),
      calls,
      updateBefore: opts.updateBefore ?? true,
      emptyInputRow: opts.emptyInputRow ?? false,
    },
    aggregateStateTables(state, calls, opts.ttl !== undefined && opts.ttl.ttlMs > 0),
    opts.ttl,
  );
}

/**
 * Event-time window aggregation: `GROUP BY window_start, window_end, k...`
 * over the output of a TUMBLE / HOP / CUMULATE window TVF (Flink's window
 * aggregate). Each group is one window of one key; it emits exactly one final
 * row when the watermark completes its window, and its state is purged.
 *
 * Key groups (key-groups.ts, ARCHITECTURE decision 8): a group's key group is
 * that of its partition key, the group keys other than window_start and
 * window_end (key-codec encoding, in spec order; without such keys every
 * group is in the group of the empty key). It is computed once per group, at
 * the end of the chunk that created the group (at its creation when DISTINCT
 * entries need it), when the group takes its place in a block; a single
 * partition key column remembers the key groups of its values across windows
 * (32-bit integers in a direct-mapped array, other values in a Map).
 *
 * State (state tables, decision 5); every key starts with its key group:
 * - windows: key group ++ encodeKey([window_end, block]) -> WindowBlock, the
 *   groups of one key group in one open window, in blocks of
 *   WINDOW_BLOCK_SIZE in creation order (block b of a key group holds its
 *   b * WINDOW_BLOCK_SIZE-th group and those created after it). A chunk puts
 *   back only the blocks whose groups it changed, so a checkpoint of a
 *   persistent table encodes those blocks, not whole windows. A block saves
 *   per group: the key values other than window_start and window_end (which
 *   the window fixes), input row count, accumulator states, the key encoding
 *   when there are DISTINCT calls, and the group's creation ordinal within its
 *   window (its firing order).
 * - distinct: key group ++ group key encoding (window_end first) ++ call
 *   index ++ argument tuple -> row count, for DISTINCT calls, as in
 *   incremental-aggregate.ts; a window's entries of a key group share the
 *   prefix key group ++ encoded end.
 *
 * An instance owns a range of key groups (StateProvider.keyGroups) and reads
 * and writes only their keys. It knows its windows' ends in memory (at the
 * first row or watermark after a restore, one scan of its key groups finds
 * the saved ones); a window is fired over all owned key groups at once, so
 * windows fire in window-end order, one at a time.
 *
 * In memory, an open window (WindowState) holds its groups (of every owned
 * key group) as slots 0 .. size - 1 in creation order: key values per index
 * level, row counts and one accumulator column per call
 * (accumulator-columns.ts: COUNT and SUM / AVG over numbers as plain number
 * arrays), an index from the key values to the slot (one nested Map level
 * per key, see `levelKey`), and per slot its block (slots created by the
 * current chunk get theirs at its end). The table's live blocks
 * read the window; after a restore the table holds blocks as saved, and the
 * window is rebuilt from the blocks of the owned key groups (slots in order
 * of their saved ordinals) when a row or the watermark first needs it.
 *
 * Per row nothing is encoded or allocated unless the row creates a group: the
 * window is found by its end (cached while consecutive rows share it), the
 * group by Map lookups on the key values themselves, and calls that read one
 * column without FILTER or DISTINCT feed their columns directly. A new group
 * costs its slot in the columns and its index entry; key groups and blocks
 * are assigned in one pass per chunk.

 * A window is fired when fireTime(window_end) <= watermark, fireTime giving
 * window_time (end - 1 ms; over TIMESTAMP_LTZ the instant of the zone's
 * wall-clock end - 1 ms), as Flink's TimeWindowUtil.isWindowFired.
 *
 * Rule per row kind:
 * - +I / +U: added to its window's group (accumulator `add`), unless the window
 *   already fired: then the row is late, dropped and counted in `lateRows`.
 * - -U / -D: retracted from its group (accumulator `remove`); a retraction for a
 *   fired window is late (dropped, counted); a retraction for an open window
 *   whose group holds no rows is a broken changelog (internal error). A group
 *   whose rows all got retracted before firing is not emitted (it stays in its
 *   window, empty, until the window fires, and takes rows again if some come).
 * - Rows whose window_end is NULL belong to no window and are ignored.
 * - watermark(wm): every group whose window fired emits one +I row (group
 *   keys ++ aggregate results), in order of window_end, then of the group's
 *   creation (its first row) within the window, and the window's state (and
 *   its DISTINCT counts) is deleted. Output is insert-only. The final
 *   watermark (Number.MAX_SAFE_INTEGER) fires everything left.
 * - push emits nothing.
 *
 * ORDER BY inside an aggregate call is refused (not supported yet).
 */
import type { Row, SqlType, Value } from '../../catalog/types.ts';
import { INT } from '../../catalog/types.ts';
import { RowKind, type Chunk } from '../dataflow/chunk.ts';
import type { EvalFn } from '../compiler/expr-compiler.ts';
import type { AggregateNode } from '../planner/logical-plan.ts';
import { compileExpr, type ExecEnv } from '../compiler/compile.ts';
import { windowAggregationOf } from '../planner/window-aggregation.ts';
import { windowStart } from '../operators/window-assign.ts';
import { columnsOf } from '../optimizer/rewrite.ts';
import { InternalError, notSupported } from '../errors.ts';
import { encodeKey } from '../values/key-codec.ts';
import { bytesKey, keyedByValue } from '../values/map-key.ts';
import { ChangelogBuilder, isAddition, type IncrementalOperator } from './changelog.ts';
import type { IncrementalAggregateCall } from './incremental-aggregate.ts';
import { prefixRange, type KeyRange, type StateTable } from './state-table.ts';
import type { AccumulatorColumn, AccumulatorColumnFactory } from './accumulator-columns.ts';
import { accumulatorColumnFactory, GroupAccumulation, incrementalAggregateCalls } from './group-accumulation.ts';
import { decodeStateValue, encodeStateValue, type StateCodec, type StateValue } from '../state/state-codec.ts';
import { countCodec, memoryStateProvider, ownedKeyGroups, stateArray, stateNumber, type StateProvider } from './state-provider.ts';
import { ALL_KEY_GROUPS, inKeyGroup, KEY_GROUPS, keyGroupOf, keyGroupRange, type KeyGroupRange } from './key-groups.ts';
import type { KeyedOperator } from './parallel-operator.ts';

export interface WindowAggregateSpec {
  /** All group keys of the AggregateNode, in order (window_start and window_end among them). */
  readonly keys: readonly EvalFn[];
  /** Per key: the input column it is, read as `row[column]` instead of through `keys`; -1 for other expressions. */
  readonly keyColumns?: readonly number[];
  readonly keyTypes: readonly SqlType[];
  readonly calls: readonly IncrementalAggregateCall[];
  /** Index into `keys` of window_end. */
  readonly windowEndKey: number;
  /**
   * Index into `keys` of window_start of the same window TVF, if grouped by:
   * window_end determines it, so groups are not looked up by it.
   */
  readonly windowStartKey?: number;
  /** window_time (the instant the window is complete) of a window_end value. */
  readonly fireTime: (windowEnd: number) => number;
  /**
   * Set when the operator is fed the rows of a TUMBLE's input (over a
   * TIMESTAMP time column) instead of its output: window_end is computed from
   * the time column (window_start = window_end - size), and `keys` /
   * `calls` read only the input's columns, which keep their positions in the
   * TUMBLE's output. Saves the window assignment's row copy.
   */
  readonly tumble?: {
    readonly time: EvalFn;
    /** The input column `time` reads, when it is a column reference (read directly). */
    readonly timeColumn?: number;
    readonly size: number;
    readonly offset: number;
  };
}

/** Groups per state entry: a key group's groups b * WINDOW_BLOCK_SIZE .. (b + 1) * WINDOW_BLOCK_SIZE - 1 of a window form its block b. */
export const WINDOW_BLOCK_SIZE = 64;

const NO_BYTES = new Uint8Array(0);

/** A packed array of KEY_GROUPS undefined entries (one per key group's last block). */
function noBlocks(): (WindowBlock | undefined)[] {
  const out: (WindowBlock | undefined)[] = [];
  for (let i = 0; i < KEY_GROUPS; i++) out.push(undefined);
  return out;
}

/** Level keys whose key group an operator remembers (see `#groupCache`), before it forgets them all. */
const GROUP_CACHE_LIMIT = 1 << 16;

/** Entries of the direct-mapped key group cache of 32-bit integer partition keys (see `#intGroups`): 1 << (32 - INT_CACHE_SHIFT). */
const INT_CACHE_SHIFT = 18;

/** A nested group index level: level key -> next level, or -> group slot at the last level. */
export type GroupIndex = Map<Value, GroupIndex | number>;

/**
 * An open window in memory: its groups are slots 0 .. size - 1 in creation
 * order (the firing order), kept column-wise.
 */
export interface WindowState {
  readonly end: number;
  /** window_start (when grouped by it): the same for every group of the window. */
  readonly start: Value;
  /** Number of groups. */
  size: number;
  /** The slot of the other keys' level keys (see WindowLevels). */
  readonly index: GroupIndex;
  /** Per index level, per slot: the group's key value. */
  readonly levelValues: Value[][];
  /** Per slot: input rows the group holds (added minus retracted). */
  readonly rows: number[];
  /** Per aggregate call: its accumulators. */
  readonly columns: AccumulatorColumn[];
  /** Per slot, with DISTINCT calls only: the group key's encoding (window_end first). */
  readonly keyBytes: Uint8Array[];
  /** Per slot below `assigned`: the state entry (block) holding the group. */
  readonly slotBlocks: WindowBlock[];
  /**
   * Slots below it have their block; the slots from it on were created by
   * the current chunk and get theirs at its end, when their key groups are
   * computed (see `#assignPending`).
   */
  assigned: number;
  /**
   * Creation ordinals (ascending with the slot, see `ordinalOf`): per slot
   * rebuilt from saved blocks, its saved ordinal (empty for a window opened
   * by a row); the slots after them have ordinal slot + `ordinalShift`.
   */
  readonly restoredOrdinals: number[];
  ordinalShift: number;
  /** Per key group: its last block (where its next group goes), once it has one. */
  readonly lastBlocks: (WindowBlock | undefined)[];
  /** The state entries of the window, every key group's. */
  readonly blocks: WindowBlock[];
  /** DISTINCT entries created for the window, deleted with it. */
  readonly distinct: Uint8Array[];
  /** Whether `distinct` lists all of them; false after a restore (then they are found by key prefix). */
  distinctListed: boolean;
}

/** The creation ordinal of slot `s` of window `w`: its firing order, saved with the group. */
function ordinalOf(w: WindowState, s: number): number {
  const restored = w.restoredOrdinals;
  return s < restored.length ? restored[s]! : s + w.ordinalShift;
}

/** The groups of one block as a checkpoint holds them: per slot [level values, rows, accumulator states, key encoding or null, ordinal]. */
interface SavedBlock {
  readonly start: Value;
  readonly slots: readonly StateValue[];
}

/**
 * A value of the `windows` state table: block `block` of one key group's
 * groups in the window ending at `end`. Live, it reads the groups (its
 * `slots`) from its window; restored, it holds them as saved until the
 * operator rebuilds the window from its blocks.
 */
export class WindowBlock {
  readonly end: number;
  readonly block: number;
  readonly window: WindowState | null;
  readonly saved: SavedBlock | null;
  /** Live blocks: the block's key in the `windows` table. */
  readonly key: Uint8Array | null;
  /** Live blocks: the window slots of its groups, in creation order. */
  readonly slots: number[];
  /** Transient: the number of the chunk that last touched the block (for one put per chunk). */
  mark: number;

  constructor(end: number, block: number, window: WindowState | null, saved: SavedBlock | null, key: Uint8Array | null) {
    this.end = end;
    this.block = block;
    this.window = window;
    this.saved = saved;
    this.key = key;
    this.slots = [];
    this.mark = -1;
  }

  /** Number of groups in the block. */
  get groups(): number {
    return this.window === null ? this.saved!.slots.length : this.slots.length;
  }
}

/**
 * How a window's groups are indexed: the keys nested on (all but window_end
 * and window_start, which window_end determines) and their Map keys.
 */
class WindowLevels {
  /** Group key indexes (spec order) of the index levels, outermost first. */
  readonly levels: readonly number[];
  /** Per level: its values are Map keys as they are. */
  readonly byValue: readonly boolean[];
  readonly #types: readonly SqlType[][];
  readonly #levelTypes: readonly SqlType[];
  readonly #scratch: Value[] = [null];
  /** With one INT level: its key-codec encoding (tag 0x01, then big-endian with the sign bit flipped), written in place. */
  readonly #intKey: Uint8Array | null;

  constructor(spec: WindowAggregateSpec) {
    const levels: number[] = [];
    for (let k = 0; k < spec.keys.length; k++) if (k !== spec.windowEndKey && k !== spec.windowStartKey) levels.push(k);
    this.levels = levels;
    this.byValue = levels.map((k) => keyedByValue(spec.keyTypes[k]!));
    this.#types = levels.map((k) => [spec.keyTypes[k]!]);
    this.#levelTypes = levels.map((k) => spec.keyTypes[k]!);
    this.#intKey = levels.length === 1 && this.#levelTypes[0]!.kind === 'INT' ? Uint8Array.of(1, 0, 0, 0, 0) : null;
  }

  /** The Map key of value `v` at level `l`: the value, or its encoding as a string for types not keyed by value. */
  levelKey(l: number, v: Value): Value {
    if (this.byValue[l]) return v;
    this.#scratch[0] = v;
    return bytesKey(encodeKey(this.#scratch, this.#types[l]!));
  }

  /** The key group of the partition key `values` (one per level). */
  keyGroup(values: readonly Value[]): number {
    const intKey = this.#intKey;
    const v = values[0];
    if (intKey !== null && typeof v === 'number') {
      const u = (v ^ 0x80000000) >>> 0;
      intKey[1] = u >>> 24;
      intKey[2] = u >>> 16;
      intKey[3] = u >>> 8;
      intKey[4] = u;
      return keyGroupOf(intKey);
    }
    return keyGroupOf(encodeKey(values, this.#levelTypes));
  }

  /** Enters slot `slot` of window `w` (key values already in `w.levelValues`) into its index. */
  insert(w: WindowState, slot: number): void {
    const nl = this.levels.length;
    let level = w.index;
    for (let l = 0; l < nl; l++) {
      const lk = this.levelKey(l, w.levelValues[l]![slot] ?? null);
      if (l === nl - 1) {
        level.set(lk, slot);
        return;
      }
      let next = level.get(lk) as GroupIndex | undefined;
      if (next === undefined) {
        next = new Map();
        level.set(lk, next);
      }
      level = next;
    }
  }
}

/** Key encodings of the `windows` table (without the key group): window_end, then the block number. */
class WindowKeys {
  readonly #endTypes: readonly SqlType[];
  readonly #blockTypes: readonly SqlType[];
  readonly #scratch: Value[] = [null, null];

  constructor(endType: SqlType) {
    this.#endTypes = [endType];
    this.#blockTypes = [endType, INT];
  }

  /** The prefix every key of the window ending at `end` (and every DISTINCT entry of its groups) starts with after its key group. */
  window(end: number): Uint8Array {
    this.#scratch[0] = end;
    return encodeKey(this.#scratch, this.#endTypes);
  }

  block(end: number, block: number): Uint8Array {
    this.#scratch[0] = end;
    this.#scratch[1] = block;
    return encodeKey(this.#scratch, this.#blockTypes);
  }
}

/**
 * A block at a checkpoint: [end, start, block, slots], each slot [level
 * values, row count, accumulator states, key encoding or null, ordinal]. Decoding
 * gives a block as saved; the operator rebuilds the window from its blocks
 * when it next needs the window.
 */
export function windowBlockCodec(): StateCodec<WindowBlock> {
  return {
    encode: (b) => {
      const w = b.window;
      if (w === null) return encodeStateValue([b.end, b.saved!.start, b.block, b.saved!.slots]);
      const slots: StateValue[] = [];
      const nl = w.levelValues.length;
      for (const s of b.slots) {
        const keys: Value[] = new Array(nl);
        for (let l = 0; l < nl; l++) keys[l] = w.levelValues[l]![s] ?? null;
        slots.push([keys, w.rows[s]!, w.columns.map((c) => c.save(s)), w.keyBytes[s] ?? null, ordinalOf(w, s)]);
      }
      return encodeStateValue([b.end, w.start, b.block, slots]);
    },
    decode: (bytes) => {
      const [end, start, block, slots] = stateArray(decodeStateValue(bytes), 'window block', 4);
      const saved: SavedBlock = { start: (start ?? null) as Value, slots: stateArray(slots, 'window block groups') };
      return new WindowBlock(stateNumber(end, 'window end'), stateNumber(block, 'window block number'), null, saved, null);
    },
  };
}

export interface WindowAggregateStateTables {
  readonly windows: StateTable<WindowBlock>;
  readonly distinct: StateTable<number>;
  /** The key groups the instance owns; absent: all. */
  readonly keyGroups?: KeyGroupRange;
}

/** The window aggregate's tables from `state`: roles `windows` and `distinct`, and the instance's key groups. */
export function windowAggregateStateTables(state: StateProvider): WindowAggregateStateTables {
  return { windows: state.table('windows', windowBlockCodec()), distinct: state.table('distinct', countCodec), keyGroups: ownedKeyGroups(state) };
}

/** `range` (keys without their key group) in each key group of `groups`. */
function* scanOwned<V>(table: StateTable<V>, groups: KeyGroupRange, range: KeyRange): IterableIterator<[number, Uint8Array, V]> {
  for (let g = groups.first; g <= groups.last; g++) {
    for (const [key, value] of table.scan(keyGroupRange(g, range))) yield [g, key, value];
  }
}

export class WindowAggregate implements KeyedOperator {
  readonly #spec: WindowAggregateSpec;
  readonly #distinct: StateTable<number>;
  readonly #windows: StateTable<WindowBlock>;
  readonly #keyGroups: KeyGroupRange;
  /** Open windows by window_end; the `windows` table holds the same groups, block by block. */
  readonly #open = new Map<number, WindowState>();
  /** Ends of windows with blocks in the owned key groups not rebuilt in `#open` yet; null until the table was looked at. */
  #saved: Set<number> | null = null;
  /** Scratch for the partition key values of a row. */
  readonly #partitionScratch: Value[];
  /** The key group of every group when there is no partition key. */
  readonly #soleGroup: number;
  /** With one partition key column: key groups of its recent level keys (a key usually has groups in many windows). */
  readonly #groupCache = new Map<Value, number>();
  /**
   * With one partition key column whose level keys are 32-bit integers: a
   * direct-mapped cache of their key groups, entry i at the top bits of key *
   * 0x9e3779b1, as [2i] the key and [2i + 1] its key group + 1 (0: empty).
   * A lookup reads one cache line where `#groupCache` probes a Map. Empty for
   * other partition keys.
   */
  readonly #intGroups: Int32Array;
  /** Key evaluation order for the encoding: window_end first, then the other keys in order. */
  readonly #order: readonly number[];
  readonly #encodeTypes: readonly SqlType[];
  readonly #windowKeys: WindowKeys;
  readonly #index: WindowLevels;
  /** The keys (spec indexes) the index is nested by (see WindowLevels). */
  readonly #levels: readonly number[];
  /** Per level: the input column it reads directly, or -1. */
  readonly #levelColumns: readonly number[];
  /** Per level: its values are Map keys as they are. */
  readonly #byValue: readonly boolean[];
  readonly #hasDistinct: boolean;
  readonly #columnFactories: readonly AccumulatorColumnFactory[];
  /** Every call reads one input column (or none) and has no FILTER and no DISTINCT: rows go straight to the columns. */
  readonly #plain: boolean;
  /** With #plain, per call: the input column of its argument, -1 without arguments. */
  readonly #argColumns: readonly number[];
  readonly #skipNulls: readonly boolean[];
  readonly #encodeScratch: Value[];
  readonly #acc: GroupAccumulation;
  /** window_end of an input row. */
  readonly #endOf: EvalFn;
  /** window_start of an input row (of a window being created), when grouped by it. */
  readonly #startOf: EvalFn | undefined;
  /** The window of the row being added, for DISTINCT entries it creates. */
  #rowWindow: WindowState | undefined = undefined;
  readonly #onNewDistinct = (dk: Uint8Array): void => {
    this.#rowWindow!.distinct.push(dk);
  };
  readonly #out = new ChangelogBuilder();
  /** Windows with slots created by the current chunk and not yet in a block. */
  readonly #pending: WindowState[] = [];
  /** Blocks touched by the current chunk, written back at its end. */
  readonly #touched: WindowBlock[] = [];
  #chunkNo = 0;
  #wm = Number.NEGATIVE_INFINITY;
  #late = 0;

  constructor(spec: WindowAggregateSpec, state?: WindowAggregateStateTables) {
    const nk = spec.keys.length;
    if (spec.windowEndKey < 0 || spec.windowEndKey >= nk) throw new InternalError('window aggregate: window_end is not a group key');
    if (spec.calls.length > 255) throw notSupported('more than 255 aggregates in one window aggregation');
    this.#spec = spec;
    const tables = state ?? windowAggregateStateTables(memoryStateProvider);
    this.#distinct = tables.distinct;
    this.#windows = tables.windows;
    this.#keyGroups = tables.keyGroups ?? ALL_KEY_GROUPS;
    const order = [spec.windowEndKey];
    for (let k = 0; k < nk; k++) if (k !== spec.windowEndKey) order.push(k);
    this.#order = order;
    this.#encodeTypes = order.map((k) => spec.keyTypes[k]!);
    this.#windowKeys = new WindowKeys(spec.keyTypes[spec.windowEndKey]!);
    this.#index = new WindowLevels(spec);
    this.#levels = this.#index.levels;
    this.#levelColumns = this.#levels.map((k) => spec.keyColumns?.[k] ?? -1);
    this.#byValue = this.#index.byValue;
    this.#hasDistinct = spec.calls.some((c) => c.distinct);
    this.#columnFactories = spec.calls.map(accumulatorColumnFactory);
    this.#plain = spec.calls.every((c) => c.filter === undefined && !c.distinct && (c.argColumn !== undefined || c.args.length === 0));
    this.#argColumns = spec.calls.map((c) => c.argColumn ?? -1);
    this.#skipNulls = spec.calls.map((c) => c.skipNulls && c.args.length > 0);
    const tumble = spec.tumble;
    const sk = spec.windowStartKey;
    if (tumble !== undefined) {
      if (sk === undefined) throw new InternalError('fused TUMBLE aggregation without window_start');
      const { time, size, offset } = tumble;
      const tc = tumble.timeColumn ?? -1;
      // The window of the previous row is reused while rows fall into it.
      let lo = Number.POSITIVE_INFINITY;
      let hi = Number.NEGATIVE_INFINITY;
      this.#endOf = (row) => {
        const t = tc >= 0 ? (row[tc] ?? null) : time(row);
        if (t === null) return null;
        const ts = t as number;
        if (ts < lo || ts >= hi) {
          lo = windowStart(ts, offset, size);
          hi = lo + size;
        }
        return hi;
      };
      this.#startOf = (row) => {
        const t = time(row);
        return t === null ? null : windowStart(t as number, offset, size);
      };
    } else {
      const ec = spec.keyColumns?.[spec.windowEndKey] ?? -1;
      this.#endOf = ec >= 0 ? (row) => row[ec] ?? null : spec.keys[spec.windowEndKey]!;
      if (sk === undefined) this.#startOf = undefined;
      else {
        const sc = spec.keyColumns?.[sk] ?? -1;
        this.#startOf = sc >= 0 ? (row) => row[sc] ?? null : spec.keys[sk]!;
      }
    }
    this.#encodeScratch = new Array<Value>(nk).fill(null);
    this.#partitionScratch = new Array<Value>(this.#levels.length).fill(null);
    this.#soleGroup = this.#index.keyGroup([]);
    const intCache = this.#levels.length === 1 && this.#byValue[0] === true ? 1 << (32 - INT_CACHE_SHIFT) : 0;
    this.#intGroups = new Int32Array(2 * intCache);
    this.#acc = new GroupAccumulation(spec.calls, nk, this.#distinct, 'window aggregate');
  }

  /** Rows dropped because their window had already fired when they arrived. */
  get lateRows(): number {
    return this.#late;
  }

  /** The key group of an input row: that of its group keys other than window_start and window_end. */
  keyGroupOf(_input: number, row: Row): number {
    const levels = this.#levels;
    if (levels.length === 0) return this.#soleGroup;
    const { keys } = this.#spec;
    const levelColumns = this.#levelColumns;
    const values = this.#partitionScratch;
    for (let l = 0; l < levels.length; l++) {
      const lc = levelColumns[l]!;
      values[l] = lc >= 0 ? (row[lc] ?? null) : keys[levels[l]!]!(row);
    }
    return this.#index.keyGroup(values);
  }

  push(_input: number, chunk: Chunk): Chunk[] {
    this.#chunkNo++;
    try {
      this.#accumulate(chunk);
    } finally {
      this.#assignPending();
      const touched = this.#touched;
      for (let i = 0; i < touched.length; i++) {
        const b = touched[i]!;
        this.#windows.put(b.key!, b);
      }
      touched.length = 0;
      this.#rowWindow = undefined;
    }
    return [];
  }

  #accumulate(chunk: Chunk): void {
    const { keys, fireTime } = this.#spec;
    const endKey = this.#endOf;
    const levels = this.#levels;
    const levelColumns = this.#levelColumns;
    const nl = levels.length;
    const byValue = this.#byValue;
    const plain = this.#plain;
    const argColumns = this.#argColumns;
    const skipNulls = this.#skipNulls;
    const nc = argColumns.length;
    const touched = this.#touched;
    const chunkNo = this.#chunkNo;
    const rows = chunk.rows;
    const kinds = chunk.kinds;
    const wm = this.#wm;
    let curEnd: Value = null;
    let w: WindowState | undefined;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      const end = endKey(row);
      if (end === null) continue;
      if (end !== curEnd) {
        curEnd = end;
        w = fireTime(end as number) <= wm ? undefined : this.#windowOf(end as number, row);
      }
      if (w === undefined) {
        this.#late++;
        continue;
      }
      const add = kinds === null || isAddition(kinds[i]!);
      let slot = -1;
      let level: GroupIndex = w.index;
      let lk: Value = null;
      if (nl === 0) {
        if (w.size > 0) slot = 0;
      } else {
        for (let l = 0; ; l++) {
          const lc = levelColumns[l]!;
          const v = lc >= 0 ? (row[lc] ?? null) : keys[levels[l]!]!(row);
          lk = byValue[l] ? v : this.#index.levelKey(l, v);
          if (l === nl - 1) break;
          let next = level.get(lk) as GroupIndex | undefined;
          if (next === undefined) {
            next = new Map();
            level.set(lk, next);
          }
          level = next;
        }
        const found = level.get(lk) as number | undefined;
        if (found !== undefined) slot = found;
      }
      const groupRows = w.rows;
      if (slot < 0 || groupRows[slot] === 0) {
        if (!add) throw new InternalError(`window aggregate received a retraction for group (${this.#keyOf(row).join(', ')}) that holds no rows`);
        if (slot < 0) slot = this.#newGroup(w, level, lk, row);
      }
      if (slot < w.assigned) {
        const block = w.slotBlocks[slot]!;
        if (block.mark !== chunkNo) {
          block.mark = chunkNo;
          touched.push(block);
        }
      }
      const columns = w.columns;
      if (plain) {
        if (add) {
          groupRows[slot]!++;
          for (let c = 0; c < nc; c++) {
            const ac = argColumns[c]!;
            const v = ac >= 0 ? (row[ac] ?? null) : true;
            if (v === null && skipNulls[c]) continue;
            columns[c]!.add(slot, v);
          }
        } else {
          for (let c = 0; c < nc; c++) {
            const ac = argColumns[c]!;
            const v = ac >= 0 ? (row[ac] ?? null) : true;
            if (v === null && skipNulls[c]) continue;
            columns[c]!.remove(slot, v);
          }
          if (--groupRows[slot]! === 0) for (let c = 0; c < nc; c++) columns[c]!.reset(slot);
        }
      } else {
        const keyBytes = w.keyBytes[slot] ?? NO_BYTES;
        this.#rowWindow = w;
        if (add) {
          groupRows[slot]!++;
          this.#acc.addToSlot(columns, slot, keyBytes, row, this.#onNewDistinct);
        } else {
          this.#acc.removeFromSlot(columns, slot, keyBytes, row);
          if (--groupRows[slot]! === 0) for (let c = 0; c < nc; c++) columns[c]!.reset(slot);
        }
      }
    }
  }

  /** The group key of `row` in encoding order (window_end first). */
  #keyOf(row: Row): Value[] {
    const { keys, tumble, windowStartKey } = this.#spec;
    const order = this.#order;
    const enc = this.#encodeScratch;
    for (let k = 0; k < order.length; k++) enc[k] = keys[order[k]!]!(row);
    if (tumble !== undefined) {
      const end = this.#endOf(row);
      enc[0] = end;
      if (windowStartKey !== undefined) enc[order.indexOf(windowStartKey)] = end === null ? null : (end as number) - tumble.size;
    }
    return enc;
  }

  /**
   * Creates the group of `row` in window `w`; it is found at level key `lk`
   * of index level `level`. Returns its slot. The slot gets its block at the
   * end of the chunk (`#assignPending`), unless it needs its key group now
   * (for its DISTINCT key encoding).
   */
  #newGroup(w: WindowState, level: GroupIndex, lk: Value, row: Row): number {
    const { keys } = this.#spec;
    const levels = this.#levels;
    const levelColumns = this.#levelColumns;
    const slot = this.#appendSlot(w);
    for (let l = 0; l < levels.length; l++) {
      const lc = levelColumns[l]!;
      w.levelValues[l]!.push(lc >= 0 ? (row[lc] ?? null) : keys[levels[l]!]!(row));
    }
    if (this.#hasDistinct) {
      // Slots get blocks in slot order: the window's earlier new slots first.
      while (w.assigned < slot) this.#touch(this.#assign(w, this.#slotKeyGroup(w, w.assigned)));
      const kg = this.#slotKeyGroup(w, slot);
      this.#touch(this.#assign(w, kg));
      w.keyBytes.push(inKeyGroup(kg, encodeKey(this.#keyOf(row), this.#encodeTypes)));
    } else if (slot === w.assigned) this.#pending.push(w);
    if (levels.length > 0) level.set(lk, slot);
    return slot;
  }

  /** Gives the slots created by the chunk their blocks, and marks those blocks touched. */
  #assignPending(): void {
    const pending = this.#pending;
    for (let i = 0; i < pending.length; i++) {
      const w = pending[i]!;
      while (w.assigned < w.size) this.#touch(this.#assign(w, this.#slotKeyGroup(w, w.assigned)));
    }
    pending.length = 0;
  }

  #touch(block: WindowBlock): void {
    if (block.mark !== this.#chunkNo) {
      block.mark = this.#chunkNo;
      this.#touched.push(block);
    }
  }

  /** The key group of the group in slot `s` of `w`, from its key values. */
  #slotKeyGroup(w: WindowState, s: number): number {
    const nl = this.#levels.length;
    if (nl === 0) return this.#soleGroup;
    const values = this.#partitionScratch;
    if (nl > 1 || !this.#byValue[0]) {
      for (let l = 0; l < nl; l++) values[l] = w.levelValues[l]![s] ?? null;
      return this.#index.keyGroup(values);
    }
    // One partition key column, Map keys by value: its values remember their key group across windows.
    const v = w.levelValues[0]![s] ?? null;
    if (typeof v === 'number' && (v | 0) === v) {
      // 32-bit integers: a direct-mapped cache, no Map probe.
      const at = (Math.imul(v, 0x9e3779b1) >>> INT_CACHE_SHIFT) << 1;
      const intGroups = this.#intGroups;
      const known = intGroups[at + 1]!;
      if (known !== 0 && intGroups[at] === v) return known - 1;
      values[0] = v;
      const kg = this.#index.keyGroup(values);
      intGroups[at] = v;
      intGroups[at + 1] = kg + 1;
      return kg;
    }
    const cache = this.#groupCache;
    const known = cache.get(v);
    if (known !== undefined) return known;
    values[0] = v;
    const kg = this.#index.keyGroup(values);
    if (cache.size >= GROUP_CACHE_LIMIT) cache.clear();
    cache.set(v, kg);
    return kg;
  }

  /** Appends a slot with no rows and fresh accumulators to `w`, without a block yet (key values and key encoding are the caller's). */
  #appendSlot(w: WindowState): number {
    const slot = w.size++;
    w.rows.push(0);
    const columns = w.columns;
    for (let c = 0; c < columns.length; c++) columns[c]!.push();
    return slot;
  }

  /** Puts the first slot of `w` without a block, of key group `kg`, in the key group's last block or a new one; returns the block. */
  #assign(w: WindowState, kg: number): WindowBlock {
    const slot = w.assigned++;
    let block = w.lastBlocks[kg];
    if (block === undefined || block.slots.length === WINDOW_BLOCK_SIZE) {
      const b = block === undefined ? 0 : block.block + 1;
      block = new WindowBlock(w.end, b, w, null, inKeyGroup(kg, this.#windowKeys.block(w.end, b)));
      w.lastBlocks[kg] = block;
      w.blocks.push(block);
    }
    block.slots.push(slot);
    w.slotBlocks.push(block);
    return block;
  }

  #emptyWindow(end: number, start: Value): WindowState {
    return {
      end,
      start,
      size: 0,
      index: new Map(),
      levelValues: this.#levels.map((): Value[] => []),
      rows: [],
      columns: this.#columnFactories.map((f) => f()),
      keyBytes: [],
      slotBlocks: [],
      assigned: 0,
      restoredOrdinals: [],
      ordinalShift: 0,
      lastBlocks: noBlocks(),
      blocks: [],
      distinct: [],
      distinctListed: true,
    };
  }

  watermark(wm: number): Chunk[] {
    if (wm <= this.#wm) return [];
    this.#wm = wm;
    const fireTime = this.#spec.fireTime;
    const saved = this.#savedEnds();
    const dueEnds: number[] = [];
    for (const end of this.#open.keys()) if (fireTime(end) <= wm) dueEnds.push(end);
    for (const end of saved) if (fireTime(end) <= wm) dueEnds.push(end);
    if (dueEnds.length === 0) return [];
    dueEnds.sort((a, b) => a - b);
    const windows = this.#windows;
    for (const end of dueEnds) {
      const w = this.#open.get(end) ?? this.#restoreWindow(end);
      this.#fire(w);
      this.#open.delete(end);
      for (const b of w.blocks) windows.delete(b.key!);
    }
    return this.#out.take();
  }

  /** Ends of the windows saved in the owned key groups and not rebuilt yet (found by one scan, the first time). */
  #savedEnds(): Set<number> {
    if (this.#saved !== null) return this.#saved;
    const saved = new Set<number>();
    for (const [, , block] of scanOwned(this.#windows, this.#keyGroups, {})) if (!this.#open.has(block.end)) saved.add(block.end);
    this.#saved = saved;
    return saved;
  }

  /** Emits the window's groups that hold rows and deletes its DISTINCT entries. */
  #fire(w: WindowState): void {
    const { windowEndKey, windowStartKey, keys, calls } = this.#spec;
    const out = this.#out;
    const nk = keys.length;
    const nc = calls.length;
    const levels = this.#levels;
    const nl = levels.length;
    const columns = w.columns;
    for (let s = 0; s < w.size; s++) {
      if (w.rows[s] === 0) continue;
      const row: Row = new Array(nk + nc);
      row[windowEndKey] = w.end;
      if (windowStartKey !== undefined) row[windowStartKey] = w.start;
      for (let l = 0; l < nl; l++) row[levels[l]!] = w.levelValues[l]![s] ?? null;
      for (let c = 0; c < nc; c++) row[nk + c] = columns[c]!.result(s);
      out.emit(RowKind.INSERT, row);
    }
    if (!this.#hasDistinct) return;
    const distinct = this.#distinct;
    if (w.distinctListed) {
      for (const dk of w.distinct) distinct.delete(dk);
      return;
    }
    const all: Uint8Array[] = [];
    for (const [, dk] of scanOwned(distinct, this.#keyGroups, prefixRange(this.#windowKeys.window(w.end)))) all.push(dk);
    for (const dk of all) distinct.delete(dk);
  }

  /** The open window ending at `end` (created, or rebuilt from its state entries, on first use). */
  #windowOf(end: number, row: Row): WindowState {
    const open = this.#open.get(end);
    if (open !== undefined) return open;
    if (this.#savedEnds().has(end)) return this.#restoreWindow(end);
    const w = this.#emptyWindow(end, this.#startOf === undefined ? null : this.#startOf(row));
    this.#open.set(end, w);
    return w;
  }

  /**
   * Rebuilds the window ending at `end` from its blocks in the owned key
   * groups of the `windows` table (after a restore) and opens it: its groups
   * take slots in order of their saved ordinals, each key group's in blocks
   * as they were saved.
   */
  #restoreWindow(end: number): WindowState {
    const nl = this.#levels.length;
    const nc = this.#columnFactories.length;
    const groups: { kg: number; ordinal: number; saved: readonly StateValue[] }[] = [];
    let start: Value | undefined;
    for (const [kg, , b] of scanOwned(this.#windows, this.#keyGroups, prefixRange(this.#windowKeys.window(end)))) {
      if (b.saved === null) throw new InternalError('window aggregate: a live block of a window not open');
      start ??= b.saved.start;
      for (const slot of b.saved.slots) {
        const saved = stateArray(slot, 'window group', 5);
        groups.push({ kg, ordinal: stateNumber(saved[4], 'window group ordinal'), saved });
      }
    }
    if (start === undefined) throw new InternalError('window aggregate: a saved window has no state');
    groups.sort((a, b) => a.ordinal - b.ordinal);
    const w = this.#emptyWindow(end, start);
    w.distinctListed = false;
    const columns = w.columns;
    for (const { kg, ordinal, saved } of groups) {
      const [keys, rows, accs, keyBytes] = saved;
      const keyValues = stateArray(keys, 'window group key', nl);
      const states = stateArray(accs, 'window group accumulators', nc);
      const slot = this.#appendSlot(w);
      this.#assign(w, kg);
      w.restoredOrdinals.push(ordinal);
      w.rows[slot] = stateNumber(rows, 'window group row count');
      for (let c = 0; c < nc; c++) columns[c]!.load(slot, states[c]!);
      for (let l = 0; l < nl; l++) w.levelValues[l]!.push((keyValues[l] ?? null) as Value);
      if (this.#hasDistinct) {
        if (!(keyBytes instanceof Uint8Array)) throw new InternalError('state: malformed window group key encoding');
        w.keyBytes.push(keyBytes);
      }
      if (nl > 0) this.#index.insert(w, slot);
    }
    w.ordinalShift = groups.length === 0 ? 0 : groups[groups.length - 1]!.ordinal + 1 - groups.length;
    this.#saved?.delete(end);
    this.#open.set(end, w);
    return w;
  }
}

/**
 * The window aggregation of a plan node whose input is a TUMBLE / HOP /
 * CUMULATE window TVF (possibly under projections); `windowEndKey` indexes
 * `node.groupKeys`.
 */
export function windowAggregateOf(
  node: AggregateNode,
  windowEndKey: number,
  fireTime: (end: number) => number,
  env: ExecEnv,
  state: StateProvider = memoryStateProvider,
): WindowAggregate {
  const window = windowAggregationOf(node);
  const spec: WindowAggregateSpec = {
    keys: node.groupKeys.map((e) => compileExpr(e, env)),
    keyColumns: node.groupKeys.map((e) => (e.kind === 'column' ? e.index : -1)),
    keyTypes: node.groupKeys.map((e) => e.type),
    calls: incrementalAggregateCalls(node, env, 'in a window aggregation'),
    windowEndKey,
    ...(window !== undefined && window.endKey === windowEndKey ? { windowStartKey: window.startKey } : {}),
    fireTime,
  };
  return new WindowAggregate(spec, windowAggregateStateTables(state));
}

/**
 * The window aggregation of a plan node grouped by window_start and
 * window_end of a TUMBLE directly below it over a TIMESTAMP column, fused with
 * the window assignment: it is fed the TUMBLE's input rows. Undefined for
 * every other shape (then: window assignment stage + windowAggregateOf).
 */
export function fusedTumbleAggregateOf(
  node: AggregateNode,
  fireTime: (end: number) => number,
  env: ExecEnv,
  state: StateProvider = memoryStateProvider,
): WindowAggregate | undefined {
  const tvf = node.input;
  if (tvf.kind !== 'window-tvf' || tvf.fn !== 'TUMBLE' || tvf.timeCol.type.kind !== 'TIMESTAMP') return undefined;
  const window = windowAggregationOf(node);
  if (window === undefined || window.tvf !== tvf) return undefined;
  // Everything else may read only the TUMBLE's input columns (not window_start, window_end, window_time).
  const base = tvf.input.schema.length;
  const exprs = node.groupKeys.filter((_e, i) => i !== window.startKey && i !== window.endKey);
  for (const a of node.aggregates) exprs.push(...a.args, ...(a.filter === undefined ? [] : [a.filter]));
  for (const e of exprs) for (const c of columnsOf(e)) if (c >= base) return undefined;
  const spec: WindowAggregateSpec = {
    keys: node.groupKeys.map((e, i) => (i === window.startKey || i === window.endKey ? () => null : compileExpr(e, env))),
    keyColumns: node.groupKeys.map((e, i) => (i === window.startKey || i === window.endKey || e.kind !== 'column' ? -1 : e.index)),
    keyTypes: node.groupKeys.map((e) => e.type),
    calls: incrementalAggregateCalls(node, env, 'in a window aggregation'),
    windowEndKey: window.endKey,
    windowStartKey: window.startKey,
    fireTime,
    tumble: {
      time: compileExpr(tvf.timeCol, env),
      ...(tvf.timeCol.kind === 'column' ? { timeColumn: tvf.timeCol.index } : {}),
      size: tvf.size,
      offset: tvf.offset,
    },
  };
  return new WindowAggregate(spec, windowAggregateStateTables(state));
}

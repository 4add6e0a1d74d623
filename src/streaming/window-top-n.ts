/**
 * Window Top-N (Flink's window-topn.md / window-deduplication.md): ROW_NUMBER
 * Top-N whose PARTITION BY holds the window_start and window_end of a window
 * TVF or window aggregation, over an insert-only input. Each window's result
 * is final when the watermark passes the window (window_end - 1 ms <= wm), so
 * the operator emits it then, once, as +I rows, and forgets the window: the
 * output is append-only.
 *
 * State: two state tables, both used by key only (never scanned: firing
 * costs point reads, and a restore reads nothing up front):
 * - `windows`: key = key group, then the key-codec encoding of (window_end,
 *   partition values); value = the window end and the partition's first
 *   `last` rows in rank order (ties rank by arrival; a row ranked after
 *   `last` can never come back in an insert-only input, so it is not kept).
 *   A row's key group is that of its partition key, the key-codec encoding
 *   of the PARTITION BY values (window columns included): the bytes of its
 *   state key after the window end.
 * - `index`: key = a key group alone; value = the group's open windows in
 *   window-end order, each with the `windows` keys of its partitions.
 *
 * Parallel instances (key-groups.ts): an instance owns a range of key groups
 * and touches only their keys; it reads the index entries of its own groups
 * at first use (a fresh operator, or one restored from a checkpoint) and
 * holds them in memory.
 *
 * Rule per row kind: +I joins its window's partition, unless its window has
 * fired already (then it is late: dropped and counted in `lateRows`); -U, +U,
 * -D cannot come from an insert-only input (internal error).
 * watermark(wm): every partition whose window fired emits its rows ranked
 * `first`..`last` as +I (with the rank when `withRank`, NULL otherwise), in
 * window order (window end, then partition key, over all owned key groups),
 * and is deleted.
 * RANK / DENSE_RANK (`fn`): rows with equal sort keys share a rank, so a
 * partition keeps every row ranked <= `last` (ties included) and may emit
 * more than last - first + 1 rows.
 */
import type { Row, SqlType, Value } from '../../catalog/types.ts';
import type { Chunk } from '../dataflow/chunk.ts';
import type { EvalFn } from '../compiler/expr-compiler.ts';
import { keyComparator, type KeyComparator, type SortSpec } from '../compiler/sort-keys.ts';
import { InternalError } from '../errors.ts';
import { encodeKey, numberKeyWidth } from '../values/key-codec.ts';
import { decodeStateValue, encodeStateValue, type StateCodec } from '../state/state-codec.ts';
import { ChangelogBuilder, RowKind, kindAt } from './changelog.ts';
import { inKeyGroup, KEY_GROUPS, keyGroupOf, type KeyGroupRange } from './key-groups.ts';
import type { KeyedOperator } from './parallel-operator.ts';
import { memoryStateProvider, ownedKeyGroups, stateArray, stateNumber, type StateProvider } from './state-provider.ts';
import type { StateTable } from './state-table.ts';
import { loadRankEntries, rankRange, saveRankEntries, tiedRanks, type RankEntry, type RankFunction } from './rank-top-n.ts';
import { compileExpr, type ExecEnv } from '../compiler/compile.ts';
import type { RowNumberTopN } from '../planner/row-number-top-n.ts';

export interface WindowTopNSpec {
  /** How rows with equal sort keys rank (default ROW_NUMBER: by arrival). */
  readonly fn?: RankFunction;
  /** Input column holding the window end (µs, as TIMESTAMP values are). */
  readonly endColumn: number;
  readonly endType: SqlType;
  /** When a window with this end fires, in watermark time (window-assign-stream.ts `windowFireTime`). */
  readonly fireTime: (end: number) => number;
  /** PARTITION BY values (the window columns among them). */
  readonly partition: readonly EvalFn[];
  readonly partitionTypes: readonly SqlType[];
  readonly keys: readonly EvalFn[];
  readonly order: readonly SortSpec[];
  /** Ranks emitted, 1-based inclusive (none when last < first). */
  readonly first: number;
  readonly last: number;
  readonly withRank: boolean;
}

/** One window's partition: its end and its best rows in rank order. */
export interface WindowTopNPartition {
  readonly end: number;
  readonly entries: RankEntry[];
}

/** One key group's open windows, in window-end order, each with the state keys of its partitions. */
export interface WindowTopNGroupIndex {
  readonly windows: { readonly end: number; readonly keys: Uint8Array[] }[];
}

/** A group's index at a checkpoint: [[end, [key...]]...]. */
export const windowTopNIndexCodec: StateCodec<WindowTopNGroupIndex> = {
  encode: (index) => encodeStateValue(index.windows.map((w) => [w.end, w.keys])),
  decode: (bytes) => ({
    windows: stateArray(decodeStateValue(bytes), 'window top-n index').map((saved) => {
      const [end, keys] = stateArray(saved, 'window top-n indexed window', 2);
      return {
        end: stateNumber(end, 'window top-n indexed end'),
        keys: stateArray(keys, 'window top-n indexed keys').map((k) => {
          if (!(k instanceof Uint8Array)) throw new InternalError('state: malformed window top-n indexed key');
          return k;
        }),
      };
    }),
  }),
};

/** A partition at a checkpoint: [end, [row, sort keys]...]. */
export const windowTopNCodec: StateCodec<WindowTopNPartition> = {
  encode: (p) => encodeStateValue([p.end, saveRankEntries(p.entries)]),
  decode: (bytes) => {
    const [end, entries] = stateArray(decodeStateValue(bytes), 'window top-n partition', 2);
    return { end: stateNumber(end, 'window top-n end'), entries: loadRankEntries(entries, 'window top-n') };
  },
};

export class WindowTopN implements KeyedOperator {
  readonly #spec: WindowTopNSpec;
  readonly #state: StateTable<WindowTopNPartition>;
  readonly #keyGroups: KeyGroupRange;
  readonly #index: StateTable<WindowTopNGroupIndex>;
  /** The index entries of the owned key groups (by key group), once read. */
  readonly #groups: (WindowTopNGroupIndex | undefined)[] = new Array<WindowTopNGroupIndex | undefined>(KEY_GROUPS).fill(undefined);
  readonly #groupKey = new Uint8Array(1);
  #indexed = false;
  readonly #compare: KeyComparator;
  readonly #keyScratch: Value[];
  readonly #keyTypes: readonly SqlType[];
  /** Bytes of the window end at the start of a key without its group; the partition key follows. */
  readonly #endWidth: number;
  readonly #out = new ChangelogBuilder();
  #watermark = Number.NEGATIVE_INFINITY;
  #late = 0;

  constructor(spec: WindowTopNSpec, state: StateProvider = memoryStateProvider) {
    if (spec.keys.length !== spec.order.length) throw new InternalError('window top-n: sort keys and their order differ in length');
    this.#spec = spec;
    this.#state = state.table('windows', windowTopNCodec, { pointOnly: true });
    this.#index = state.table('index', windowTopNIndexCodec, { pointOnly: true });
    this.#keyGroups = ownedKeyGroups(state);
    this.#endWidth = numberKeyWidth(spec.endType);
    this.#compare = keyComparator(spec.order);
    this.#keyScratch = new Array<Value>(1 + spec.partition.length).fill(null);
    this.#keyTypes = [spec.endType, ...spec.partitionTypes];
  }

  /** The group of the row's partition key; a row without a window (dropped) goes to any group. */
  keyGroupOf(_input: number, row: Row): number {
    const end = row[this.#spec.endColumn];
    if (typeof end !== 'number') return 0;
    return keyGroupOf(this.#windowKey(row, end).subarray(this.#endWidth));
  }

  get lateRows(): number {
    return this.#late;
  }

  push(_input: number, chunk: Chunk): Chunk[] {
    const spec = this.#spec;
    const rows = chunk.rows;
    for (let i = 0; i < rows.length; i++) {
      if (kindAt(chunk, i) !== RowKind.INSERT) throw new InternalError('window top-n: a retraction in an insert-only input');
      const row = rows[i]!;
      const end = row[spec.endColumn];
      if (typeof end !== 'number') continue; // No window: never ranked (the TVF drops such rows anyway).
      if (spec.fireTime(end) <= this.#watermark) {
        this.#late++;
        continue;
      }
      if (!this.#indexed) this.#readIndex();
      this.#add(row, end);
    }
    return [];
  }

  watermark(wm: number): Chunk[] {
    if (wm <= this.#watermark) return [];
    this.#watermark = wm;
    if (!this.#indexed) this.#readIndex();
    const fireTime = this.#spec.fireTime;
    const due: Uint8Array[] = [];
    for (let g = this.#keyGroups.first; g <= this.#keyGroups.last; g++) {
      const index = this.#groups[g];
      if (index === undefined) continue;
      const windows = index.windows;
      let n = 0;
      while (n < windows.length && fireTime(windows[n]!.end) <= wm) {
        for (const key of windows[n]!.keys) due.push(key);
        n++;
      }
      if (n === 0) continue;
      windows.splice(0, n);
      this.#groupKey[0] = g;
      if (windows.length > 0) this.#index.put(this.#groupKey, index);
      else {
        this.#index.delete(this.#groupKey);
        this.#groups[g] = undefined;
      }
    }
    if (due.length === 0) return [];
    // Window by window (the end leads each key), each in partition key order, whatever the key group.
    due.sort(compareAfterKeyGroup);
    const fired: WindowTopNPartition[] = [];
    for (const key of due) {
      const part = this.#state.get(key);
      if (part === undefined) throw new InternalError('window top-n: an indexed partition is missing from its state');
      fired.push(part);
      this.#state.delete(key);
    }
    const { first, last, withRank, fn } = this.#spec;
    for (const part of fired) {
      if (fn === 'rank' || fn === 'dense_rank') {
        const ranks = tiedRanks(part.entries, fn, this.#compare, last);
        for (let i = 0; i < ranks.length; i++) {
          if (ranks[i]! < first) continue;
          const out = part.entries[i]!.row.slice();
          out.push(withRank ? BigInt(ranks[i]!) : null);
          this.#out.emit(RowKind.INSERT, out);
        }
      } else {
        const n = Math.min(part.entries.length, last);
        for (let r = first - 1; r < n; r++) {
          const out = part.entries[r]!.row.slice();
          out.push(withRank ? BigInt(r + 1) : null);
          this.#out.emit(RowKind.INSERT, out);
        }
      }
    }
    return this.#out.take();
  }

  /** The state key of `row`'s partition in window `end`, without its key group. */
  #windowKey(row: Row, end: number): Uint8Array {
    const spec = this.#spec;
    const scratch = this.#keyScratch;
    scratch[0] = end;
    for (let i = 0; i < spec.partition.length; i++) scratch[i + 1] = spec.partition[i]!(row);
    return encodeKey(scratch, this.#keyTypes);
  }

  #add(row: Row, end: number): void {
    const spec = this.#spec;
    const windowKey = this.#windowKey(row, end);
    const group = keyGroupOf(windowKey.subarray(this.#endWidth));
    if (group < this.#keyGroups.first || group > this.#keyGroups.last) this.#misrouted(group);
    const key = inKeyGroup(group, windowKey);
    const keys = new Array<Value>(spec.keys.length);
    for (let i = 0; i < spec.keys.length; i++) keys[i] = spec.keys[i]!(row);
    const held = this.#state.get(key);
    const part = held ?? { end, entries: [] };
    const entries = part.entries;
    let lo = 0;
    let hi = entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#compare(entries[mid]!.keys, keys) <= 0) lo = mid + 1;
      else hi = mid;
    }
    if (spec.fn === 'rank' || spec.fn === 'dense_rank') {
      entries.splice(lo, 0, { row, keys });
      // Ties share a rank: keep every row ranked <= last.
      entries.length = tiedRanks(entries, spec.fn, this.#compare, spec.last).length;
      if (entries.length > 0) this.#put(key, part, held === undefined, group, end);
      return;
    }
    if (lo >= spec.last) return;
    entries.splice(lo, 0, { row, keys });
    if (entries.length > spec.last) entries.length = spec.last;
    this.#put(key, part, held === undefined, group, end);
  }

  #misrouted(kg: number): never {
    throw new InternalError(`window top-n instance owning key groups ${this.#keyGroups.first}..${this.#keyGroups.last} received a row of key group ${kg}`);
  }

  #put(key: Uint8Array, part: WindowTopNPartition, created: boolean, group: number, end: number): void {
    this.#state.put(key, part);
    if (created) this.#indexPartition(group, end, key);
  }

  /** Records a new partition (state key `key`, of key group `group`) in window `end`. */
  #indexPartition(group: number, end: number, key: Uint8Array): void {
    let index = this.#groups[group];
    if (index === undefined) {
      index = { windows: [] };
      this.#groups[group] = index;
    }
    const windows = index.windows;
    let i = windows.length;
    while (i > 0 && windows[i - 1]!.end > end) i--;
    if (i > 0 && windows[i - 1]!.end === end) windows[i - 1]!.keys.push(key);
    else windows.splice(i, 0, { end, keys: [key] });
    this.#groupKey[0] = group;
    this.#index.put(this.#groupKey, index);
  }

  /** Reads the index entries of the owned key groups (what a restored table holds). */
  #readIndex(): void {
    this.#indexed = true;
    for (let g = this.#keyGroups.first; g <= this.#keyGroups.last; g++) {
      this.#groupKey[0] = g;
      this.#groups[g] = this.#index.get(this.#groupKey);
    }
  }
}

/** The operator of a recognised window Top-N (src/planner/row-number-top-n.ts `windowTopNOf`). */
export function windowTopNOperator(
  topN: RowNumberTopN,
  endColumn: number,
  fireTime: (end: number) => number,
  withRank: boolean,
  env: ExecEnv,
  state: StateProvider = memoryStateProvider,
): WindowTopN {
  const { first, last } = rankRange(topN, env);
  const call = topN.call;
  const endType = topN.window.input.schema[endColumn]?.type;
  if (endType === undefined) throw new InternalError('window top-n: window_end column out of range');
  return new WindowTopN(
    {
      fn: call.fn === 'rank' || call.fn === 'dense_rank' ? call.fn : 'row_number',
      endColumn,
      endType,
      fireTime,
      partition: call.partitionBy.map((e) => compileExpr(e, env)),
      partitionTypes: call.partitionBy.map((e) => e.type),
      keys: call.orderBy.map((k) => compileExpr(k.expr, env)),
      order: call.orderBy.map((k) => ({ type: k.expr.type, desc: k.desc, nullsFirst: k.nullsFirst })),
      first,
      last,
      withRank,
    },
    state,
  );
}

/** Bytewise order of two state keys after their key group byte. */
function compareAfterKeyGroup(a: Uint8Array, b: Uint8Array): number {
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 1; i < n; i++) {
    if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  }
  return a.length - b.length;
}

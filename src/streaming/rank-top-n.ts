/**
 * Top-N per partition over a changelog: `ROW_NUMBER() OVER (PARTITION BY p
 * ORDER BY k) AS rn` filtered by `rn <= N` (optionally `rn >= M`), Flink's
 * Top-N, and with N = 1 its deduplication (ORDER BY a time ASC keeps the first
 * row per key, DESC the last).
 *
 * Order within a partition: by the sort keys as the batch sort compares them;
 * rows with equal keys rank by arrival (a new row goes after the rows it ties
 * with), which is what makes "keep first" stable: over an insert-only input
 * ordered by a time that does not go back, a row once in the top N stays.
 *
 * State: one state table (role `partitions`), used by key only: key group,
 * partition key (the key-codec encoding of the PARTITION BY values; its key
 * group is the group of that encoding, key-groups.ts) -> the partition's rows
 * in rank order, each with its sort keys. Rows are routed by the same key
 * group, so parallel instances each hold whole partitions. Without PARTITION
 * BY (and so deduplication without a key) the partition key is empty: one
 * partition, in one key group.
 * Over a retracting input every row of the partition is kept (a removal can
 * bring any row back into the top N); over an insert-only input (`appendOnly`)
 * only the first N, since a row pushed out can never come back.
 *
 * Output rows are the input row followed by its rank (BIGINT) when `withRank`,
 * or by NULL when nothing above reads the rank. Rule per row kind: +I and +U
 * add the row at its rank p, -U and -D remove an equal row (a removal of a row
 * the partition does not hold is a broken changelog: internal error). Then,
 * with ranks M..N (1-based) the ones emitted:
 * - withRank: every rank in M..N whose row changed emits -U old, +U new (both
 *   with that rank); a rank that gains a row emits +I, one that loses it -D.
 *   An addition at p shifts the rows at p..N-1 down one rank, a removal up.
 * - without rank: the set of rows in M..N gains at most one row and loses at
 *   most one: both gives -U left, +U entered (keep-last deduplication's
 *   update), only one gives +I or -D.
 * An update pair in the input is handled as a removal then an addition, and
 * emits their changes in that order. Watermarks pass unchanged (no hook).
 * With `updateBefore: false` (upsert mode, for a consumer keyed on the
 * partition key plus the rank, or on the partition key alone when only rank 1
 * is kept: changelog-mode.ts `upsertChainOf`) every -U old, +U new pair is
 * emitted as the lone +U new; both rows of such a pair share that key.
 *
 * RANK and DENSE_RANK (`fn`): rows with equal sort keys share a rank (RANK
 * then skips as many ranks as rows tied, DENSE_RANK does not), so ranks M..N
 * may hold more than N - M + 1 rows. Over an insert-only input only rows of
 * rank <= N are kept (ranks never go down there). Per change, the rows whose
 * rank is in M..N before and after (a scan from the partition's start that
 * stops past rank N) are compared row by row: a row that stays with another
 * rank emits -U (old rank), +U (new rank) when `withRank` (nothing without
 * it), a row that leaves -D, one that enters +I; the -D rows come first.
 */
import type { Row, SqlType, Value } from '../../catalog/types.ts';
import { type Chunk } from '../dataflow/chunk.ts';
import type { EvalFn } from '../compiler/expr-compiler.ts';
import { keyComparator, type KeyComparator, type SortSpec } from '../compiler/sort-keys.ts';
import { InternalError } from '../errors.ts';
import type { ExecEnv } from '../compiler/compile.ts';
import { compileExpr, evaluateConstant } from '../compiler/compile.ts';
import type { RowNumberTopN } from '../planner/row-number-top-n.ts';
import { rowsEqual } from '../values/compare.ts';
import { encodeKey } from '../values/key-codec.ts';
import { ChangelogBuilder, RowKind, isAddition, kindAt } from './changelog.ts';
import { ALL_KEY_GROUPS, inKeyGroup, keyGroupOf, type KeyGroupRange } from './key-groups.ts';
import type { KeyedOperator } from './parallel-operator.ts';
import { MemoryStateTable, type StateTable } from './state-table.ts';
import { memoryStateProvider, ownedKeyGroups, stateArray, stateRow, type StateProvider } from './state-provider.ts';
import { decodeStateValue, encodeStateValue, type StateCodec, type StateValue } from '../state/state-codec.ts';

export type RankFunction = 'row_number' | 'rank' | 'dense_rank';

export interface RankTopNSpec {
  /** How rows with equal sort keys rank (default ROW_NUMBER: by arrival). */
  readonly fn?: RankFunction;
  readonly partition: readonly EvalFn[];
  readonly partitionTypes: readonly SqlType[];
  readonly keys: readonly EvalFn[];
  readonly order: readonly SortSpec[];
  /** Input column types (rows are compared whole to find the one a retraction removes). */
  readonly types: readonly SqlType[];
  /** Ranks emitted: from `first` to `last`, 1-based, inclusive (none when last < first). */
  readonly first: number;
  readonly last: number;
  /** Append the rank to each output row (else NULL). */
  readonly withRank: boolean;
  /** The input is insert-only: rows ranked after `last` are dropped for good. */
  readonly appendOnly: boolean;
  /** false: an update is the lone +U of the new row (upsert mode); default true. */
  readonly updateBefore?: boolean;
}

export interface RankEntry {
  readonly row: Row;
  readonly keys: readonly Value[];
}

/** A partition's rows in rank order. */
export interface RankPartition {
  readonly entries: RankEntry[];
}

/**
 * The RANK or DENSE_RANK of `entries` (in rank order) from the first on, as
 * long as it is <= `last`: the result's length is the number of entries ranked
 * up to `last`.
 */
export function tiedRanks(entries: readonly RankEntry[], fn: 'rank' | 'dense_rank', compare: KeyComparator, last: number): number[] {
  const out: number[] = [];
  let rank = 0;
  let dense = 0;
  for (let i = 0; i < entries.length; i++) {
    if (i === 0 || compare(entries[i - 1]!.keys, entries[i]!.keys) !== 0) {
      rank = i + 1;
      dense++;
    }
    const r = fn === 'rank' ? rank : dense;
    if (r > last) break;
    out.push(r);
  }
  return out;
}

/** Ranked entries at a checkpoint: [row, sort keys] per entry, in rank order (also window-top-n.ts). */
export function saveRankEntries(entries: readonly RankEntry[]): StateValue {
  return entries.map((e): StateValue => [e.row, e.keys]);
}

export function loadRankEntries(saved: StateValue | undefined, what: string): RankEntry[] {
  return stateArray(saved!, `${what} entries`).map((entry): RankEntry => {
    const [row, keys] = stateArray(entry, `${what} entry`, 2);
    return { row: stateRow(row, `${what} row`), keys: stateRow(keys, `${what} sort keys`) };
  });
}

/** A partition at a checkpoint: its ranked entries. */
export const rankPartitionCodec: StateCodec<RankPartition> = {
  encode: (part) => encodeStateValue(saveRankEntries(part.entries)),
  decode: (bytes) => ({ entries: loadRankEntries(decodeStateValue(bytes), 'rank top-n') }),
};

export class RankTopN implements KeyedOperator {
  readonly #spec: RankTopNSpec;
  readonly #state: StateTable<RankPartition>;
  readonly #keyGroups: KeyGroupRange;
  readonly #compare: KeyComparator;
  readonly #partScratch: Value[];
  readonly #keyScratch: Value[];
  readonly #out = new ChangelogBuilder();
  /** 0-based ranks [#from, #to) are emitted. */
  readonly #from: number;
  readonly #to: number;
  /** RANK / DENSE_RANK (ties share a rank), or undefined for ROW_NUMBER. */
  readonly #tied: 'rank' | 'dense_rank' | undefined;
  readonly #updateBefore: boolean;

  /** `keyGroups`: the key groups the instance owns (default: all). */
  constructor(spec: RankTopNSpec, state?: StateTable<RankPartition>, keyGroups: KeyGroupRange = ALL_KEY_GROUPS) {
    if (spec.keys.length !== spec.order.length) throw new InternalError('rank top-n: sort keys and their order differ in length');
    if (!(spec.first >= 1) || !(spec.last >= 0)) throw new InternalError('rank top-n: invalid rank range');
    this.#spec = spec;
    this.#state = state ?? new MemoryStateTable<RankPartition>();
    this.#keyGroups = keyGroups;
    this.#compare = keyComparator(spec.order);
    this.#partScratch = new Array<Value>(spec.partition.length).fill(null);
    this.#keyScratch = new Array<Value>(spec.keys.length).fill(null);
    this.#from = spec.first - 1;
    this.#to = spec.last;
    this.#tied = spec.fn === 'rank' || spec.fn === 'dense_rank' ? spec.fn : undefined;
    this.#updateBefore = spec.updateBefore ?? true;
  }

  /** An update of one output row: -U old, +U new, or only +U new in upsert mode. */
  #update(old: Row, now: Row): void {
    if (this.#updateBefore) this.#out.update(old, now);
    else this.#out.emit(RowKind.UPDATE_AFTER, now);
  }

  push(_input: number, chunk: Chunk): Chunk[] {
    try {
      const rows = chunk.rows;
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i]!;
        if (isAddition(kindAt(chunk, i))) this.#add(row);
        else this.#remove(row);
      }
      return this.#out.take();
    } catch (err) {
      this.#out.discard();
      throw err;
    }
  }

  keyGroupOf(_input: number, row: Row): number {
    return keyGroupOf(this.#partitionKey(row));
  }

  #partitionKey(row: Row): Uint8Array {
    const p = this.#spec.partition;
    const scratch = this.#partScratch;
    for (let i = 0; i < p.length; i++) scratch[i] = p[i]!(row);
    return encodeKey(scratch, this.#spec.partitionTypes);
  }

  /** The state key of `row`'s partition: its key group, then its partition key. */
  #stateKey(row: Row): Uint8Array {
    const pkey = this.#partitionKey(row);
    const kg = keyGroupOf(pkey);
    if (kg < this.#keyGroups.first || kg > this.#keyGroups.last) {
      throw new InternalError(`rank top-n instance owning key groups ${this.#keyGroups.first}..${this.#keyGroups.last} received a row of key group ${kg}`);
    }
    return inKeyGroup(kg, pkey);
  }

  /** The row's sort keys, in a scratch array reused by the next call (copy it to keep it). */
  #evalKeys(row: Row): Value[] {
    const k = this.#spec.keys;
    const out = this.#keyScratch;
    for (let i = 0; i < k.length; i++) out[i] = k[i]!(row);
    return out;
  }

  /** Index of the first entry whose keys are greater than `keys` (after every tie). */
  #upperBound(entries: readonly RankEntry[], keys: readonly Value[]): number {
    let lo = 0;
    let hi = entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#compare(entries[mid]!.keys, keys) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  #add(row: Row): void {
    const pkey = this.#stateKey(row);
    const keys = this.#evalKeys(row);
    let part = this.#state.get(pkey);
    const entries = part?.entries ?? [];
    const p = this.#upperBound(entries, keys);
    if (this.#tied !== undefined) {
      const old = this.#visible(entries);
      entries.splice(p, 0, { row, keys: keys.slice() });
      this.#emitTied(old, entries);
      // Over an insert-only input a rank never goes down: rows ranked after `last` are dropped.
      if (this.#spec.appendOnly) entries.length = tiedRanks(entries, this.#tied, this.#compare, this.#to).length;
      if (entries.length === 0) this.#state.delete(pkey);
      else this.#state.put(pkey, part ?? { entries });
      return;
    }
    if (this.#spec.appendOnly && p >= this.#to) return;
    const before = entries.length;
    entries.splice(p, 0, { row, keys: keys.slice() });
    this.#emitShift(entries, p, before, undefined);
    if (this.#spec.appendOnly && entries.length > this.#to) entries.length = this.#to;
    if (part === undefined) part = { entries };
    this.#state.put(pkey, part);
  }

  #remove(row: Row): void {
    const pkey = this.#stateKey(row);
    const part = this.#state.get(pkey);
    const keys = this.#evalKeys(row);
    const entries = part?.entries;
    let p = -1;
    if (entries !== undefined) {
      // The last stored copy among the rows tying with it: the fewest ranks move.
      for (let i = this.#upperBound(entries, keys) - 1; i >= 0; i--) {
        const e = entries[i]!;
        if (this.#compare(e.keys, keys) !== 0) break;
        if (rowsEqual(e.row, row, this.#spec.types)) {
          p = i;
          break;
        }
      }
    }
    if (part === undefined || entries === undefined || p < 0) {
      throw new InternalError('rank top-n: retraction of a row the partition does not hold (broken changelog)');
    }
    if (this.#tied !== undefined) {
      const old = this.#visible(entries);
      entries.splice(p, 1);
      this.#emitTied(old, entries);
      if (entries.length === 0) this.#state.delete(pkey);
      else this.#state.put(pkey, part);
      return;
    }
    const before = entries.length;
    const removed = entries.splice(p, 1)[0]!.row;
    this.#emitShift(entries, p, before, removed);
    if (entries.length === 0) this.#state.delete(pkey);
    else this.#state.put(pkey, part);
  }

  /** RANK / DENSE_RANK: the entries ranked `first`..`last`, with their ranks. */
  #visible(entries: readonly RankEntry[]): Map<RankEntry, number> {
    const ranks = tiedRanks(entries, this.#tied!, this.#compare, this.#to);
    const out = new Map<RankEntry, number>();
    for (let i = 0; i < ranks.length; i++) if (ranks[i]! > this.#from) out.set(entries[i]!, ranks[i]!);
    return out;
  }

  /** RANK / DENSE_RANK: the changes from the ranked rows `old` to those of `entries` now. */
  #emitTied(old: Map<RankEntry, number>, entries: readonly RankEntry[]): void {
    const now = this.#visible(entries);
    const out = this.#out;
    const withRank = this.#spec.withRank;
    for (const [e, rank] of old) if (!now.has(e)) out.emit(RowKind.DELETE, withValue(e.row, withRank ? BigInt(rank) : null));
    for (const [e, rank] of now) {
      const was = old.get(e);
      if (was === undefined) out.emit(RowKind.INSERT, withValue(e.row, withRank ? BigInt(rank) : null));
      else if (withRank && was !== rank) this.#update(withValue(e.row, BigInt(was)), withValue(e.row, BigInt(rank)));
    }
  }

  /**
   * Emits the change of ranks [#from, #to) after `removed` was taken from
   * position `p` (or, when undefined, a row was inserted there); `entries` is
   * the new order, `before` the old length. Only ranks >= p change: the old
   * row at rank i >= p is entries[i + 1] after an insertion, and `removed`
   * (i = p) or entries[i - 1] (i > p) after a removal.
   */
  #emitShift(entries: readonly RankEntry[], p: number, before: number, removed: Row | undefined): void {
    const to = this.#to;
    if (p >= to || this.#from >= to) return;
    const out = this.#out;
    const after = entries.length;
    const a = Math.max(p, this.#from);
    const added = removed === undefined;
    if (this.#spec.withRank) {
      const end = Math.min(Math.max(before, after), to);
      for (let i = a; i < end; i++) {
        const o = i >= before ? undefined : added ? entries[i + 1]!.row : i === p ? removed : entries[i - 1]!.row;
        const n = i < after ? entries[i]!.row : undefined;
        const rank = BigInt(i + 1);
        if (o !== undefined && n !== undefined) this.#update(withValue(o, rank), withValue(n, rank));
        else if (n !== undefined) out.emit(RowKind.INSERT, withValue(n, rank));
        else if (o !== undefined) out.emit(RowKind.DELETE, withValue(o, rank));
      }
      return;
    }
    // Without the rank: at most one row enters ranks [from, to) and one leaves.
    let entered: Row | undefined;
    let left: Row | undefined;
    if (added) {
      entered = a < after ? entries[a]!.row : undefined;
      left = after > to ? entries[to]!.row : undefined;
    } else {
      left = a >= before ? undefined : a === p ? removed : entries[a - 1]!.row;
      entered = after >= to ? entries[to - 1]!.row : undefined;
    }
    if (left !== undefined && entered !== undefined) this.#update(withValue(left, null), withValue(entered, null));
    else if (entered !== undefined) out.emit(RowKind.INSERT, withValue(entered, null));
    else if (left !== undefined) out.emit(RowKind.DELETE, withValue(left, null));
  }
}

function withValue(row: Row, v: Value): Row {
  const out = row.slice();
  out.push(v);
  return out;
}

/**
 * The operator of a recognised ROW_NUMBER Top-N (src/planner/row-number-top-n.ts):
 * its bounds evaluated to the rank range. `withRank` when anything above reads the
 * row number; `appendOnly` when the window's input is insert-only;
 * `updateBefore: false` for upsert mode.
 */
export function rankTopNOf(topN: RowNumberTopN, env: ExecEnv, withRank: boolean, appendOnly: boolean, state: StateProvider = memoryStateProvider, updateBefore = true): RankTopN {
  const { first, last } = rankRange(topN, env);
  const call = topN.call;
  return new RankTopN(
    {
      fn: call.fn === 'rank' || call.fn === 'dense_rank' ? call.fn : 'row_number',
      partition: call.partitionBy.map((e) => compileExpr(e, env)),
      partitionTypes: call.partitionBy.map((e) => e.type),
      keys: call.orderBy.map((k) => compileExpr(k.expr, env)),
      order: call.orderBy.map((k) => ({ type: k.expr.type, desc: k.desc, nullsFirst: k.nullsFirst })),
      types: topN.window.input.schema.map((c) => c.type),
      first,
      last,
      withRank,
      appendOnly,
      updateBefore,
    },
    state.table('partitions', rankPartitionCodec, { pointOnly: true }),
    ownedKeyGroups(state),
  );
}

/** The ranks a Top-N's bounds keep, 1-based inclusive (last < first: none); bounds are evaluated now. */
export function rankRange(topN: RowNumberTopN, env: ExecEnv): { first: number; last: number } {
  let first = 1;
  let last = Infinity;
  for (const b of topN.bounds) {
    const v = numberOf(evaluateConstant(b.value, env), b.value.type);
    if (v === null || Number.isNaN(v)) {
      // rn compared with NULL: no row qualifies.
      last = 0;
      continue;
    }
    switch (b.op) {
      case '<=':
        last = Math.min(last, Math.floor(v));
        break;
      case '<':
        last = Math.min(last, Math.ceil(v) - 1);
        break;
      case '=':
        if (Number.isInteger(v)) {
          first = Math.max(first, v);
          last = Math.min(last, v);
        } else last = 0;
        break;
      case '>=':
        first = Math.max(first, Math.ceil(v));
        break;
      case '>':
        first = Math.max(first, Math.floor(v) + 1);
        break;
    }
  }
  return { first, last: Math.max(0, last) };
}

function numberOf(v: Value, type: SqlType): number | null {
  if (v === null) return null;
  if (type.kind === 'DECIMAL' && typeof v === 'bigint') return Number(v) / 10 ** type.scale;
  if (typeof v === 'bigint' || typeof v === 'number') return Number(v);
  return Number(String(v));
}

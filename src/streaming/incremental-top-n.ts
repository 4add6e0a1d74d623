/**
 * Incremental Top-N: `ORDER BY k1 [DESC] [NULLS FIRST|LAST], ... LIMIT n
 * [OFFSET m]` over a changelog. The result is the rows ranked m+1 .. m+n of
 * the current input (a multiset) in the full order below; the operator emits
 * the changes of that set.
 *
 * Full order (the tie rule): by the sort keys as the batch sort compares them
 * (src/compiler/sort-keys.ts), then, among rows with equal keys, by the whole
 * row, column by column in ascending SQL order with NULLs last. The result is
 * therefore a function of the input multiset alone, whatever the arrival
 * order (the batch Top-N breaks ties by arrival instead: both are valid
 * answers of the query). Rows equal in every column are one entry with a count.
 *
 * State, two state tables, both used by key only (never scanned, so the
 * in-memory table keeps no sorted index). The operator has no partition key:
 * all its state lies in one key group, the group of the empty key
 * (key-groups.ts), and every row is routed there, so of parallel instances
 * only the one owning that group holds state and does work.
 * - directory (one value, under the key group alone): the page ids in order,
 *   the row count of each page, the total row count and the next page id;
 * - pages: key group, page id (4 bytes big-endian) -> a sorted array of
 *   entries { row, keys, count }, between 1 and MAX_ENTRIES entries.
 * Every input row lives in exactly one page. This is a two-level counted
 * B-tree: locating a row binary-searches the directory (O(log pages) page
 * reads) and then its page (O(log B)); its rank sums the page counts before
 * it, stopping at m+n (O(min(pages, (m+n)/B))), and the row at a given rank
 * below m+n is found the same way. A change therefore costs
 * O(log n + B + (m+n)/B), independent of the rows ranked after m+n. Pages
 * split above MAX_ENTRIES entries and merge with a neighbour below a quarter.
 *
 * Rule per row kind: +I and +U add the row, -U and -D remove one equal row
 * (an update pair is a removal and an addition); a removal of a row the input
 * does not hold is a broken changelog (internal error). An addition at rank p
 * (0-based, the position of the new copy) with p < m+n pushes the row ranked
 * m+n-1 out (-D, if any) and lets in the new row (p >= m) or the row pushed
 * from rank m-1 to m (p < m); a removal at rank p < m+n is the mirror image.
 * Output is a retract stream, consolidated per input chunk: the net change of
 * each distinct row over the chunk, every -D before every +I (so a consumer
 * applying them in order never holds a negative count); a row that leaves and
 * comes back within one chunk emits nothing. No -U/+U pairs are emitted.
 * LIMIT 0 emits nothing and keeps no state. LIMIT NULL or no LIMIT means no
 * limit (only the OFFSET cuts).
 * - watermark: forwarded unchanged (no `watermark` hook).
 */
import type { Row, SqlType, Value } from '../../catalog/types.ts';
import { RowKind, type Chunk } from '../dataflow/chunk.ts';
import type { EvalFn } from '../compiler/expr-compiler.ts';
import type { LimitNode } from '../planner/logical-plan.ts';
import { keyComparator, type KeyComparator, type SortSpec } from '../compiler/sort-keys.ts';
import { compileExpr, evaluateConstant, type ExecEnv } from '../compiler/compile.ts';
import { InternalError, SqlError, SqlState } from '../errors.ts';
import { compareValues, hashRow, rowsEqual } from '../values/compare.ts';
import { ChangelogBuilder, isAddition, kindAt } from './changelog.ts';
import { ALL_KEY_GROUPS, keyGroupOf, ownsKeyGroup, type KeyGroupRange } from './key-groups.ts';
import type { KeyedOperator } from './parallel-operator.ts';
import type { StateTable } from './state-table.ts';
import { decodeStateValue, encodeStateValue, type StateCodec, type StateValue } from '../state/state-codec.ts';
import { memoryStateProvider, ownedKeyGroups, stateArray, stateNumber, stateRow, type StateProvider } from './state-provider.ts';

export interface IncrementalTopNSpec {
  /** Sort key expressions over the input row. */
  readonly keys: readonly EvalFn[];
  readonly order: readonly SortSpec[];
  /** Input (= output) column types. */
  readonly types: readonly SqlType[];
  /** Rows to return after the offset; null: no limit. */
  readonly limit: number | null;
  readonly offset: number;
}

export interface TopNEntry {
  readonly row: Row;
  readonly keys: readonly Value[];
  count: number;
}

export interface TopNPage {
  readonly entries: TopNEntry[];
}

export interface TopNDirectory {
  /** Page ids in row order. */
  readonly ids: number[];
  /** Rows (with multiplicity) per page, parallel to `ids`. */
  readonly counts: number[];
  total: number;
  nextId: number;
}

export interface TopNStateTables {
  readonly directory: StateTable<TopNDirectory>;
  readonly pages: StateTable<TopNPage>;
  /** The key groups the instance owns (default: all). */
  readonly keyGroups?: KeyGroupRange;
}

/** The directory at a checkpoint: [ids, counts, total, nextId]. */
export const topNDirectoryCodec: StateCodec<TopNDirectory> = {
  encode: (d) => encodeStateValue([d.ids, d.counts, d.total, d.nextId]),
  decode: (bytes) => {
    const [ids, counts, total, nextId] = stateArray(decodeStateValue(bytes), 'top-n directory', 4);
    const savedIds = stateArray(ids, 'top-n page ids');
    return {
      ids: savedIds.map((id) => stateNumber(id, 'top-n page id')),
      counts: stateArray(counts, 'top-n page counts', savedIds.length).map((c) => stateNumber(c, 'top-n page count')),
      total: stateNumber(total, 'top-n row count'),
      nextId: stateNumber(nextId, 'top-n next page id'),
    };
  },
};

/** A page at a checkpoint: [row, sort keys, count] per entry, in order. */
export const topNPageCodec: StateCodec<TopNPage> = {
  encode: (page) => encodeStateValue(page.entries.map((e): StateValue => [e.row, e.keys, e.count])),
  decode: (bytes) => ({
    entries: stateArray(decodeStateValue(bytes), 'top-n page').map((saved): TopNEntry => {
      const [row, keys, count] = stateArray(saved, 'top-n entry', 3);
      return { row: stateRow(row, 'top-n row'), keys: stateRow(keys, 'top-n sort keys'), count: stateNumber(count, 'top-n row count') };
    }),
  }),
};

/** The Top-N's tables from `state`: roles `directory` and `pages`. */
export function topNStateTables(state: StateProvider): TopNStateTables {
  return {
    directory: state.table('directory', topNDirectoryCodec, { pointOnly: true }),
    pages: state.table('pages', topNPageCodec, { pointOnly: true }),
    keyGroups: ownedKeyGroups(state),
  };
}

/** Most entries a page holds before it splits. */
export const MAX_ENTRIES = 256;
const MIN_ENTRIES = MAX_ENTRIES >> 2;
/** The key group of every row and all state: the group of the empty partition key. */
const KEY_GROUP = keyGroupOf(new Uint8Array(0));
/** The directory's state key: the key group alone. */
export const TOP_N_DIRECTORY_KEY = Uint8Array.of(KEY_GROUP);

/** One pending output change of the current chunk: the net count of `row`. */
interface NetChange {
  readonly row: Row;
  net: number;
}

export class IncrementalTopN implements KeyedOperator {
  readonly #spec: IncrementalTopNSpec;
  readonly #dirTable: StateTable<TopNDirectory>;
  readonly #pages: StateTable<TopNPage>;
  readonly #compareKeys: KeyComparator;
  /** offset + limit: ranks below it may be in the result. */
  readonly #end: number;
  /** Whether this instance owns KEY_GROUP (every row's group). */
  readonly #owner: boolean;
  /** A page's state key: the key group, then the page id (4 bytes big-endian). */
  readonly #pageKey = Uint8Array.of(KEY_GROUP, 0, 0, 0, 0);
  readonly #pageKeyView = new DataView(this.#pageKey.buffer);
  /** Net output changes of the current chunk, by row hash; in first-touch order in `#netOrder`. */
  readonly #net = new Map<number, NetChange | NetChange[]>();
  readonly #netOrder: NetChange[] = [];
  readonly #out = new ChangelogBuilder();

  constructor(spec: IncrementalTopNSpec, state?: TopNStateTables) {
    if (spec.keys.length !== spec.order.length) throw new InternalError('top-n: sort keys and their order differ in length');
    if (spec.offset < 0 || (spec.limit !== null && spec.limit < 0)) throw new InternalError('top-n: negative limit or offset');
    this.#spec = spec;
    const tables = state ?? topNStateTables(memoryStateProvider);
    this.#dirTable = tables.directory;
    this.#pages = tables.pages;
    this.#compareKeys = keyComparator(spec.order);
    this.#end = spec.limit === null ? Infinity : spec.offset + spec.limit;
    this.#owner = ownsKeyGroup(tables.keyGroups ?? ALL_KEY_GROUPS, KEY_GROUP);
  }

  /** No partition key: every row belongs to the one key group of the empty key. */
  keyGroupOf(_input: number, _row: Row): number {
    return KEY_GROUP;
  }

  push(_input: number, chunk: Chunk): Chunk[] {
    if (this.#spec.limit === 0) return [];
    if (!this.#owner && chunk.rows.length > 0) throw new InternalError(`top-n instance not owning key group ${KEY_GROUP} received rows`);
    try {
      const rows = chunk.rows;
      for (let i = 0; i < rows.length; i++) {
        if (isAddition(kindAt(chunk, i))) this.#add(rows[i]!);
        else this.#remove(rows[i]!);
      }
      this.#flushNet();
    } catch (err) {
      this.#out.discard();
      throw err;
    } finally {
      this.#net.clear();
      this.#netOrder.length = 0;
    }
    return this.#out.take();
  }

  /** The rows of the result, in rank order (for tests and snapshots). */
  *result(): IterableIterator<Row> {
    const dir = this.#dirTable.get(TOP_N_DIRECTORY_KEY);
    if (dir === undefined || this.#spec.limit === 0) return;
    let skip = this.#spec.offset;
    let left = this.#end - skip;
    for (let p = 0; p < dir.ids.length && left > 0; p++) {
      if (skip >= dir.counts[p]!) {
        skip -= dir.counts[p]!;
        continue;
      }
      for (const e of this.#page(dir.ids[p]!).entries) {
        for (let c = 0; c < e.count; c++) {
          if (skip > 0) skip--;
          else if (left-- > 0) yield e.row.slice();
          else return;
        }
      }
    }
  }

  #add(row: Row): void {
    const keys = this.#evalKeys(row);
    const dir = this.#directory();
    const end = this.#end;
    let rank: number;
    if (dir.ids.length === 0) {
      const id = dir.nextId++;
      dir.ids.push(id);
      dir.counts.push(1);
      this.#putNewPage(id, { entries: [{ row, keys, count: 1 }] });
      rank = 0;
    } else {
      const pi = this.#findPage(dir, keys, row);
      const id = dir.ids[pi]!;
      const page = this.#page(id);
      const entries = page.entries;
      const ei = this.#lowerBound(entries, keys, row);
      const before = this.#rankBefore(dir, pi, entries, ei);
      const hit = entries[ei];
      if (hit !== undefined && this.#compare(hit.keys, hit.row, keys, row) === 0) {
        rank = before + hit.count;
        hit.count++;
      } else {
        rank = before;
        entries.splice(ei, 0, { row, keys, count: 1 });
      }
      dir.counts[pi]!++;
      if (entries.length > MAX_ENTRIES) this.#split(dir, pi, page);
      else this.#putPage(id, page);
    }
    dir.total++;
    this.#dirTable.put(TOP_N_DIRECTORY_KEY, dir);
    if (rank >= end) return;
    const offset = this.#spec.offset;
    if (dir.total > end) this.#change(this.#rowAt(dir, end), -1);
    if (rank >= offset) this.#change(row, 1);
    else if (dir.total > offset) this.#change(this.#rowAt(dir, offset), 1);
  }

  #remove(row: Row): void {
    const keys = this.#evalKeys(row);
    const dir = this.#dirTable.get(TOP_N_DIRECTORY_KEY);
    if (dir === undefined || dir.ids.length === 0) throw broken();
    const pi = this.#findPage(dir, keys, row);
    const id = dir.ids[pi]!;
    const page = this.#page(id);
    const entries = page.entries;
    const ei = this.#lowerBound(entries, keys, row);
    const hit = entries[ei];
    if (hit === undefined || this.#compare(hit.keys, hit.row, keys, row) !== 0) throw broken();
    const rank = this.#rankBefore(dir, pi, entries, ei) + hit.count - 1;
    const stored = hit.row;
    if (--hit.count === 0) entries.splice(ei, 1);
    dir.counts[pi]!--;
    dir.total--;
    if (entries.length === 0) {
      this.#pages.delete(this.#key(id));
      dir.ids.splice(pi, 1);
      dir.counts.splice(pi, 1);
    } else if (entries.length < MIN_ENTRIES && dir.ids.length > 1) {
      this.#merge(dir, pi, page);
    } else {
      this.#putPage(id, page);
    }
    this.#dirTable.put(TOP_N_DIRECTORY_KEY, dir);
    const end = this.#end;
    if (rank >= end) return;
    const offset = this.#spec.offset;
    if (rank >= offset) this.#change(stored, -1);
    else if (dir.total >= offset) this.#change(this.#rowAt(dir, offset - 1), -1);
    if (dir.total >= end) this.#change(this.#rowAt(dir, end - 1), 1);
  }

  #evalKeys(row: Row): Value[] {
    const fns = this.#spec.keys;
    const keys = new Array<Value>(fns.length);
    for (let k = 0; k < fns.length; k++) keys[k] = fns[k]!(row);
    return keys;
  }

  #compare(aKeys: readonly Value[], a: Row, bKeys: readonly Value[], b: Row): number {
    const c = this.#compareKeys(aKeys, bKeys);
    if (c !== 0) return c;
    const types = this.#spec.types;
    for (let i = 0; i < types.length; i++) {
      const x = a[i] ?? null;
      const y = b[i] ?? null;
      if (x === null || y === null) {
        if (x === y) continue;
        return x === null ? 1 : -1;
      }
      const d = compareValues(x, y, types[i]!);
      if (d !== 0) return d;
    }
    return 0;
  }

  /** The page a row belongs in: the last page whose first entry is <= it (the first page when none is). */
  #findPage(dir: TopNDirectory, keys: readonly Value[], row: Row): number {
    let lo = 1;
    let hi = dir.ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const first = this.#page(dir.ids[mid]!).entries[0]!;
      if (this.#compare(first.keys, first.row, keys, row) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  /** Index of the first entry >= (keys, row). */
  #lowerBound(entries: readonly TopNEntry[], keys: readonly Value[], row: Row): number {
    let lo = 0;
    let hi = entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const e = entries[mid]!;
      if (this.#compare(e.keys, e.row, keys, row) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Rows ranked before entry `ei` of page `pi`; any value >= the end of the result when it is at least that. */
  #rankBefore(dir: TopNDirectory, pi: number, entries: readonly TopNEntry[], ei: number): number {
    const end = this.#end;
    let rank = 0;
    for (let p = 0; p < pi; p++) {
      rank += dir.counts[p]!;
      if (rank >= end) return rank;
    }
    for (let e = 0; e < ei; e++) rank += entries[e]!.count;
    return rank;
  }

  /** The row at 0-based `rank` (< total). */
  #rowAt(dir: TopNDirectory, rank: number): Row {
    let r = rank;
    for (let p = 0; p < dir.ids.length; p++) {
      const c = dir.counts[p]!;
      if (r >= c) {
        r -= c;
        continue;
      }
      for (const e of this.#page(dir.ids[p]!).entries) {
        if (r < e.count) return e.row;
        r -= e.count;
      }
      break;
    }
    throw new InternalError(`top-n state is inconsistent: no row at rank ${rank}`);
  }

  #split(dir: TopNDirectory, pi: number, page: TopNPage): void {
    const half = page.entries.length >> 1;
    const moved = page.entries.splice(half);
    const id = dir.nextId++;
    const movedCount = countOf(moved);
    dir.counts[pi] = dir.counts[pi]! - movedCount;
    dir.ids.splice(pi + 1, 0, id);
    dir.counts.splice(pi + 1, 0, movedCount);
    this.#putPage(dir.ids[pi]!, page);
    this.#putNewPage(id, { entries: moved });
  }

  /** Merges a small page `pi` with a neighbour when they fit in one page; otherwise just stores it. */
  #merge(dir: TopNDirectory, pi: number, page: TopNPage): void {
    const ni = pi + 1 < dir.ids.length ? pi + 1 : pi - 1;
    const neighbour = this.#page(dir.ids[ni]!);
    if (neighbour.entries.length + page.entries.length > MAX_ENTRIES >> 1) {
      this.#putPage(dir.ids[pi]!, page);
      return;
    }
    const [lo, hi] = ni > pi ? [pi, ni] : [ni, pi];
    const keep = lo === pi ? page : neighbour;
    const gone = lo === pi ? neighbour : page;
    for (const e of gone.entries) keep.entries.push(e);
    dir.counts[lo] = dir.counts[lo]! + dir.counts[hi]!;
    this.#pages.delete(this.#key(dir.ids[hi]!));
    dir.ids.splice(hi, 1);
    dir.counts.splice(hi, 1);
    this.#putPage(dir.ids[lo]!, keep);
  }

  #directory(): TopNDirectory {
    return this.#dirTable.get(TOP_N_DIRECTORY_KEY) ?? { ids: [], counts: [], total: 0, nextId: 0 };
  }

  #page(id: number): TopNPage {
    this.#pageKeyView.setUint32(1, id);
    const page = this.#pages.get(this.#pageKey);
    if (page === undefined) throw new InternalError(`top-n state is inconsistent: page ${id} is missing`);
    return page;
  }

  /** Stores a page again after a change (its key exists: the table keeps its own copy of the key). */
  #putPage(id: number, page: TopNPage): void {
    this.#pageKeyView.setUint32(1, id);
    this.#pages.put(this.#pageKey, page);
  }

  #putNewPage(id: number, page: TopNPage): void {
    this.#pages.put(this.#key(id), page);
  }

  #key(id: number): Uint8Array {
    const k = Uint8Array.of(KEY_GROUP, 0, 0, 0, 0);
    new DataView(k.buffer).setUint32(1, id);
    return k;
  }

  /** Records that `row` enters (+1) or leaves (-1) the result. */
  #change(row: Row, delta: 1 | -1): void {
    const types = this.#spec.types;
    const h = hashRow(row, types);
    const slot = this.#net.get(h);
    if (slot !== undefined) {
      const list = Array.isArray(slot) ? slot : [slot];
      for (const c of list) {
        if (rowsEqual(c.row, row, types)) {
          c.net += delta;
          return;
        }
      }
      const fresh: NetChange = { row, net: delta };
      list.push(fresh);
      this.#net.set(h, list);
      this.#netOrder.push(fresh);
      return;
    }
    const fresh: NetChange = { row, net: delta };
    this.#net.set(h, fresh);
    this.#netOrder.push(fresh);
  }

  #flushNet(): void {
    const out = this.#out;
    for (const c of this.#netOrder) for (let n = c.net; n < 0; n++) out.emit(RowKind.DELETE, c.row.slice());
    for (const c of this.#netOrder) for (let n = c.net; n > 0; n--) out.emit(RowKind.INSERT, c.row.slice());
  }
}

function countOf(entries: readonly TopNEntry[]): number {
  let n = 0;
  for (const e of entries) n += e.count;
  return n;
}

function broken(): InternalError {
  return new InternalError('top-n received a retraction of a row it does not hold');
}

/** A LIMIT or OFFSET value: null when NULL; negative values fail as in Postgres. */
function countValue(v: Value, what: 'LIMIT' | 'OFFSET'): number | null {
  if (v === null) return null;
  const n = typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? Math.round(v) : Number.NaN;
  if (Number.isNaN(n)) throw new SqlError(SqlState.DATATYPE_MISMATCH, `argument of ${what} must be a number`);
  if (n < 0) throw new SqlError(what === 'LIMIT' ? SqlState.INVALID_ROW_COUNT_IN_LIMIT_CLAUSE : '2201X', `${what} must not be negative`);
  return n;
}

/** The Top-N of a plan: `node` is a LIMIT (with or without a limit value) whose input is a SORT. */
export function incrementalTopNOf(node: LimitNode, env: ExecEnv, state: StateProvider = memoryStateProvider): IncrementalTopN {
  const sort = node.input;
  if (sort.kind !== 'sort') throw new InternalError('incremental Top-N needs LIMIT directly over ORDER BY');
  const limit = node.limit === undefined ? null : countValue(evaluateConstant(node.limit, env), 'LIMIT');
  const offset = node.offset === undefined ? 0 : (countValue(evaluateConstant(node.offset, env), 'OFFSET') ?? 0);
  return new IncrementalTopN(
    {
      keys: sort.keys.map((k) => compileExpr(k.expr, env)),
      order: sort.keys.map((k) => ({ type: k.expr.type, desc: k.desc, nullsFirst: k.nullsFirst })),
      types: sort.schema.map((c) => c.type),
      limit,
      offset,
    },
    topNStateTables(state),
  );
}

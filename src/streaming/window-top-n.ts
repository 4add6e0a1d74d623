/**
 * Window Top-N (Flink's window-topn.md / window-deduplication.md): ROW_NUMBER
 * Top-N whose PARTITION BY holds the window_start and window_end of a window
 * TVF or window aggregation, over an insert-only input. Each window's result
 * is final when the watermark passes the window (window_end - 1 ms <= wm), so
 * the operator emits it then, once, as +I rows, and forgets the window: the
 * output is append-only.
 *
 * State: one state table (role `windows`), key = key-codec encoding of
 * (window_end, partition values), so a scan from the start meets the windows
 * in firing order; value = the window end and the partition's first `last`
 * rows in rank order (ties rank by arrival; a row ranked after `last` can
 * never come back in an insert-only input, so it is not kept).
 *
 * Rule per row kind: +I joins its window's partition, unless its window has
 * fired already (then it is late: dropped and counted in `lateRows`); -U, +U,
 * -D cannot come from an insert-only input (internal error).
 * watermark(wm): every partition whose window fired emits its rows ranked
 * `first`..`last` as +I (with the rank when `withRank`, NULL otherwise), in
 * window order, and is deleted.
 * RANK / DENSE_RANK (`fn`): rows with equal sort keys share a rank, so a
 * partition keeps every row ranked <= `last` (ties included) and may emit
 * more than last - first + 1 rows.
 */
import type { Row, SqlType, Value } from '../../catalog/types.ts';
import type { Chunk } from '../dataflow/chunk.ts';
import type { EvalFn } from '../compiler/expr-compiler.ts';
import { keyComparator, type KeyComparator, type SortSpec } from '../compiler/sort-keys.ts';
import { InternalError } from '../errors.ts';
import { encodeKey } from '../values/key-codec.ts';
import { decodeStateValue, encodeStateValue, type StateCodec } from '../state/state-codec.ts';
import { ChangelogBuilder, RowKind, kindAt, type IncrementalOperator } from './changelog.ts';
import { memoryStateProvider, stateArray, stateNumber, type StateProvider } from './state-provider.ts';
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

/** A partition at a checkpoint: [end, [row, sort keys]...]. */
export const windowTopNCodec: StateCodec<WindowTopNPartition> = {
  encode: (p) => encodeStateValue([p.end, saveRankEntries(p.entries)]),
  decode: (bytes) => {
    const [end, entries] = stateArray(decodeStateValue(bytes), 'window top-n partition', 2);
    return { end: stateNumber(end, 'window top-n end'), entries: loadRankEntries(entries, 'window top-n') };
  },
};

export class WindowTopN implements IncrementalOperator {
  readonly #spec: WindowTopNSpec;
  readonly #state: StateTable<WindowTopNPartition>;
  readonly #compare: KeyComparator;
  readonly #keyScratch: Value[];
  readonly #keyTypes: readonly SqlType[];
  readonly #out = new ChangelogBuilder();
  #watermark = Number.NEGATIVE_INFINITY;
  #late = 0;

  constructor(spec: WindowTopNSpec, state: StateProvider = memoryStateProvider) {
    if (spec.keys.length !== spec.order.length) throw new InternalError('window top-n: sort keys and their order differ in length');
    this.#spec = spec;
    this.#state = state.table('windows', windowTopNCodec);
    this.#compare = keyComparator(spec.order);
    this.#keyScratch = new Array<Value>(1 + spec.partition.length).fill(null);
    this.#keyTypes = [spec.endType, ...spec.partitionTypes];
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
      this.#add(row, end);
    }
    return [];
  }

  watermark(wm: number): Chunk[] {
    if (wm <= this.#watermark) return [];
    this.#watermark = wm;
    const fired: [Uint8Array, WindowTopNPartition][] = [];
    for (const [key, part] of this.#state.scan()) {
      if (this.#spec.fireTime(part.end) > wm) break;
      fired.push([key, part]);
    }
    const { first, last, withRank, fn } = this.#spec;
    for (const [key, part] of fired) {
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
      this.#state.delete(key);
    }
    return this.#out.take();
  }

  #add(row: Row, end: number): void {
    const spec = this.#spec;
    const scratch = this.#keyScratch;
    scratch[0] = end;
    for (let i = 0; i < spec.partition.length; i++) scratch[i + 1] = spec.partition[i]!(row);
    const key = encodeKey(scratch, this.#keyTypes);
    const keys = new Array<Value>(spec.keys.length);
    for (let i = 0; i < spec.keys.length; i++) keys[i] = spec.keys[i]!(row);
    const part = this.#state.get(key) ?? { end, entries: [] };
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
      if (entries.length > 0) this.#state.put(key, part);
      return;
    }
    if (lo >= spec.last) return;
    entries.splice(lo, 0, { row, keys });
    if (entries.length > spec.last) entries.length = spec.last;
    this.#state.put(key, part);
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

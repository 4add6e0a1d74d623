/**
 * Window functions (OVER ...): materialises the input; for each call, sorts
 * row indices by (partition keys, order keys) stably and computes one value
 * per row. Output: each input row followed by one column per call, in the
 * order of the last call's sort.
 *
 * Frames: the default (ORDER BY present or not) is RANGE BETWEEN UNBOUNDED
 * PRECEDING AND CURRENT ROW, so without ORDER BY the frame is the whole
 * partition (all rows are peers). ROWS offsets count rows; RANGE offsets add
 * to / subtract from the single numeric or temporal ORDER BY key.
 * Ranking functions (row_number, rank, dense_rank, percent_rank, cume_dist,
 * ntile) and lag/lead ignore the frame; first_value/last_value and
 * aggregates use it. Aggregates slide their frame with add/remove when the
 * accumulator can remove, and recompute otherwise.
 * Row kinds: insert-only.
 */
import type { Row, SqlType, Value } from '../../catalog/types.ts';
import type { WindowFunctionName } from '../planner/logical-plan.ts';
import { ChunkBuilder, assertInsertOnly } from '../dataflow/chunk.ts';
import type { ChunkStream } from '../dataflow/stream.ts';
import type { EvalFn, PrepareFn } from '../compiler/expr-compiler.ts';
import type { Accumulator } from '../compiler/exec-context.ts';
import type { KeyComparator } from '../compiler/sort-keys.ts';
import { InternalError, SqlError, SqlState, unreachable } from '../errors.ts';
import { Numeric, numericToNumber } from '../values/numeric.ts';
import { aggregateArgument, firstArgument } from './hash-aggregate.ts';

export interface FrameBound {
  readonly kind: 'unbounded' | 'current' | 'preceding' | 'following';
  readonly offset?: Value;
}

export interface WindowCallSpec {
  readonly fn: WindowFunctionName;
  readonly args: readonly EvalFn[];
  readonly partition: readonly EvalFn[];
  readonly partitionCompare: KeyComparator;
  readonly order: readonly EvalFn[];
  readonly orderCompare: KeyComparator;
  /** Direction of the first ORDER BY key (RANGE offsets). */
  readonly orderDesc: boolean;
  readonly frame: { readonly units: 'ROWS' | 'RANGE'; readonly start: FrameBound; readonly end: FrameBound };
  /** For aggregate calls: the accumulator factory and whether NULL first arguments are skipped. */
  readonly aggregate: { readonly factory: () => Accumulator; readonly skipNulls: boolean } | null;
  readonly type: SqlType;
}

const DEFAULT_FRAME = {
  units: 'RANGE',
  start: { kind: 'unbounded' },
  end: { kind: 'current' },
} as const;

export function defaultFrame(): WindowCallSpec['frame'] {
  return DEFAULT_FRAME;
}

export async function* windowOperator(
  calls: readonly WindowCallSpec[],
  prepare: PrepareFn | undefined,
  input: ChunkStream,
): ChunkStream {
  const rows: Row[] = [];
  for await (const chunk of input) {
    assertInsertOnly(chunk, 'window');
    if (prepare !== undefined) await prepare(chunk.rows);
    for (const r of chunk.rows) rows.push(r);
  }
  const n = rows.length;
  const results: Value[][] = [];
  let order: number[] = [];
  for (const call of calls) {
    const res: Value[] = new Array<Value>(n).fill(null);
    order = computeCall(call, rows, res);
    results.push(res);
  }
  if (calls.length === 0) order = rows.map((_, i) => i);
  const out = new ChunkBuilder();
  const nc = calls.length;
  for (const i of order) {
    const src = rows[i]!;
    const row: Row = new Array(src.length + nc);
    for (let j = 0; j < src.length; j++) row[j] = src[j] ?? null;
    for (let c = 0; c < nc; c++) row[src.length + c] = results[c]![i]!;
    if (out.push(row)) yield out.take();
  }
  if (out.length > 0) yield out.take();
}

function intResult(n: number, type: SqlType): Value {
  return type.kind === 'BIGINT' ? BigInt(n) : type.kind === 'DECIMAL' ? BigInt(n) * 10n ** BigInt(type.scale) : n;
}

function offsetNumber(v: Value, what: string): number {
  const n = typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : Number.NaN;
  if (Number.isNaN(n) || n < 0) {
    throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `${what} must not be negative`);
  }
  return n;
}

/** Computes one call into `res` (indexed by input row); returns the sorted row order used. */
function computeCall(call: WindowCallSpec, rows: readonly Row[], res: Value[]): number[] {
  const n = rows.length;
  const pk: Value[][] = new Array(n);
  const ok: Value[][] = new Array(n);
  const vals: Value[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const row = rows[i]!;
    const p: Value[] = new Array(call.partition.length);
    for (let j = 0; j < p.length; j++) p[j] = call.partition[j]!(row);
    const o: Value[] = new Array(call.order.length);
    for (let j = 0; j < o.length; j++) o[j] = call.order[j]!(row);
    pk[i] = p;
    ok[i] = o;
    vals[i] = call.aggregate !== null ? aggregateArgument(call.args, row) : call.args.length > 0 ? call.args[0]!(row) : null;
  }
  const idx: number[] = new Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  idx.sort((a, b) => call.partitionCompare(pk[a]!, pk[b]!) || call.orderCompare(ok[a]!, ok[b]!) || a - b);

  let ps = 0;
  while (ps < n) {
    let pe = ps + 1;
    while (pe < n && call.partitionCompare(pk[idx[ps]!]!, pk[idx[pe]!]!) === 0) pe++;
    computePartition(call, rows, idx, ps, pe, ok, vals, res);
    ps = pe;
  }
  return idx;
}

function computePartition(
  call: WindowCallSpec,
  rows: readonly Row[],
  idx: readonly number[],
  ps: number,
  pe: number,
  ok: readonly Value[][],
  vals: readonly Value[],
  res: Value[],
): void {
  const size = pe - ps;
  const peer = (a: number, b: number): boolean => call.orderCompare(ok[idx[a]!]!, ok[idx[b]!]!) === 0;
  // peerStart[k] / peerEnd[k]: the peer group of position ps + k, as [start, end) positions.
  const peerStart = new Int32Array(size);
  const peerEnd = new Int32Array(size);
  for (let p = ps; p < pe; ) {
    let q = p + 1;
    while (q < pe && peer(p, q)) q++;
    for (let r = p; r < q; r++) {
      peerStart[r - ps] = p;
      peerEnd[r - ps] = q;
    }
    p = q;
  }
  const type = call.type;
  switch (call.fn) {
    case 'row_number':
      for (let p = ps; p < pe; p++) res[idx[p]!] = intResult(p - ps + 1, type);
      return;
    case 'rank':
      for (let p = ps; p < pe; p++) res[idx[p]!] = intResult(peerStart[p - ps]! - ps + 1, type);
      return;
    case 'dense_rank': {
      let rank = 0;
      for (let p = ps; p < pe; p++) {
        if (peerStart[p - ps] === p) rank++;
        res[idx[p]!] = intResult(rank, type);
      }
      return;
    }
    case 'percent_rank':
      for (let p = ps; p < pe; p++) res[idx[p]!] = size <= 1 ? 0 : (peerStart[p - ps]! - ps) / (size - 1);
      return;
    case 'cume_dist':
      for (let p = ps; p < pe; p++) res[idx[p]!] = (peerEnd[p - ps]! - ps) / size;
      return;
    case 'ntile': {
      for (let p = ps; p < pe; p++) {
        const bucketsV = vals[idx[p]!] ?? null;
        if (bucketsV === null) {
          res[idx[p]!] = null;
          continue;
        }
        const buckets = typeof bucketsV === 'bigint' ? Number(bucketsV) : (bucketsV as number);
        if (!(buckets > 0)) throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, 'argument of ntile must be greater than zero');
        const k = p - ps;
        const per = Math.floor(size / buckets);
        const extra = size % buckets;
        // The first `extra` buckets hold per + 1 rows.
        const bucket = k < extra * (per + 1) ? Math.floor(k / (per + 1)) : extra + Math.floor((k - extra * (per + 1)) / per);
        res[idx[p]!] = intResult(bucket + 1, type);
      }
      return;
    }
    case 'lag':
    case 'lead': {
      const sign = call.fn === 'lag' ? -1 : 1;
      const offsetFn = call.args[1];
      const defaultFn = call.args[2];
      for (let p = ps; p < pe; p++) {
        const row = rows[idx[p]!]!;
        let off = 1;
        if (offsetFn !== undefined) {
          const o = offsetFn(row);
          if (o === null) {
            res[idx[p]!] = null;
            continue;
          }
          off = typeof o === 'bigint' ? Number(o) : (o as number);
        }
        const target = p + sign * off;
        res[idx[p]!] = target >= ps && target < pe ? (vals[idx[target]!] ?? null) : defaultFn !== undefined ? defaultFn(row) : null;
      }
      return;
    }
    default:
      break;
  }
  const bounds = frameBounds(call, idx, ps, pe, ok, peerStart, peerEnd);
  if (call.aggregate === null) {
    if (call.fn !== 'first_value' && call.fn !== 'last_value') {
      throw new InternalError(`window function ${call.fn} has no implementation`);
    }
    const first = call.fn === 'first_value';
    for (let p = ps; p < pe; p++) {
      const s = bounds.start[p - ps]!;
      const e = bounds.end[p - ps]!;
      res[idx[p]!] = s < e ? (vals[idx[first ? s : e - 1]!] ?? null) : null;
    }
    return;
  }
  aggregateFrames(call.aggregate, call.args.length, idx, ps, pe, bounds, vals, res);
}

/** [start, end) positions of each row's frame within the partition [ps, pe). */
function frameBounds(
  call: WindowCallSpec,
  idx: readonly number[],
  ps: number,
  pe: number,
  ok: readonly Value[][],
  peerStart: Int32Array,
  peerEnd: Int32Array,
): { start: Int32Array; end: Int32Array } {
  const size = pe - ps;
  const start = new Int32Array(size);
  const end = new Int32Array(size);
  for (let p = ps; p < pe; p++) {
    const k = p - ps;
    const s = boundPosition(call, call.frame.start, 'start', p, ps, pe, ok, idx, peerStart[k]!, peerEnd[k]!);
    const e = boundPosition(call, call.frame.end, 'end', p, ps, pe, ok, idx, peerStart[k]!, peerEnd[k]!);
    start[k] = s;
    end[k] = e < s ? s : e;
  }
  return { start, end };
}

/** One frame bound of the row at position `p`, clamped to the partition. */
function boundPosition(
  call: WindowCallSpec,
  b: FrameBound,
  which: 'start' | 'end',
  p: number,
  ps: number,
  pe: number,
  ok: readonly Value[][],
  idx: readonly number[],
  peerS: number,
  peerE: number,
): number {
  const rows = call.frame.units === 'ROWS';
  let pos: number;
  switch (b.kind) {
    case 'unbounded':
      pos = which === 'start' ? ps : pe;
      break;
    case 'current':
      pos = rows ? (which === 'start' ? p : p + 1) : which === 'start' ? peerS : peerE;
      break;
    case 'preceding':
    case 'following': {
      const off = offsetNumber(b.offset ?? null, 'frame offset');
      const delta = b.kind === 'preceding' ? -off : off;
      if (rows) pos = which === 'start' ? p + delta : p + delta + 1;
      else pos = rangePosition(ok, idx, p, ps, pe, delta, call.orderDesc, which, peerS, peerE);
      break;
    }
    default:
      return unreachable(b.kind);
  }
  return pos < ps ? ps : pos > pe ? pe : pos;
}

/** RANGE offset bound: the first position whose key is >= (start) / > (end) the current key moved by `delta`. */
function rangePosition(
  ok: readonly Value[][],
  idx: readonly number[],
  p: number,
  ps: number,
  pe: number,
  delta: number,
  desc: boolean,
  which: 'start' | 'end',
  peerS: number,
  peerE: number,
): number {
  const raw = (q: number): Value => ok[idx[q]!]![0] ?? null;
  // Unconstrained NUMERIC keys are placed by their value as a double.
  const key = (q: number): Value => {
    const v = raw(q);
    return v instanceof Numeric ? numericToNumber(v) : v;
  };
  const cur = key(p);
  if (cur === null) return which === 'start' ? peerS : peerE;
  const big = typeof cur === 'bigint';
  const d = desc ? -delta : delta;
  const target = big ? (cur as bigint) + BigInt(Math.trunc(d)) : (cur as number) + d;
  // Position in sorted order: keys ascend (or descend when desc); NULL keys sit at one end and are skipped.
  const before = (v: Value): boolean => {
    if (v === null) return false;
    const less = big ? (v as bigint) < (target as bigint) : (v as number) < (target as number);
    const greater = big ? (v as bigint) > (target as bigint) : (v as number) > (target as number);
    if (which === 'start') return desc ? greater : less;
    return desc ? !less : !greater;
  };
  let q = ps;
  while (q < pe && (key(q) === null ? q < p : before(key(q)))) q++;
  return q;
}

function aggregateFrames(
  agg: NonNullable<WindowCallSpec['aggregate']>,
  argCount: number,
  idx: readonly number[],
  ps: number,
  pe: number,
  bounds: { start: Int32Array; end: Int32Array },
  vals: readonly Value[],
  res: Value[],
): void {
  const feed = (acc: Accumulator, p: number, remove: boolean): void => {
    const v = vals[idx[p]!] ?? null;
    if (agg.skipNulls && firstArgument(v, argCount) === null) return;
    if (remove) acc.remove!(v);
    else acc.add(v);
  };
  let acc = agg.factory();
  const canSlide = typeof acc.remove === 'function';
  let curS = ps;
  let curE = ps;
  for (let p = ps; p < pe; p++) {
    const s = bounds.start[p - ps]!;
    const e = bounds.end[p - ps]!;
    const monotonic = s >= curS && e >= curE;
    if (monotonic && (s === curS || canSlide)) {
      if (s >= curE) {
        if (curE > curS) acc = agg.factory();
        curS = curE = s;
      }
      while (curE < e) feed(acc, curE++, false);
      while (curS < s) feed(acc, curS++, true);
    } else {
      acc = agg.factory();
      for (let q = s; q < e; q++) feed(acc, q, false);
      curS = s;
      curE = e;
    }
    res[idx[p]!] = acc.result();
  }
}

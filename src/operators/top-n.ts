/**
 * ORDER BY ... LIMIT n [OFFSET m]: a sort that keeps only the first m + n
 * rows. Rows are buffered with their keys; whenever the buffer holds twice
 * the rows to keep, it is sorted (by keys, then arrival order, so ties keep
 * input order as in the plain sort) and cut back. Output equals Sort followed
 * by Limit, in O(rows * log(keep)) time and O(keep) memory.
 * Row kinds: insert-only.
 */
import type { Row, Value } from '../../catalog/types.ts';
import { ChunkBuilder, assertInsertOnly } from '../dataflow/chunk.ts';
import type { ChunkStream } from '../dataflow/stream.ts';
import type { CompiledExpr, EvalFn, PrepareFn } from '../compiler/expr-compiler.ts';
import type { KeyComparator } from '../compiler/sort-keys.ts';
import { evaluateCount } from './limit.ts';

interface Entry {
  readonly row: Row;
  readonly keys: Value[];
  readonly seq: number;
}

export async function* topNOperator(
  input: ChunkStream,
  keys: readonly EvalFn[],
  prepare: PrepareFn | undefined,
  compare: KeyComparator,
  limitExpr: CompiledExpr | undefined,
  offsetExpr: CompiledExpr | undefined,
): ChunkStream {
  const limit = await evaluateCount(limitExpr, 'LIMIT');
  const offset = (await evaluateCount(offsetExpr, 'OFFSET')) ?? 0;
  if (limit === 0) return;
  const keep = limit === null ? Infinity : offset + limit;
  const order = (a: Entry, b: Entry): number => compare(a.keys, b.keys) || a.seq - b.seq;
  let buffer: Entry[] = [];
  let seq = 0;
  const k = keys.length;
  for await (const chunk of input) {
    assertInsertOnly(chunk, 'top-n');
    if (prepare !== undefined) await prepare(chunk.rows);
    for (const row of chunk.rows) {
      const kv: Value[] = new Array(k);
      for (let i = 0; i < k; i++) kv[i] = keys[i]!(row);
      buffer.push({ row, keys: kv, seq: seq++ });
    }
    if (buffer.length >= 2 * keep + 1024) {
      buffer.sort(order);
      buffer.length = keep;
    }
  }
  buffer.sort(order);
  buffer = buffer.slice(offset, keep);
  const out = new ChunkBuilder();
  for (const e of buffer) if (out.push(e.row)) yield out.take();
  if (out.length > 0) yield out.take();
}

/**
 * Sort: materialises its input, evaluates the sort keys once per row, and
 * emits the rows in key order. Stable: rows with equal keys keep their input
 * order. NULL placement and direction per key come from the plan.
 * Row kinds: insert-only (bounded input).
 */
import type { Row, Value } from '../../catalog/types.ts';
import { ChunkBuilder, assertInsertOnly } from '../dataflow/chunk.ts';
import type { ChunkStream } from '../dataflow/stream.ts';
import type { EvalFn, PrepareFn } from '../compiler/expr-compiler.ts';
import type { FlatKeyComparator } from '../compiler/sort-keys.ts';

export async function* sortOperator(
  input: ChunkStream,
  keys: readonly EvalFn[],
  prepare: PrepareFn | undefined,
  compare: FlatKeyComparator,
): ChunkStream {
  const rows: Row[] = [];
  // Key values of all rows, `keys.length` per row.
  const flat: Value[] = [];
  const k = keys.length;
  for await (const chunk of input) {
    assertInsertOnly(chunk, 'sort');
    if (prepare !== undefined) await prepare(chunk.rows);
    for (const row of chunk.rows) {
      for (let i = 0; i < k; i++) flat.push(keys[i]!(row));
      rows.push(row);
    }
  }
  const order: number[] = new Array(rows.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  order.sort((a, b) => compare(flat, a, b) || a - b);
  const out = new ChunkBuilder();
  for (const i of order) if (out.push(rows[i]!)) yield out.take();
  if (out.length > 0) yield out.take();
}

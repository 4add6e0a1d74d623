/**
 * Filter: keeps the rows whose predicate is TRUE (NULL and FALSE drop the row).
 * Streaming; empty output chunks are not emitted.
 * Row kinds: insert-only for now (a filter passes any kind through unchanged).
 */
import type { Row } from '../../catalog/types.ts';
import { assertInsertOnly, insertChunk } from '../dataflow/chunk.ts';
import type { ChunkStream } from '../dataflow/stream.ts';
import type { CompiledExpr } from '../compiler/expr-compiler.ts';

export async function* filterOperator(input: ChunkStream, predicate: CompiledExpr): ChunkStream {
  const pred = predicate.eval;
  for await (const chunk of input) {
    assertInsertOnly(chunk, 'filter');
    const rows = chunk.rows;
    if (predicate.prepare !== undefined) await predicate.prepare(rows);
    const out: Row[] = [];
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      if (pred(row) === true) out.push(row);
    }
    if (out.length > 0) yield insertChunk(out);
  }
}

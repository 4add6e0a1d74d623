/**
 * Project: one output row per input row, the expressions evaluated over it.
 * Streaming: each input chunk gives one output chunk.
 * Row kinds: +I in, +I out (insert-only for now; a projection maps any kind to itself).
 */
import type { Row } from '../../catalog/types.ts';
import { assertInsertOnly, insertChunk } from '../dataflow/chunk.ts';
import type { ChunkStream } from '../dataflow/stream.ts';
import type { EvalFn, PrepareFn } from '../compiler/expr-compiler.ts';

export async function* projectOperator(input: ChunkStream, exprs: readonly EvalFn[], prepare: PrepareFn | undefined): ChunkStream {
  const n = exprs.length;
  for await (const chunk of input) {
    assertInsertOnly(chunk, 'project');
    const rows = chunk.rows;
    if (prepare !== undefined) await prepare(rows);
    const out: Row[] = new Array(rows.length);
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r]!;
      const o: Row = new Array(n);
      for (let i = 0; i < n; i++) o[i] = exprs[i]!(row);
      out[r] = o;
    }
    yield insertChunk(out);
  }
}

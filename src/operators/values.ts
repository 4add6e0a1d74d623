/**
 * VALUES: evaluates each row's expressions once per run (they see no input
 * columns) and emits the rows as inserts.
 */
import type { Row } from '../../catalog/types.ts';
import { ChunkBuilder } from '../dataflow/chunk.ts';
import type { ChunkStream } from '../dataflow/stream.ts';
import type { CompiledExpr, PrepareFn } from '../compiler/expr-compiler.ts';

const NO_COLUMNS: Row = [];

export async function* valuesOperator(rows: readonly (readonly CompiledExpr[])[], prepare: PrepareFn | undefined): ChunkStream {
  if (prepare !== undefined) await prepare([NO_COLUMNS]);
  const out = new ChunkBuilder();
  for (const exprs of rows) {
    const row: Row = new Array(exprs.length);
    for (let i = 0; i < exprs.length; i++) row[i] = exprs[i]!.eval(NO_COLUMNS);
    if (out.push(row)) yield out.take();
  }
  if (out.length > 0) yield out.take();
}

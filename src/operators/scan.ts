/**
 * Scan: reads a relation through the RowSource, applies the pushed-down
 * filter when present (the source may ignore it), and cuts the source's
 * batches into chunks of at most CHUNK_SIZE rows.
 * Row kinds: the bounded source yields inserts only. Cancellation is checked
 * between source batches.
 */
import type { Row } from '../../catalog/types.ts';
import type { ScanNode } from '../planner/logical-plan.ts';
import { CHUNK_SIZE, ChunkBuilder, insertChunk } from '../dataflow/chunk.ts';
import type { ChunkStream } from '../dataflow/stream.ts';
import type { RowSource } from '../compiler/compile.ts';
import { throwIfAborted } from '../compiler/cancel.ts';
import type { CompiledExpr } from '../compiler/expr-compiler.ts';

export async function* scanOperator(
  source: RowSource,
  node: ScanNode,
  filter: CompiledExpr | undefined,
  signal: AbortSignal,
): ChunkStream {
  throwIfAborted(signal);
  for await (const batch of source.scan(node, signal)) {
    throwIfAborted(signal);
    if (filter === undefined) {
      if (batch.length === 0) continue;
      if (batch.length <= CHUNK_SIZE) {
        yield insertChunk(batch);
        continue;
      }
      for (let i = 0; i < batch.length; i += CHUNK_SIZE) yield insertChunk(batch.slice(i, i + CHUNK_SIZE));
      continue;
    }
    if (filter.prepare !== undefined) await filter.prepare(batch);
    const pred = filter.eval;
    const out = new ChunkBuilder();
    for (let i = 0; i < batch.length; i++) {
      const row: Row = batch[i]!;
      if (pred(row) === true && out.push(row)) yield out.take();
    }
    if (out.length > 0) yield out.take();
  }
}

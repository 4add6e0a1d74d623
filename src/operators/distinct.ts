/**
 * DISTINCT: emits each distinct row the first time it is seen (NULLs equal).
 * Streaming: keeps a hash set of the rows emitted so far.
 * Row kinds: insert-only (retractions would need counts per row).
 */
import type { Row, SqlType } from '../../catalog/types.ts';
import { assertInsertOnly, insertChunk } from '../dataflow/chunk.ts';
import { KeyTable } from '../dataflow/key-table.ts';
import type { ChunkStream } from '../dataflow/stream.ts';

export async function* distinctOperator(input: ChunkStream, types: readonly SqlType[]): ChunkStream {
  const seen = new KeyTable<{ key: Row }>(types);
  for await (const chunk of input) {
    assertInsertOnly(chunk, 'distinct');
    const out: Row[] = [];
    for (const row of chunk.rows) {
      const h = seen.hash(row);
      if (seen.find(row, h) !== undefined) continue;
      seen.insert({ key: row }, h);
      out.push(row);
    }
    if (out.length > 0) yield insertChunk(out);
  }
}

/**
 * INTERSECT / EXCEPT [ALL] with Postgres multiset semantics (NULLs equal):
 * INTERSECT ALL keeps min(m, n) copies, EXCEPT ALL max(m - n, 0), the
 * distinct forms at most one copy. The right input is counted into a hash
 * table first; the left input then streams through it.
 * Row kinds: insert-only.
 */
import type { Row, SqlType } from '../../catalog/types.ts';
import { assertInsertOnly, insertChunk } from '../dataflow/chunk.ts';
import { KeyTable } from '../dataflow/key-table.ts';
import type { ChunkStream } from '../dataflow/stream.ts';

interface Counted {
  readonly key: Row;
  /** Right-side copies not yet consumed. */
  count: number;
  /** Whether a left copy was emitted (distinct forms). */
  emitted: boolean;
}

export async function* setOpOperator(
  op: 'INTERSECT' | 'EXCEPT',
  all: boolean,
  left: ChunkStream,
  right: ChunkStream,
  types: readonly SqlType[],
): ChunkStream {
  const table = new KeyTable<Counted>(types);
  for await (const chunk of right) {
    assertInsertOnly(chunk, op.toLowerCase());
    for (const row of chunk.rows) {
      const h = table.hash(row);
      const e = table.find(row, h);
      if (e !== undefined) e.count++;
      else table.insert({ key: row, count: 1, emitted: false }, h);
    }
  }
  // Rows only on the left, for the distinct EXCEPT form: remembered so each is emitted once.
  const leftOnly = new KeyTable<Counted>(types);
  for await (const chunk of left) {
    assertInsertOnly(chunk, op.toLowerCase());
    const out: Row[] = [];
    for (const row of chunk.rows) {
      const h = table.hash(row);
      const e = table.find(row, h);
      if (op === 'INTERSECT') {
        if (e === undefined) continue;
        if (all) {
          if (e.count > 0) {
            e.count--;
            out.push(row);
          }
        } else if (!e.emitted) {
          e.emitted = true;
          out.push(row);
        }
      } else if (all) {
        if (e !== undefined && e.count > 0) e.count--;
        else out.push(row);
      } else if (e === undefined) {
        if (leftOnly.find(row, h) === undefined) {
          leftOnly.insert({ key: row, count: 0, emitted: true }, h);
          out.push(row);
        }
      }
    }
    if (out.length > 0) yield insertChunk(out);
  }
}

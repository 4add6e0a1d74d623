/**
 * LIMIT / OFFSET: skips `offset` rows, then passes at most `limit` rows and
 * stops pulling its input (closing it) as soon as the limit is reached.
 * The values are evaluated once when the run starts: NULL means no limit /
 * no offset; negative values fail with 2201W / 2201X as in Postgres.
 */
import type { Value } from '../../catalog/types.ts';
import { SqlError, SqlState } from '../errors.ts';
import { assertInsertOnly, insertChunk } from '../dataflow/chunk.ts';
import type { ChunkStream } from '../dataflow/stream.ts';
import type { CompiledExpr } from '../compiler/expr-compiler.ts';

const NO_COLUMNS: Value[] = [];

/** Evaluates a LIMIT or OFFSET value: null when absent or NULL; negative values fail. */
export async function evaluateCount(e: CompiledExpr | undefined, what: 'LIMIT' | 'OFFSET'): Promise<number | null> {
  if (e === undefined) return null;
  if (e.prepare !== undefined) await e.prepare([NO_COLUMNS]);
  const v = e.eval(NO_COLUMNS);
  if (v === null) return null;
  const n = typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? Math.round(v) : Number.NaN;
  if (Number.isNaN(n)) throw new SqlError(SqlState.DATATYPE_MISMATCH, `argument of ${what} must be a number`);
  if (n < 0) {
    throw what === 'LIMIT'
      ? new SqlError(SqlState.INVALID_ROW_COUNT_IN_LIMIT_CLAUSE, 'LIMIT must not be negative')
      : new SqlError('2201X', 'OFFSET must not be negative');
  }
  return n;
}

export async function* limitOperator(
  input: ChunkStream,
  limitExpr: CompiledExpr | undefined,
  offsetExpr: CompiledExpr | undefined,
): ChunkStream {
  const limit = await evaluateCount(limitExpr, 'LIMIT');
  let toSkip = (await evaluateCount(offsetExpr, 'OFFSET')) ?? 0;
  let remaining = limit ?? Infinity;
  if (remaining === 0) return;
  for await (const chunk of input) {
    assertInsertOnly(chunk, 'limit');
    let rows = chunk.rows;
    if (toSkip > 0) {
      if (rows.length <= toSkip) {
        toSkip -= rows.length;
        continue;
      }
      rows = rows.slice(toSkip);
      toSkip = 0;
    }
    if (rows.length >= remaining) {
      yield insertChunk(rows.length === remaining ? rows : rows.slice(0, remaining));
      return;
    }
    remaining -= rows.length;
    yield insertChunk(rows);
  }
}

/**
 * Streams a cursor's rows as DataRow messages.
 *
 * DataRow ('D'): int16 column count, then per column int32 length (-1 for
 * NULL) and the value's bytes in the column's format code (0 text, 1 binary).
 * Rows are fetched in batches; after each batch the writer is flushed, which
 * waits for the socket to drain when the client reads slower than we produce,
 * so a continuous query never piles rows up in memory. Output is also flushed
 * when the cursor makes us wait.
 */
import { SqlError, SqlState, toSqlError } from '../errors.ts';
import type { Cursor, ResultColumn } from '../session/api.ts';
import { encodeBinary } from '../values/binary.ts';
import { formatValue, type FormatContext } from '../values/text-format.ts';
import type { Row, SqlType } from '../../catalog/types.ts';
import type { MessageWriter } from './message-writer.ts';
import { Backend, Format } from './protocol-codes.ts';
import type { QueryContext } from './query-context.ts';
import { encodeVectorBinary, formatVector, vectorTypeOid } from './catalog-vectors.ts';

/** Rows asked of the cursor at a time. */
export const FETCH_BATCH_ROWS = 1024;

export interface StreamResult {
  /** Rows sent by this call. */
  readonly rows: number;
  /** The cursor has no more rows. */
  readonly exhausted: boolean;
}

/**
 * Sends rows of `cursor` until it is exhausted or `limit` rows were sent
 * (limit 0 = no limit). `formats[i]` is column i's format code.
 */
export async function streamRows(
  ctx: QueryContext,
  cursor: Cursor,
  formats: readonly number[],
  limit: number,
  signal: AbortSignal,
): Promise<StreamResult> {
  const columns = cursor.columns ?? [];
  const types = columns.map((c) => c.type);
  const vectors = columns.some((c) => vectorTypeOid(c) !== undefined) ? columns.map((c) => vectorTypeOid(c) !== undefined) : undefined;
  let sent = 0;
  for (;;) {
    if (ctx.closed) return { rows: sent, exhausted: false };
    const want = limit > 0 ? Math.min(FETCH_BATCH_ROWS, limit - sent) : FETCH_BATCH_ROWS;
    let batch: Row[];
    try {
      batch = await nextFlushingWhileBlocked(ctx, cursor, want);
    } catch (err) {
      throw cancelAware(err, signal);
    }
    if (batch.length === 0) return { rows: sent, exhausted: true };
    for (const row of batch) writeDataRow(ctx.writer, row, types, formats, ctx.formatContext, vectors);
    sent += batch.length;
    ctx.sendNotices();
    await ctx.writer.flush();
    if (limit > 0 && sent >= limit) return { rows: sent, exhausted: false };
  }
}

/**
 * cursor.next(), flushing what is buffered (RowDescription, earlier results,
 * notices) when the cursor does not answer at once, so a client of a query
 * that waits for rows sees everything sent before the wait.
 */
async function nextFlushingWhileBlocked(ctx: QueryContext, cursor: Cursor, want: number): Promise<Row[]> {
  const pending = cursor.next(want);
  if (ctx.writer.pendingBytes === 0) return pending;
  let settled = false;
  const mark = (): void => {
    settled = true;
  };
  pending.then(mark, mark);
  await new Promise<void>((resolve) => setImmediate(resolve));
  if (!settled) await ctx.writer.flush();
  return pending;
}

export function writeDataRow(
  w: MessageWriter,
  row: Row,
  types: readonly SqlType[],
  formats: readonly number[],
  fmt: FormatContext,
  /** Columns sent in an int2vector / oidvector's text form (see catalog-vectors.ts). */
  vectors?: readonly boolean[],
): void {
  w.begin(Backend.DATA_ROW);
  try {
    w.int16(types.length);
    for (let i = 0; i < types.length; i++) {
      const value = row[i] ?? null;
      if (value === null) {
        w.nullField();
      } else if (formats[i] === Format.BINARY) {
        w.bytesField(vectors?.[i] === true ? encodeVectorBinary(value, types[i]!) : encodeBinary(value, types[i]!));
      } else if (vectors?.[i] === true) {
        w.textField(formatVector(value));
      } else {
        w.textField(formatValue(value, types[i]!, fmt));
      }
    }
  } catch (err) {
    w.abandon();
    throw err;
  }
  w.end();
}

/** Result format codes per column from Bind's 0 / 1 / N list (08P01 when N does not match). */
export function expandResultFormats(codes: readonly number[], columns: readonly ResultColumn[] | null): number[] {
  const n = columns?.length ?? 0;
  if (codes.length > 1 && codes.length !== n) {
    throw new SqlError(SqlState.PROTOCOL_VIOLATION, `bind message has ${codes.length} result formats but query has ${n} columns`);
  }
  for (const code of codes) checkFormatCode(code);
  const all = codes.length === 1 ? codes[0]! : Format.TEXT;
  return codes.length > 1 ? [...codes] : new Array<number>(n).fill(all);
}

export function checkFormatCode(code: number): void {
  if (code !== Format.TEXT && code !== Format.BINARY) {
    throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `unsupported format code: ${code}`);
  }
}

/** An error from a statement whose signal fired is a cancellation, whatever the engine threw. */
export function cancelAware(err: unknown, signal: AbortSignal): SqlError {
  // A statement timeout aborts with its own error (connection.ts); operators report any abort as a cancel.
  const reason: unknown = signal.aborted ? signal.reason : undefined;
  if (reason instanceof SqlError && (!(err instanceof SqlError) || err.code === SqlState.QUERY_CANCELED)) return reason;
  if (err instanceof SqlError) return err;
  if (signal.aborted) return new SqlError(SqlState.QUERY_CANCELED, 'canceling statement due to user request');
  return toSqlError(err);
}

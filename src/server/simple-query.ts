/**
 * The simple query protocol: Query ('Q', one cstring of SQL).
 *
 * Replies, per PostgreSQL's exec_simple_query: EmptyQueryResponse for text
 * without statements; otherwise, per statement, RowDescription (when it
 * returns rows, all columns in text format), DataRow*, NoticeResponse for the
 * session's notices, ParameterStatus for reported settings the statement
 * changed, CommandComplete. The first error ends the script with an
 * ErrorResponse. Exactly one ReadyForQuery follows, with the session's
 * transaction status.
 *
 * COPY FROM STDIN / TO STDOUT run the copy sub-protocol (copy-protocol.ts) in
 * place of RowDescription and DataRows.
 *
 * Each statement gets its own AbortController, registered as the running one
 * so that a CancelRequest or a disconnect stops it (57014).
 */
import type { Cursor, PreparedStatement } from '../session/api.ts';
import { SqlError, SqlState } from '../errors.ts';
import { writeError } from './error-response.ts';
import { cancelAware, streamRows } from './data-rows.ts';
import { Format } from './protocol-codes.ts';
import type { QueryContext } from './query-context.ts';
import { runCopyTransfer } from './copy-protocol.ts';

export async function runSimpleQuery(ctx: QueryContext, sql: string): Promise<void> {
  const { session, writer } = ctx;
  const error = await runScript(ctx, sql);
  if (ctx.closed) return;
  if (error?.severity === 'FATAL') return ctx.terminate(error);
  if (error !== null) {
    ctx.sendNotices();
    ctx.reportChangedParameters();
    writeError(writer, error);
  }
  writer.readyForQuery(session.transactionStatus());
  await writer.flush();
}

/** Runs the statements of `sql` in order; returns the error that stopped them, or null. */
async function runScript(ctx: QueryContext, sql: string): Promise<SqlError | null> {
  const { session, writer } = ctx;
  let statements;
  try {
    statements = session.prepareScript(sql);
  } catch (err) {
    return cancelAware(err, new AbortController().signal);
  }
  if (statements.length === 0) {
    writer.emptyQueryResponse();
    return null;
  }
  if (statements.length === 1) return runStatements(ctx, statements);
  // Several statements: one implicit transaction (PostgreSQL), stored after the last, discarded on an error.
  let error = await runStatements(ctx, statements);
  try {
    await session.endImplicitTransaction?.(error !== null || ctx.closed);
  } catch (err) {
    error ??= cancelAware(err, new AbortController().signal);
  }
  return error;
}

async function runStatements(ctx: QueryContext, statements: readonly PreparedStatement[]): Promise<SqlError | null> {
  const { session, writer } = ctx;
  const implicit = statements.length > 1;
  for (const stmt of statements) {
    if (implicit) session.beginImplicitTransaction?.();
    if (ctx.closed) return null;
    const controller = new AbortController();
    ctx.beginStatement(controller);
    let cursor: Cursor | null = null;
    try {
      cursor = await session.execute(stmt, [], [], controller.signal);
      if (stmt.deallocates !== undefined && !ctx.deallocate(stmt.deallocates.name)) {
        throw new SqlError(SqlState.INVALID_SQL_STATEMENT_NAME, `prepared statement "${stmt.deallocates.name ?? ''}" does not exist`);
      }
      if (cursor.copy !== undefined) {
        await runCopyTransfer(ctx, cursor.copy, controller.signal);
        if (ctx.closed) return null;
        ctx.sendNotices();
        ctx.reportChangedParameters();
        writer.commandComplete(cursor.tag());
        continue;
      }
      const columns = cursor.columns;
      const formats = columns === null ? [] : new Array<number>(columns.length).fill(Format.TEXT);
      if (columns !== null) writer.rowDescription(columns, formats);
      await streamRows(ctx, cursor, formats, 0, controller.signal);
      if (ctx.closed) return null;
      ctx.sendNotices();
      ctx.reportChangedParameters();
      writer.commandComplete(cursor.tag());
    } catch (err) {
      return cancelAware(err, controller.signal);
    } finally {
      cursor?.close();
      ctx.endStatement();
    }
  }
  return null;
}

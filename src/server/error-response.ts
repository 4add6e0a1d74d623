/**
 * ErrorResponse and NoticeResponse bodies from SqlErrors and session notices.
 *
 * Fields sent: S (severity), V (non-localized severity), C (SQLSTATE),
 * M (message), then D (detail), H (hint), P (1-based character position) and
 * W (where: the context, e.g. the line of a COPY) and R (routine) when present. SqlError.position is a 0-based character offset.
 */
import type { SqlError } from '../errors.ts';
import type { SessionNotice } from '../session/api.ts';
import type { MessageWriter } from './message-writer.ts';
import { Backend } from './protocol-codes.ts';

export function writeError(w: MessageWriter, err: SqlError): void {
  const fields: [string, string][] = [
    ['S', err.severity],
    ['V', err.severity],
    ['C', err.code],
    ['M', err.message],
  ];
  if (err.detail !== undefined) fields.push(['D', err.detail]);
  if (err.hint !== undefined) fields.push(['H', err.hint]);
  if (err.position !== undefined) fields.push(['P', String(err.position + 1)]);
  const where = whereOf(err);
  if (where !== undefined) fields.push(['W', where]);
  const routine = routineOf(err);
  if (routine !== undefined) fields.push(['R', routine]);
  w.fieldsMessage(Backend.ERROR_RESPONSE, fields);
}

export function writeNotice(w: MessageWriter, notice: SessionNotice): void {
  const fields: [string, string][] = [
    ['S', notice.severity],
    ['V', notice.severity],
    ['C', notice.code],
    ['M', notice.message],
  ];
  if (notice.hint !== undefined) fields.push(['H', notice.hint]);
  w.fieldsMessage(Backend.NOTICE_RESPONSE, fields);
}

/** An error may name the routine that raised it (pgjdbc re-parses on 0A000 from RevalidateCachedQuery). */
function routineOf(err: SqlError): string | undefined {
  const routine: unknown = (err as { readonly routine?: unknown }).routine;
  return typeof routine === 'string' ? routine : undefined;
}

/** An error may say where it happened (COPY names the input line and column), sent as CONTEXT. */
function whereOf(err: SqlError): string | undefined {
  const where: unknown = (err as { readonly where?: unknown }).where;
  return typeof where === 'string' ? where : undefined;
}

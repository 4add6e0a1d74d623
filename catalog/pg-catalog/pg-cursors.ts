/**
 * pg_cursors: the SQL cursors (DECLARE ... CURSOR) open in the session that
 * scans it, from the scan context (empty where no client session scans).
 * millrace cursors are forward-only and send text rows through FETCH, so
 * is_scrollable and is_binary are false.
 */
import type { Row, SqlType } from '../types.ts';
import { BOOLEAN, STRING, timestampLtz } from '../types.ts';
import { systemRelation, type SystemRelationWithKind } from '../system-relation.ts';
import { SystemOid } from './oids.ts';

const TIMESTAMPTZ: SqlType = timestampLtz(6);

export function pgCursors(): SystemRelationWithKind {
  return systemRelation({
    id: SystemOid.pg_cursors,
    schema: 'pg_catalog',
    name: 'pg_cursors',
    relkind: 'v',
    columns: [
      ['name', STRING],
      ['statement', STRING],
      ['is_holdable', BOOLEAN],
      ['is_binary', BOOLEAN],
      ['is_scrollable', BOOLEAN],
      ['creation_time', TIMESTAMPTZ],
    ],
    rows: (ctx) =>
      (ctx.sqlCursors?.() ?? []).map((c): Row => [c.name, c.statement, c.holdable, false, false, c.creationTime]),
  });
}

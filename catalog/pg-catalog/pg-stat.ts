/**
 * Statistics views: pg_stat_activity (empty: a scan cannot see the server's
 * sessions) and pg_stat_user_tables / pg_stat_all_tables (one row per table,
 * counters zero: millrace keeps no access statistics).
 */
import type { Row } from '../types.ts';
import { BIGINT, INT, NAME, OID, STRING, timestampLtz } from '../types.ts';
import type { SqlType } from '../types.ts';
import type { CatalogReader } from '../system-relation.ts';
import { emptyRelation, relkindOf, systemRelation, type ColumnSpec, type SystemRelationWithKind } from '../system-relation.ts';
import { SystemOid } from './oids.ts';

const TIMESTAMPTZ: SqlType = timestampLtz(6);

export function pgStatActivity(): SystemRelationWithKind {
  return emptyRelation(
    SystemOid.pg_stat_activity,
    'pg_catalog',
    'pg_stat_activity',
    [
      ['datid', OID], ['datname', NAME], ['pid', INT], ['leader_pid', INT], ['usesysid', OID], ['usename', NAME],
      ['application_name', STRING], ['client_addr', STRING], ['client_hostname', STRING], ['client_port', INT],
      ['backend_start', TIMESTAMPTZ], ['xact_start', TIMESTAMPTZ], ['query_start', TIMESTAMPTZ], ['state_change', TIMESTAMPTZ],
      ['wait_event_type', STRING], ['wait_event', STRING], ['state', STRING], ['backend_xid', OID], ['backend_xmin', OID],
      ['query_id', BIGINT], ['query', STRING], ['backend_type', STRING],
    ],
    'v',
  );
}

const TABLE_STAT_COLUMNS: readonly ColumnSpec[] = [
  ['relid', OID], ['schemaname', NAME], ['relname', NAME], ['seq_scan', BIGINT], ['seq_tup_read', BIGINT], ['idx_scan', BIGINT],
  ['idx_tup_fetch', BIGINT], ['n_tup_ins', BIGINT], ['n_tup_upd', BIGINT], ['n_tup_del', BIGINT], ['n_tup_hot_upd', BIGINT],
  ['n_live_tup', BIGINT], ['n_dead_tup', BIGINT], ['n_mod_since_analyze', BIGINT], ['n_ins_since_vacuum', BIGINT],
  ['last_vacuum', TIMESTAMPTZ], ['last_autovacuum', TIMESTAMPTZ], ['last_analyze', TIMESTAMPTZ], ['last_autoanalyze', TIMESTAMPTZ],
  ['vacuum_count', BIGINT], ['autovacuum_count', BIGINT], ['analyze_count', BIGINT], ['autoanalyze_count', BIGINT],
];

function statRow(id: number, schema: string, name: string): Row {
  return [id, schema, name, 0n, 0n, null, null, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, null, null, null, null, 0n, 0n, 0n, 0n];
}

export function pgStatUserTables(catalog: CatalogReader): SystemRelationWithKind {
  return systemRelation({
    id: SystemOid.pg_stat_user_tables,
    schema: 'pg_catalog',
    name: 'pg_stat_user_tables',
    relkind: 'v',
    columns: TABLE_STAT_COLUMNS,
    rows: () =>
      catalog
        .userRelations()
        .filter((r) => r.kind !== 'view')
        .map((r) => statRow(r.id, r.schema, r.name)),
  });
}

export function pgStatAllTables(catalog: CatalogReader): SystemRelationWithKind {
  return systemRelation({
    id: SystemOid.pg_stat_all_tables,
    schema: 'pg_catalog',
    name: 'pg_stat_all_tables',
    relkind: 'v',
    columns: TABLE_STAT_COLUMNS,
    rows: () => [
      ...catalog
        .systemRelations()
        .filter((r) => relkindOf(r) === 'r')
        .map((r) => statRow(r.id, r.schema, r.name)),
      ...catalog
        .userRelations()
        .filter((r) => r.kind !== 'view')
        .map((r) => statRow(r.id, r.schema, r.name)),
    ],
  });
}

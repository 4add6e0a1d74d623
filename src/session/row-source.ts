/**
 * Where scans get their rows: stored tables from LevelDB (as the session's
 * transaction block sees them, see table-access.ts), system relations
 * from the catalog, connector tables from their connector.
 */
import type { Row } from '../../catalog/types.ts';
import type { RowSource } from '../compiler/compile.ts';
import type { ScanNode } from '../planner/logical-plan.ts';
import type { Database } from '../database.ts';
import { SqlError, SqlState, notSupported } from '../errors.ts';
import { isStoredTable, type SqlCursorInfo } from '../../catalog/relation.ts';
import type { TableAccess } from './table-access.ts';
import { sinkOnlyTable } from '../connectors/sink-connector.ts';

export function rowSource(db: Database, user = 'millrace', sqlCursors?: () => readonly SqlCursorInfo[], tables: TableAccess = db.tables): RowSource {
  return {
    async *scan(node: ScanNode, signal: AbortSignal): AsyncIterable<Row[]> {
      const rel = db.catalog.byId(node.relationId);
      if (rel === undefined) {
        throw new SqlError(SqlState.UNDEFINED_TABLE, `relation "${node.relationName}" does not exist`);
      }
      const cols = node.columns;
      const narrow = (row: Row): Row => {
        const out: Row = new Array(cols.length);
        for (let i = 0; i < cols.length; i++) out[i] = row[cols[i]!] ?? null;
        return out;
      };
      if (rel.kind === 'system') {
        const rows = rel.rows({ user, database: 'millrace', ...(sqlCursors !== undefined ? { sqlCursors } : {}) });
        for (let i = 0; i < rows.length; i += 1024) yield rows.slice(i, i + 1024).map(narrow);
        return;
      }
      const connectorName = rel.kind === 'table' ? rel.options['connector'] : undefined;
      if (rel.kind === 'table' && connectorName !== undefined) {
        const connector = db.connectors.get(connectorName);
        if (connector === undefined) throw db.sinks.has(connectorName) ? sinkOnlyTable(rel.name, connectorName) : notSupported(`connector '${connectorName}'`);
        const physical = rel.columns.filter((c) => c.kind === 'physical');
        for await (const batch of connector.read(physical, rel.options, signal)) yield batch.map(narrow);
        return;
      }
      if (rel.kind === 'table' && isStoredTable(rel)) {
        for await (const batch of tables.scan(rel, cols)) {
          if (signal.aborted) throw new SqlError(SqlState.QUERY_CANCELED, 'canceling statement due to user request');
          yield batch;
        }
        return;
      }
      if (rel.kind === 'materialized-view') {
        // A consistent snapshot: the view's contents after some whole change, read in batches.
        for await (const batch of db.view(rel).snapshot()) {
          if (signal.aborted) throw new SqlError(SqlState.QUERY_CANCELED, 'canceling statement due to user request');
          yield batch.map(narrow);
        }
        return;
      }
      throw notSupported(`reading relation "${node.relationName}" of kind ${rel.kind}`);
    },
  };
}

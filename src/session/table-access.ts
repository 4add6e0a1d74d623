/**
 * How a session's statements read and write stored tables.
 *
 * Outside a transaction block every write is stored at once (autocommit:
 * one atomic, durable batch per statement) and reads see what is committed.
 * Inside a block, writes are staged in the block's WriteSet and reads see the
 * committed rows with the block's own writes applied (read committed: other
 * sessions' commits become visible between, and during, statements).
 */
import type { Row } from '../../catalog/types.ts';
import type { TableDefinition } from '../../catalog/relation.ts';
import type { KeyedBatch, TableStore } from '../storage/table-store.ts';
import type { WriteSet } from '../storage/write-set.ts';

export interface TableAccess {
  /** Writes rows (physical columns); returns how many. */
  insert(table: TableDefinition, rows: readonly Row[]): Promise<number>;
  /** Deletes the rows under `deletes`, then writes `upserts` (under their old key when given). */
  applyChanges(table: TableDefinition, deletes: readonly Uint8Array[], upserts: readonly { readonly key?: Uint8Array; readonly row: Row }[]): Promise<void>;
  scan(table: TableDefinition, columns?: readonly number[]): AsyncGenerator<Row[]>;
  scanWithKeys(table: TableDefinition): AsyncGenerator<KeyedBatch>;
}

/** Statements outside a block: straight to the store. */
export function autocommitAccess(tables: TableStore): TableAccess {
  return {
    insert: (table, rows) => tables.insert(table, rows),
    applyChanges: (table, deletes, upserts) => tables.applyChanges(table, { deletes, upserts }),
    scan: (table, columns) => tables.scan(table, columns),
    scanWithKeys: (table) => tables.scanWithKeys(table),
  };
}

/** Statements inside a block: staged in `ws` until COMMIT. */
export function transactionAccess(tables: TableStore, ws: WriteSet): TableAccess {
  return {
    insert: (table, rows) => tables.stageInsert(ws, table, rows),
    applyChanges: (table, deletes, upserts) => tables.stageChanges(ws, table, { deletes, upserts }),
    scan: (table, columns) => tables.scanIn(ws, table, columns),
    scanWithKeys: (table) => tables.scanWithKeysIn(ws, table),
  };
}

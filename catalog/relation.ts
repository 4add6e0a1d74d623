/**
 * Catalog objects: what the binder resolves names to and what is persisted.
 *
 * Contract:
 * - `id` is the object's pg_class oid (>= 16384 for user objects, as in
 *   Postgres), stable for the object's lifetime and never reused.
 * - Definitions are plain JSON-serialisable data except `SqlType`s, which are
 *   JSON-serialisable as well; the catalog store writes them as JSON.
 * - Computed column expressions, watermark expressions and view queries are
 *   kept as SQL text and re-bound when used, so a definition never refers to
 *   compiled state.
 */
import type { Row, SqlType } from './types.ts';

/** First oid handed to user objects, as in Postgres (FirstNormalObjectId). */
export const FIRST_USER_OID = 16384;

export interface ColumnDefinition {
  readonly name: string;
  readonly type: SqlType;
  readonly nullable: boolean;
  /** 'physical' columns are stored / read from the connector; 'computed' ones are derived by `expr`. */
  readonly kind: 'physical' | 'computed' | 'metadata';
  /** SQL text of a computed column's expression (`AS expr`). */
  readonly expr?: string;
  /** Metadata key for metadata columns (`METADATA FROM 'key'`). */
  readonly metadataKey?: string;
  readonly virtual?: boolean;
  readonly comment?: string;
  /** Processing-time attribute (`AS PROCTIME()`). */
  readonly proctime?: boolean;
}

export interface WatermarkDefinition {
  /** The rowtime column. */
  readonly column: string;
  /** SQL text of the watermark strategy expression, normalised as Flink prints it. */
  readonly expr: string;
}

export type RelationKind = 'table' | 'view' | 'materialized-view' | 'system';

export interface RelationBase {
  readonly id: number;
  readonly name: string;
  /** 'public' for user objects; 'pg_catalog' / 'information_schema' for system relations. */
  readonly schema: string;
  readonly columns: readonly ColumnDefinition[];
  readonly comment?: string;
}

/** A table: stored by millrace when `options.connector` is absent, else read through a connector. */
export interface TableDefinition extends RelationBase {
  readonly kind: 'table';
  /** Column names of PRIMARY KEY (...) NOT ENFORCED, in key order; empty when none. */
  readonly primaryKey: readonly string[];
  readonly watermark?: WatermarkDefinition;
  readonly partitionedBy: readonly string[];
  /** WITH options, keys as written. */
  readonly options: Readonly<Record<string, string>>;
}

export interface ViewDefinition extends RelationBase {
  readonly kind: 'view';
  /** The query text as the user wrote it. */
  readonly query: string;
}

export interface MaterializedViewDefinition extends RelationBase {
  readonly kind: 'materialized-view';
  readonly query: string;
  readonly primaryKey: readonly string[];
  /** Session settings the query was planned with (time zone, table.*, execution.*), so a restart plans it the same way. */
  readonly settings?: Readonly<Record<string, string>>;
}

export type RelationDefinition = TableDefinition | ViewDefinition | MaterializedViewDefinition;

export function isStoredTable(r: RelationDefinition): r is TableDefinition {
  return r.kind === 'table' && r.options['connector'] === undefined;
}

/**
 * A pg_catalog / information_schema relation: its rows are computed from the
 * catalog when scanned (never stored). All its columns are 'physical'.
 * `id` is the Postgres oid of the relation where Postgres has one (pg_class = 1259).
 */
export interface SystemRelation extends RelationBase {
  readonly kind: 'system';
  /** Current rows, one Value per column in `columns` order. */
  rows(ctx: SystemScanContext): readonly Row[];
}

export interface SystemScanContext {
  readonly user: string;
  readonly database: string;
  /** The scanning session's SQL cursors (pg_cursors); absent where no client session scans. */
  readonly sqlCursors?: () => readonly SqlCursorInfo[];
}

/** A cursor a session declared with SQL (DECLARE), as pg_cursors shows it. */
export interface SqlCursorInfo {
  readonly name: string;
  /** The query string submitted to declare it. */
  readonly statement: string;
  readonly holdable: boolean;
  /** Microseconds since the epoch (a TIMESTAMP_LTZ value). */
  readonly creationTime: number;
}

/** What a name resolves to in the catalog. */
export type CatalogEntry = RelationDefinition | SystemRelation;

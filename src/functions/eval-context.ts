/**
 * What a running expression may ask of its surroundings: the session's
 * settings and identity, the statement's clock, and catalog look-ups for the
 * Postgres introspection functions. One instance per statement execution;
 * compiled expressions receive it once, not per row.
 */
import type { RelationDefinition } from '../../catalog/relation.ts';
import type { SqlType } from '../../catalog/types.ts';

export interface CatalogLookup {
  /** Relation by oid, or undefined. */
  relationById(oid: number): RelationDefinition | undefined;
  /** Relation oid for a possibly schema-qualified name (`t`, `public.t`, `pg_catalog.pg_class`), or undefined. */
  relationOidByName(name: string): number | undefined;
  /** Type name as `format_type` / regtype print it, for a pg_type oid, or undefined. */
  typeNameByOid(oid: number, typmod: number): string | undefined;
  /** pg_type oid for a type name (`int4`, `integer`, `text[]`), or undefined. */
  typeOidByName(name: string): number | undefined;
  /** Function name for a regproc oid, or undefined. */
  functionNameByOid(oid: number): string | undefined;
  /** regproc oid for a function name, or undefined. */
  functionOidByName(name: string): number | undefined;
  /** The SqlType of a pg_type oid, or undefined. */
  sqlTypeByOid(oid: number): SqlType | undefined;
}

export interface EvalContext {
  readonly user: string;
  readonly database: string;
  /** IANA zone name or UTC offset as set by `SET TIME ZONE` / 'table.local-time-zone'. */
  readonly timeZone: string;
  /** Start of the statement (µs since epoch): CURRENT_TIMESTAMP, NOW(). */
  readonly statementTime: number;
  /** Current value of a session setting (current_setting, SHOW), or undefined if unknown. */
  setting(name: string): string | undefined;
  readonly catalog: CatalogLookup;
  /** Session pid reported in BackendKeyData (pg_backend_pid()). */
  readonly backendPid: number;
  /**
   * The watermark of a continuous query's input (µs), or null before the first
   * one: CURRENT_WATERMARK(rowtime). Absent outside continuous queries.
   */
  readonly currentWatermark?: () => number | null;
}

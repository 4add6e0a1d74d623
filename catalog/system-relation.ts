/**
 * Building blocks for pg_catalog / information_schema relations: a compact
 * way to declare one, and the read-only view of the catalog their rows are
 * computed from.
 *
 * Contract: a system relation's rows are computed on every scan from the
 * live catalog, one Value per column in column order, each of the JS type
 * its SqlType prescribes (catalog/types.ts).
 */
import type { ColumnDefinition, RelationDefinition, SystemRelation, SystemScanContext } from './relation.ts';
import type { Row, SqlType } from './types.ts';

/** What system relations read: the catalog's current objects. */
export interface CatalogReader {
  /** User relations, ordered by id. */
  userRelations(): readonly RelationDefinition[];
  /** Every system relation, ordered by id. */
  systemRelations(): readonly SystemRelation[];
  /** pg_class oids of the primary key index and constraint of a table, when it has a primary key. */
  primaryKeyOids(relationId: number): { readonly index: number; readonly constraint: number } | undefined;
}

/** Namespace oids, as in Postgres (information_schema's oid varies by version there). */
export const Namespace = {
  PG_CATALOG: 11,
  PUBLIC: 2200,
  INFORMATION_SCHEMA: 13000,
} as const;

export function namespaceOid(schema: string): number {
  switch (schema) {
    case 'pg_catalog':
      return Namespace.PG_CATALOG;
    case 'information_schema':
      return Namespace.INFORMATION_SCHEMA;
    default:
      return Namespace.PUBLIC;
  }
}

/** Role oids: the bootstrap superuser (as in Postgres) and the connected user when it is another name. */
export const Role = {
  SUPERUSER: 10,
  SESSION_USER: 16383,
} as const;

export const SUPERUSER_NAME = 'millrace';

export function roleOid(user: string): number {
  return user === SUPERUSER_NAME ? Role.SUPERUSER : Role.SESSION_USER;
}

export type ColumnSpec = readonly [name: string, type: SqlType];

export interface SystemRelationSpec {
  readonly id: number;
  readonly schema: 'pg_catalog' | 'information_schema';
  readonly name: string;
  readonly columns: readonly ColumnSpec[];
  /** Postgres relkind: 'r' for catalog tables, 'v' for views. */
  readonly relkind?: 'r' | 'v';
  readonly comment?: string;
  rows(ctx: SystemScanContext): readonly Row[];
}

/** A SystemRelation that also says whether Postgres has it as a table or a view (for pg_class.relkind). */
export interface SystemRelationWithKind extends SystemRelation {
  readonly relkind: 'r' | 'v';
}

export function systemRelation(spec: SystemRelationSpec): SystemRelationWithKind {
  const columns: ColumnDefinition[] = spec.columns.map(([name, type]) => ({ name, type, nullable: true, kind: 'physical' }));
  return {
    kind: 'system',
    id: spec.id,
    name: spec.name,
    schema: spec.schema,
    columns,
    relkind: spec.relkind ?? 'r',
    ...(spec.comment !== undefined ? { comment: spec.comment } : {}),
    rows: (ctx) => spec.rows(ctx),
  };
}

/** A relation Postgres has that millrace keeps empty (the columns still exist, so queries bind). */
export function emptyRelation(
  id: number,
  schema: 'pg_catalog' | 'information_schema',
  name: string,
  columns: readonly ColumnSpec[],
  relkind: 'r' | 'v' = 'r',
): SystemRelationWithKind {
  return systemRelation({ id, schema, name, columns, relkind, rows: () => [] });
}

export function relkindOf(r: SystemRelation): 'r' | 'v' {
  return (r as Partial<SystemRelationWithKind>).relkind ?? 'r';
}

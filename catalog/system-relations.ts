/**
 * The list of pg_catalog and information_schema relations, built once per
 * catalog over a reader of its live state. Adding a system relation means
 * adding it here.
 */
import type { SystemRelation } from './relation.ts';
import type { CatalogReader } from './system-relation.ts';
import { pgNamespace } from './pg-catalog/pg-namespace.ts';
import { pgClass } from './pg-catalog/pg-class.ts';
import { pgAttribute } from './pg-catalog/pg-attribute.ts';
import { pgAttrdef } from './pg-catalog/pg-attrdef.ts';
import { pgType } from './pg-catalog/pg-type.ts';
import { pgProc } from './pg-catalog/pg-proc.ts';
import { pgDatabase } from './pg-catalog/pg-database.ts';
import { pgAuthid, pgRoles, pgUser } from './pg-catalog/pg-roles.ts';
import { pgDescription, pgShdescription } from './pg-catalog/pg-description.ts';
import { pgIndex } from './pg-catalog/pg-index.ts';
import { pgConstraint } from './pg-catalog/pg-constraint.ts';
import { pgSettings } from './pg-catalog/pg-settings.ts';
import { pgAm, pgCollation, pgExtension, pgLanguage, pgTablespace } from './pg-catalog/pg-static.ts';
import { emptyCatalogRelations } from './pg-catalog/pg-empty.ts';
import { pgIndexes, pgMatviews, pgTables, pgViews } from './pg-catalog/pg-views.ts';
import { pgCursors } from './pg-catalog/pg-cursors.ts';
import { pgStatActivity, pgStatAllTables, pgStatUserTables } from './pg-catalog/pg-stat.ts';
import { isSchemata, isTables, isViews } from './information-schema/is-tables.ts';
import { isColumns } from './information-schema/is-columns.ts';
import { isKeyColumnUsage, isReferentialConstraints, isTableConstraints } from './information-schema/is-constraints.ts';
import { isColumnPrivileges, isRoutines, isTablePrivileges } from './information-schema/is-routines.ts';

/** Every system relation, ordered by oid. */
export function buildSystemRelations(catalog: CatalogReader): SystemRelation[] {
  const all: SystemRelation[] = [
    pgNamespace(),
    pgClass(catalog),
    pgAttribute(catalog),
    pgAttrdef(catalog),
    pgType(),
    pgProc(),
    pgDatabase(),
    pgRoles(),
    pgUser(),
    pgAuthid(),
    pgDescription(catalog),
    pgShdescription(),
    pgIndex(catalog),
    pgConstraint(catalog),
    pgSettings(),
    pgAm(),
    pgTablespace(),
    pgCollation(),
    pgLanguage(),
    pgExtension(),
    ...emptyCatalogRelations(),
    pgTables(catalog),
    pgViews(catalog),
    pgMatviews(catalog),
    pgIndexes(catalog),
    pgStatActivity(),
    pgCursors(),
    pgStatUserTables(catalog),
    pgStatAllTables(catalog),
    isSchemata(),
    isTables(catalog),
    isColumns(catalog),
    isViews(catalog),
    isTableConstraints(catalog),
    isKeyColumnUsage(catalog),
    isReferentialConstraints(),
    isRoutines(),
    isColumnPrivileges(),
    isTablePrivileges(),
  ];
  return all.sort((a, b) => a.id - b.id);
}

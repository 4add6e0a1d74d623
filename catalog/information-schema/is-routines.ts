/**
 * information_schema.routines (empty: millrace has no user-defined
 * functions), column_privileges and table_privileges (empty: no privilege
 * system; every user may do everything).
 */
import { NAME, STRING } from '../types.ts';
import { emptyRelation, type SystemRelationWithKind } from '../system-relation.ts';
import { SystemOid } from '../pg-catalog/oids.ts';

export function isRoutines(): SystemRelationWithKind {
  return emptyRelation(
    SystemOid.is_routines,
    'information_schema',
    'routines',
    [
      ['specific_catalog', NAME], ['specific_schema', NAME], ['specific_name', NAME],
      ['routine_catalog', NAME], ['routine_schema', NAME], ['routine_name', NAME], ['routine_type', STRING],
      ['data_type', STRING], ['type_udt_catalog', NAME], ['type_udt_schema', NAME], ['type_udt_name', NAME],
      ['routine_body', STRING], ['routine_definition', STRING], ['external_name', STRING], ['external_language', STRING],
      ['is_deterministic', STRING], ['sql_data_access', STRING], ['is_null_call', STRING], ['security_type', STRING],
    ],
    'v',
  );
}

export function isColumnPrivileges(): SystemRelationWithKind {
  return emptyRelation(
    SystemOid.is_column_privileges,
    'information_schema',
    'column_privileges',
    [
      ['grantor', NAME], ['grantee', NAME], ['table_catalog', NAME], ['table_schema', NAME], ['table_name', NAME],
      ['column_name', NAME], ['privilege_type', STRING], ['is_grantable', STRING],
    ],
    'v',
  );
}

export function isTablePrivileges(): SystemRelationWithKind {
  return emptyRelation(
    SystemOid.is_table_privileges,
    'information_schema',
    'table_privileges',
    [
      ['grantor', NAME], ['grantee', NAME], ['table_catalog', NAME], ['table_schema', NAME], ['table_name', NAME],
      ['privilege_type', STRING], ['is_grantable', STRING], ['with_hierarchy', STRING],
    ],
    'v',
  );
}

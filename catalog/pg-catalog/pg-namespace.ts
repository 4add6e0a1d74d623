/** pg_catalog.pg_namespace: the schemas pg_catalog, public and information_schema. */
import { OID, NAME, STRING, arrayOf } from '../types.ts';
import { Namespace, Role, systemRelation, type SystemRelationWithKind } from '../system-relation.ts';
import { SystemOid } from './oids.ts';

export function pgNamespace(): SystemRelationWithKind {
  return systemRelation({
    id: SystemOid.pg_namespace,
    schema: 'pg_catalog',
    name: 'pg_namespace',
    columns: [
      ['oid', OID],
      ['nspname', NAME],
      ['nspowner', OID],
      ['nspacl', arrayOf(STRING)],
    ],
    rows: () => [
      [Namespace.PG_CATALOG, 'pg_catalog', Role.SUPERUSER, null],
      [Namespace.PUBLIC, 'public', Role.SUPERUSER, null],
      [Namespace.INFORMATION_SCHEMA, 'information_schema', Role.SUPERUSER, null],
    ],
  });
}

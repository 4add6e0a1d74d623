/** pg_catalog.pg_database: millrace's one database, UTF8 with the C.UTF-8 locale. */
import { BOOLEAN, INT, NAME, OID, PG_CHAR, STRING, arrayOf } from '../types.ts';
import { Role, systemRelation, type SystemRelationWithKind } from '../system-relation.ts';
import { DATABASE_OID, SystemOid, TABLESPACE_DEFAULT } from './oids.ts';

/** pg_database.encoding of UTF8. */
export const ENCODING_UTF8 = 6;

export function pgDatabase(): SystemRelationWithKind {
  return systemRelation({
    id: SystemOid.pg_database,
    schema: 'pg_catalog',
    name: 'pg_database',
    columns: [
      ['oid', OID],
      ['datname', NAME],
      ['datdba', OID],
      ['encoding', INT],
      ['datlocprovider', PG_CHAR],
      ['datistemplate', BOOLEAN],
      ['datallowconn', BOOLEAN],
      ['datconnlimit', INT],
      ['datlastsysoid', OID],
      ['datfrozenxid', OID],
      ['datminmxid', OID],
      ['dattablespace', OID],
      ['datcollate', NAME],
      ['datctype', NAME],
      ['daticulocale', STRING],
      ['daticurules', STRING],
      ['datcollversion', STRING],
      ['datacl', arrayOf(STRING)],
    ],
    rows: (ctx) => [
      [DATABASE_OID, ctx.database, Role.SUPERUSER, ENCODING_UTF8, 'c', false, true, -1, 0, 0, 1, TABLESPACE_DEFAULT, 'C.UTF-8', 'C.UTF-8', null, null, null, null],
    ],
  });
}

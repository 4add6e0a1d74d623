/**
 * Catalog tables whose rows are constants: pg_am (heap, btree),
 * pg_tablespace (pg_default, pg_global), pg_collation (default, C, POSIX),
 * pg_language (internal, c, sql) and pg_extension (plpgsql, as every
 * Postgres database has it).
 */
import { BOOLEAN, INT, NAME, OID, PG_CHAR, REGPROC, STRING, arrayOf } from '../types.ts';
import { Namespace, Role, systemRelation, type SystemRelationWithKind } from '../system-relation.ts';
import { AM_BTREE, AM_HEAP, DEFAULT_COLLATION, SystemOid, TABLESPACE_DEFAULT, TABLESPACE_GLOBAL } from './oids.ts';

export function pgAm(): SystemRelationWithKind {
  return systemRelation({
    id: SystemOid.pg_am,
    schema: 'pg_catalog',
    name: 'pg_am',
    columns: [
      ['oid', OID],
      ['amname', NAME],
      ['amhandler', REGPROC],
      ['amtype', PG_CHAR],
    ],
    rows: () => [
      [AM_HEAP, 'heap', 0, 't'],
      [AM_BTREE, 'btree', 0, 'i'],
    ],
  });
}

export function pgTablespace(): SystemRelationWithKind {
  return systemRelation({
    id: SystemOid.pg_tablespace,
    schema: 'pg_catalog',
    name: 'pg_tablespace',
    columns: [
      ['oid', OID],
      ['spcname', NAME],
      ['spcowner', OID],
      ['spcacl', arrayOf(STRING)],
      ['spcoptions', arrayOf(STRING)],
    ],
    rows: () => [
      [TABLESPACE_DEFAULT, 'pg_default', Role.SUPERUSER, null, null],
      [TABLESPACE_GLOBAL, 'pg_global', Role.SUPERUSER, null, null],
    ],
  });
}

export function pgCollation(): SystemRelationWithKind {
  return systemRelation({
    id: SystemOid.pg_collation,
    schema: 'pg_catalog',
    name: 'pg_collation',
    columns: [
      ['oid', OID],
      ['collname', NAME],
      ['collnamespace', OID],
      ['collowner', OID],
      ['collprovider', PG_CHAR],
      ['collisdeterministic', BOOLEAN],
      ['collencoding', INT],
      ['collcollate', STRING],
      ['collctype', STRING],
      ['colliculocale', STRING],
      ['collicurules', STRING],
      ['collversion', STRING],
    ],
    rows: () => [
      [DEFAULT_COLLATION, 'default', Namespace.PG_CATALOG, Role.SUPERUSER, 'd', true, -1, null, null, null, null, null],
      [950, 'C', Namespace.PG_CATALOG, Role.SUPERUSER, 'c', true, -1, 'C', 'C', null, null, null],
      [951, 'POSIX', Namespace.PG_CATALOG, Role.SUPERUSER, 'c', true, -1, 'POSIX', 'POSIX', null, null, null],
    ],
  });
}

export function pgLanguage(): SystemRelationWithKind {
  return systemRelation({
    id: SystemOid.pg_language,
    schema: 'pg_catalog',
    name: 'pg_language',
    columns: [
      ['oid', OID],
      ['lanname', NAME],
      ['lanowner', OID],
      ['lanispl', BOOLEAN],
      ['lanpltrusted', BOOLEAN],
      ['lanplcallfoid', OID],
      ['laninline', OID],
      ['lanvalidator', OID],
      ['lanacl', arrayOf(STRING)],
    ],
    rows: () => [
      [12, 'internal', Role.SUPERUSER, false, false, 0, 0, 0, null],
      [13, 'c', Role.SUPERUSER, false, false, 0, 0, 0, null],
      [14, 'sql', Role.SUPERUSER, false, true, 0, 0, 0, null],
    ],
  });
}

export function pgExtension(): SystemRelationWithKind {
  return systemRelation({
    id: SystemOid.pg_extension,
    schema: 'pg_catalog',
    name: 'pg_extension',
    columns: [
      ['oid', OID],
      ['extname', NAME],
      ['extowner', OID],
      ['extnamespace', OID],
      ['extrelocatable', BOOLEAN],
      ['extversion', STRING],
      ['extconfig', arrayOf(OID)],
      ['extcondition', arrayOf(STRING)],
    ],
    rows: () => [[13500, 'plpgsql', Role.SUPERUSER, Namespace.PG_CATALOG, false, '1.0', null, null]],
  });
}

/** pg_catalog.pg_proc: the functions of proc-table.ts (type I/O functions and common SQL functions). */
import { BOOLEAN, FLOAT, NAME, OID, PG_CHAR, REGPROC, SMALLINT, STRING, arrayOf } from '../types.ts';
import { Namespace, Role, systemRelation, type SystemRelationWithKind } from '../system-relation.ts';
import { PG_PROCS } from './proc-table.ts';
import { SystemOid } from './oids.ts';

/** pg_language oid of 'internal'. */
const LANG_INTERNAL = 12;

export function pgProc(): SystemRelationWithKind {
  return systemRelation({
    id: SystemOid.pg_proc,
    schema: 'pg_catalog',
    name: 'pg_proc',
    columns: [
      ['oid', OID],
      ['proname', NAME],
      ['pronamespace', OID],
      ['proowner', OID],
      ['prolang', OID],
      ['procost', FLOAT],
      ['prorows', FLOAT],
      ['provariadic', OID],
      ['prosupport', REGPROC],
      ['prokind', PG_CHAR],
      ['prosecdef', BOOLEAN],
      ['proleakproof', BOOLEAN],
      ['proisstrict', BOOLEAN],
      ['proretset', BOOLEAN],
      ['provolatile', PG_CHAR],
      ['proparallel', PG_CHAR],
      ['pronargs', SMALLINT],
      ['pronargdefaults', SMALLINT],
      ['prorettype', OID],
      ['proargtypes', arrayOf(OID)],
      ['proallargtypes', arrayOf(OID)],
      ['proargmodes', arrayOf(PG_CHAR)],
      ['proargnames', arrayOf(STRING)],
      ['proargdefaults', STRING],
      ['protrftypes', arrayOf(OID)],
      ['prosrc', STRING],
      ['probin', STRING],
      ['prosqlbody', STRING],
      ['proconfig', arrayOf(STRING)],
      ['proacl', arrayOf(STRING)],
    ],
    rows: () =>
      PG_PROCS.map((p) => [
        p.oid,
        p.name,
        Namespace.PG_CATALOG,
        Role.SUPERUSER,
        LANG_INTERNAL,
        1,
        p.returnsSet ? 1000 : 0,
        0,
        0,
        p.kind,
        false,
        false,
        p.strict,
        p.returnsSet,
        p.volatility,
        's',
        p.argTypes.length,
        0,
        p.returnType,
        p.argTypes.slice(),
        null,
        null,
        null,
        null,
        null,
        p.name,
        null,
        null,
        null,
        null,
      ]),
  });
}

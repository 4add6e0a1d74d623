/**
 * pg_catalog.pg_roles, pg_user and pg_authid: the superuser 'millrace'
 * (oid 10) and, when the session connected as another name, that user.
 * Both are superusers: millrace has no privilege system yet.
 */
import type { Row } from '../types.ts';
import { BOOLEAN, INT, NAME, OID, STRING, arrayOf, timestampLtz } from '../types.ts';
import type { SystemScanContext } from '../relation.ts';
import { SUPERUSER_NAME, roleOid, systemRelation, type SystemRelationWithKind } from '../system-relation.ts';
import { SystemOid } from './oids.ts';

function roleNames(ctx: SystemScanContext): string[] {
  return ctx.user === SUPERUSER_NAME || ctx.user === '' ? [SUPERUSER_NAME] : [SUPERUSER_NAME, ctx.user];
}

export function pgRoles(): SystemRelationWithKind {
  return systemRelation({
    id: SystemOid.pg_roles,
    schema: 'pg_catalog',
    name: 'pg_roles',
    relkind: 'v',
    columns: [
      ['rolname', NAME],
      ['rolsuper', BOOLEAN],
      ['rolinherit', BOOLEAN],
      ['rolcreaterole', BOOLEAN],
      ['rolcreatedb', BOOLEAN],
      ['rolcanlogin', BOOLEAN],
      ['rolreplication', BOOLEAN],
      ['rolconnlimit', INT],
      ['rolpassword', STRING],
      ['rolvaliduntil', timestampLtz(6)],
      ['rolbypassrls', BOOLEAN],
      ['rolconfig', arrayOf(STRING)],
      ['oid', OID],
    ],
    rows: (ctx) =>
      roleNames(ctx).map((name): Row => [name, true, true, true, true, true, true, -1, '********', null, true, null, roleOid(name)]),
  });
}

export function pgAuthid(): SystemRelationWithKind {
  return systemRelation({
    id: SystemOid.pg_authid,
    schema: 'pg_catalog',
    name: 'pg_authid',
    columns: [
      ['oid', OID],
      ['rolname', NAME],
      ['rolsuper', BOOLEAN],
      ['rolinherit', BOOLEAN],
      ['rolcreaterole', BOOLEAN],
      ['rolcreatedb', BOOLEAN],
      ['rolcanlogin', BOOLEAN],
      ['rolreplication', BOOLEAN],
      ['rolbypassrls', BOOLEAN],
      ['rolconnlimit', INT],
      ['rolpassword', STRING],
      ['rolvaliduntil', timestampLtz(6)],
    ],
    rows: (ctx) => roleNames(ctx).map((name): Row => [roleOid(name), name, true, true, true, true, true, true, true, -1, null, null]),
  });
}

export function pgUser(): SystemRelationWithKind {
  return systemRelation({
    id: SystemOid.pg_user,
    schema: 'pg_catalog',
    name: 'pg_user',
    relkind: 'v',
    columns: [
      ['usename', NAME],
      ['usesysid', OID],
      ['usecreatedb', BOOLEAN],
      ['usesuper', BOOLEAN],
      ['userepl', BOOLEAN],
      ['usebypassrls', BOOLEAN],
      ['passwd', STRING],
      ['valuntil', timestampLtz(6)],
      ['useconfig', arrayOf(STRING)],
    ],
    rows: (ctx) => roleNames(ctx).map((name): Row => [name, roleOid(name), true, true, true, true, '********', null, null]),
  });
}

/**
 * Catalog relations Postgres has and millrace keeps empty: there is no
 * role membership, inheritance, policy, trigger, rule, publication, partitioning, foreign
 * table, enum, range, operator, sequence, cast, conversion or opclass to
 * show. Each has Postgres' full column list, so client queries that name its
 * columns (or SELECT *) bind and return no rows.
 */
import type { SqlType } from '../types.ts';
import { BIGINT, BOOLEAN, FLOAT, INT, NAME, OID, PG_CHAR, REGPROC, SMALLINT, STRING, arrayOf, timestampLtz } from '../types.ts';
import { emptyRelation, type ColumnSpec, type SystemRelationWithKind } from '../system-relation.ts';
import { SystemOid } from './oids.ts';

const TEXT_ARRAY: SqlType = arrayOf(STRING);
const OID_ARRAY: SqlType = arrayOf(OID);
const INT2_ARRAY: SqlType = arrayOf(SMALLINT);
const TIMESTAMPTZ: SqlType = timestampLtz(6);

const TABLES: readonly (readonly [number, string, readonly ColumnSpec[]])[] = [
  [SystemOid.pg_auth_members, 'pg_auth_members', [['oid', OID], ['roleid', OID], ['member', OID], ['grantor', OID], ['admin_option', BOOLEAN]]],
  [SystemOid.pg_inherits, 'pg_inherits', [['inhrelid', OID], ['inhparent', OID], ['inhseqno', INT], ['inhdetachpending', BOOLEAN]]],
  [SystemOid.pg_policy, 'pg_policy', [['oid', OID], ['polname', NAME], ['polrelid', OID], ['polcmd', PG_CHAR], ['polpermissive', BOOLEAN], ['polroles', OID_ARRAY], ['polqual', STRING], ['polwithcheck', STRING]]],
  [SystemOid.pg_trigger, 'pg_trigger', [
    ['oid', OID], ['tgrelid', OID], ['tgparentid', OID], ['tgname', NAME], ['tgfoid', OID], ['tgtype', SMALLINT], ['tgenabled', PG_CHAR],
    ['tgisinternal', BOOLEAN], ['tgconstrrelid', OID], ['tgconstrindid', OID], ['tgconstraint', OID], ['tgdeferrable', BOOLEAN],
    ['tginitdeferred', BOOLEAN], ['tgnargs', SMALLINT], ['tgattr', INT2_ARRAY], ['tgargs', STRING], ['tgqual', STRING],
    ['tgoldtable', NAME], ['tgnewtable', NAME],
  ]],
  [SystemOid.pg_rewrite, 'pg_rewrite', [['oid', OID], ['rulename', NAME], ['ev_class', OID], ['ev_type', PG_CHAR], ['ev_enabled', PG_CHAR], ['is_instead', BOOLEAN], ['ev_qual', STRING], ['ev_action', STRING]]],
  [SystemOid.pg_statistic_ext, 'pg_statistic_ext', [['oid', OID], ['stxrelid', OID], ['stxname', NAME], ['stxnamespace', OID], ['stxowner', OID], ['stxstattarget', INT], ['stxkeys', INT2_ARRAY], ['stxkind', arrayOf(PG_CHAR)], ['stxexprs', STRING]]],
  [SystemOid.pg_publication, 'pg_publication', [['oid', OID], ['pubname', NAME], ['pubowner', OID], ['puballtables', BOOLEAN], ['pubinsert', BOOLEAN], ['pubupdate', BOOLEAN], ['pubdelete', BOOLEAN], ['pubtruncate', BOOLEAN], ['pubviaroot', BOOLEAN]]],
  [SystemOid.pg_publication_rel, 'pg_publication_rel', [['oid', OID], ['prpubid', OID], ['prrelid', OID], ['prqual', STRING], ['prattrs', INT2_ARRAY]]],
  [SystemOid.pg_publication_namespace, 'pg_publication_namespace', [['oid', OID], ['pnpubid', OID], ['pnnspid', OID]]],
  [SystemOid.pg_partitioned_table, 'pg_partitioned_table', [['partrelid', OID], ['partstrat', PG_CHAR], ['partnatts', SMALLINT], ['partdefid', OID], ['partattrs', INT2_ARRAY], ['partclass', OID_ARRAY], ['partcollation', OID_ARRAY], ['partexprs', STRING]]],
  [SystemOid.pg_foreign_table, 'pg_foreign_table', [['ftrelid', OID], ['ftserver', OID], ['ftoptions', TEXT_ARRAY]]],
  [SystemOid.pg_enum, 'pg_enum', [['oid', OID], ['enumtypid', OID], ['enumsortorder', FLOAT], ['enumlabel', NAME]]],
  [SystemOid.pg_range, 'pg_range', [['rngtypid', OID], ['rngsubtype', OID], ['rngmultitypid', OID], ['rngcollation', OID], ['rngsubopc', OID], ['rngcanonical', REGPROC], ['rngsubdiff', REGPROC]]],
  [SystemOid.pg_operator, 'pg_operator', [
    ['oid', OID], ['oprname', NAME], ['oprnamespace', OID], ['oprowner', OID], ['oprkind', PG_CHAR], ['oprcanmerge', BOOLEAN],
    ['oprcanhash', BOOLEAN], ['oprleft', OID], ['oprright', OID], ['oprresult', OID], ['oprcom', OID], ['oprnegate', OID],
    ['oprcode', REGPROC], ['oprrest', REGPROC], ['oprjoin', REGPROC],
  ]],
  [SystemOid.pg_depend, 'pg_depend', [['classid', OID], ['objid', OID], ['objsubid', INT], ['refclassid', OID], ['refobjid', OID], ['refobjsubid', INT], ['deptype', PG_CHAR]]],
  [SystemOid.pg_sequence, 'pg_sequence', [['seqrelid', OID], ['seqtypid', OID], ['seqstart', BIGINT], ['seqincrement', BIGINT], ['seqmax', BIGINT], ['seqmin', BIGINT], ['seqcache', BIGINT], ['seqcycle', BOOLEAN]]],
  [SystemOid.pg_cast, 'pg_cast', [['oid', OID], ['castsource', OID], ['casttarget', OID], ['castfunc', OID], ['castcontext', PG_CHAR], ['castmethod', PG_CHAR]]],
  [SystemOid.pg_conversion, 'pg_conversion', [['oid', OID], ['conname', NAME], ['connamespace', OID], ['conowner', OID], ['conforencoding', INT], ['contoencoding', INT], ['conproc', REGPROC], ['condefault', BOOLEAN]]],
  [SystemOid.pg_opclass, 'pg_opclass', [['oid', OID], ['opcmethod', OID], ['opcname', NAME], ['opcnamespace', OID], ['opcowner', OID], ['opcfamily', OID], ['opcintype', OID], ['opcdefault', BOOLEAN], ['opckeytype', OID]]],
];

const VIEWS: readonly (readonly [number, string, readonly ColumnSpec[]])[] = [
  [SystemOid.pg_available_extensions, 'pg_available_extensions', [['name', NAME], ['default_version', STRING], ['installed_version', STRING], ['comment', STRING]]],
  [SystemOid.pg_locks, 'pg_locks', [
    ['locktype', STRING], ['database', OID], ['relation', OID], ['page', INT], ['tuple', SMALLINT], ['virtualxid', STRING],
    ['transactionid', OID], ['classid', OID], ['objid', OID], ['objsubid', SMALLINT], ['virtualtransaction', STRING],
    ['pid', INT], ['mode', STRING], ['granted', BOOLEAN], ['fastpath', BOOLEAN], ['waitstart', TIMESTAMPTZ],
  ]],
];

export function emptyCatalogRelations(): SystemRelationWithKind[] {
  return [
    ...TABLES.map(([id, name, columns]) => emptyRelation(id, 'pg_catalog', name, columns, 'r')),
    ...VIEWS.map(([id, name, columns]) => emptyRelation(id, 'pg_catalog', name, columns, 'v')),
  ];
}

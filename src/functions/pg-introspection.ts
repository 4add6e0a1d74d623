/**
 * Postgres system-information functions that client catalogue queries call
 * (psql \d, pgjdbc, psycopg2, Grafana, DBeaver). They answer from the session
 * (ctx) and the catalog look-ups (ctx.catalog); what millrace has no notion of
 * (privileges, constraints by oid, tablespaces, recovery) gets the answer a
 * single-node superuser session would see: privileges true, sizes 0,
 * constraint / index / function definitions NULL when the oid is unknown.
 */
import {
  arrayOf,
  BIGINT,
  BOOLEAN,
  flinkTypeName,
  INT,
  NAME,
  OID,
  pgTypeOid,
  REGCLASS,
  REGPROC,
  REGTYPE,
  STRING,
  timestampLtz,
  type SqlType,
  type Value,
} from '../../catalog/types.ts';
import { pgProcByOid } from '../../catalog/pg-catalog/proc-table.ts';
import type { RelationDefinition } from '../../catalog/relation.ts';
import { SqlError, SqlState } from '../errors.ts';
import type { EvalContext } from './eval-context.ts';
import { fixed, generic, type Match } from './registry.ts';

export const SERVER_VERSION_TEXT = 'PostgreSQL 15.0 (millrace 0.1.0) on x86_64-pc-linux-gnu';
const STARTED_AT = Date.now() * 1000;
let txid = 1000n;

fixed({ name: 'version', params: [], returns: STRING, make: () => () => SERVER_VERSION_TEXT });
fixed({ name: ['current_database', 'current_catalog'], params: [], returns: NAME, make: () => (_a, ctx) => ctx.database });
fixed({ name: ['current_user', 'session_user', 'user', 'current_role', 'getpgusername'], params: [], returns: NAME, make: () => (_a, ctx) => ctx.user });
fixed({ name: 'current_schema', params: [], returns: NAME, make: () => (_a, ctx) => searchPath(ctx)[0] ?? null });

/** Schemas named by search_path that exist ("$user" has no schema of its own here). */
export function searchPath(ctx: EvalContext): string[] {
  const raw = ctx.setting('search_path') ?? '"$user", public';
  const out: string[] = [];
  for (const part of raw.split(',')) {
    let s = part.trim();
    if (s.startsWith('"') && s.endsWith('"') && s.length >= 2) s = s.slice(1, -1).replace(/""/g, '"');
    else s = s.toLowerCase();
    if (s === '' || s === '$user') continue;
    if (s === 'public' || s === 'pg_catalog' || s === 'information_schema') out.push(s);
  }
  return out;
}

fixed({
  name: 'current_schemas',
  params: [BOOLEAN],
  returns: arrayOf(NAME),
  make: () => (a, ctx) => {
    const path = searchPath(ctx);
    if (a[0] === true && !path.includes('pg_catalog')) return ['pg_catalog', ...path];
    return path;
  },
});

function settingOrError(ctx: EvalContext, name: string, missingOk: boolean): Value {
  const v = ctx.setting(name.toLowerCase()) ?? ctx.setting(name);
  if (v !== undefined) return v;
  if (missingOk) return null;
  throw new SqlError(SqlState.UNDEFINED_OBJECT, `unrecognized configuration parameter "${name}"`);
}

fixed({ name: 'current_setting', params: [STRING], returns: STRING, make: () => (a, ctx) => settingOrError(ctx, a[0] as string, false) });
fixed({
  name: 'current_setting',
  params: [STRING, BOOLEAN],
  returns: STRING,
  make: () => (a, ctx) => settingOrError(ctx, a[0] as string, a[1] === true),
});
/** set_config returns the new value; applying it is the session's job (SET), not an expression's. */
fixed({ name: 'set_config', params: [STRING, STRING, BOOLEAN], returns: STRING, volatile: true, strict: false, make: () => (a) => a[1] ?? null });
fixed({ name: 'pg_backend_pid', params: [], returns: INT, make: () => (_a, ctx) => ctx.backendPid });
fixed({ name: 'pg_is_in_recovery', params: [], returns: BOOLEAN, make: () => () => false });
fixed({ name: 'txid_current', params: [], returns: BIGINT, volatile: true, make: () => () => ++txid });
fixed({ name: 'pg_current_xact_id', params: [], returns: BIGINT, volatile: true, make: () => () => ++txid });
fixed({ name: 'pg_postmaster_start_time', params: [], returns: timestampLtz(6), make: () => () => STARTED_AT });
fixed({ name: 'pg_conf_load_time', params: [], returns: timestampLtz(6), make: () => () => STARTED_AT });
fixed({ name: 'inet_server_addr', params: [], returns: STRING, make: () => () => null });
fixed({ name: 'inet_server_port', params: [], returns: INT, make: () => () => null });
fixed({ name: 'inet_client_addr', params: [], returns: STRING, make: () => () => null });

fixed({
  name: 'format_type',
  params: [OID, INT],
  returns: STRING,
  strict: false,
  make: () => (a, ctx) => {
    if (a[0] === null) return null;
    const oid = a[0] as number;
    const typmod = a[1] === null ? -1 : (a[1] as number);
    return ctx.catalog.typeNameByOid(oid, typmod) ?? (oid === 0 ? '-' : '???');
  },
});
fixed({
  name: 'pg_get_expr',
  params: [STRING, OID],
  returns: STRING,
  make: () => (a) => a[0]!,
});
fixed({ name: 'pg_get_expr', params: [STRING, OID, BOOLEAN], returns: STRING, make: () => (a) => a[0]! });
fixed({ name: 'pg_get_userbyid', params: [OID], returns: NAME, make: () => (_a, ctx) => ctx.user });
for (const name of ['pg_table_is_visible', 'pg_type_is_visible', 'pg_function_is_visible', 'pg_collation_is_visible', 'pg_opclass_is_visible', 'pg_operator_is_visible']) {
  fixed({ name, params: [OID], returns: BOOLEAN, make: () => () => true });
}

function relationComment(ctx: EvalContext, oid: number): Value {
  return ctx.catalog.relationById(oid)?.comment ?? null;
}

fixed({
  name: 'obj_description',
  params: [OID, STRING],
  returns: STRING,
  make: () => (a, ctx) => (a[1] === 'pg_class' ? relationComment(ctx, a[0] as number) : null),
});
fixed({ name: 'obj_description', params: [OID], returns: STRING, make: () => (a, ctx) => relationComment(ctx, a[0] as number) });
fixed({
  name: 'col_description',
  params: [OID, INT],
  returns: STRING,
  make: () => (a, ctx) => ctx.catalog.relationById(a[0] as number)?.columns[(a[1] as number) - 1]?.comment ?? null,
});
fixed({ name: 'shobj_description', params: [OID, STRING], returns: STRING, make: () => () => null });

fixed({
  name: 'pg_get_viewdef',
  params: [OID],
  returns: STRING,
  make: () => (a, ctx) => viewdef(ctx, a[0] as number),
});
fixed({ name: 'pg_get_viewdef', params: [OID, BOOLEAN], returns: STRING, make: () => (a, ctx) => viewdef(ctx, a[0] as number) });
fixed({
  name: 'pg_get_viewdef',
  params: [STRING],
  returns: STRING,
  make: () => (a, ctx) => {
    const oid = ctx.catalog.relationOidByName(a[0] as string);
    if (oid === undefined) throw new SqlError(SqlState.UNDEFINED_TABLE, `relation "${a[0] as string}" does not exist`);
    return viewdef(ctx, oid);
  },
});

function viewdef(ctx: EvalContext, oid: number): Value {
  const r = ctx.catalog.relationById(oid);
  if (r === undefined || (r.kind !== 'view' && r.kind !== 'materialized-view')) return null;
  const q = r.query.trim();
  return q.endsWith(';') ? q : `${q};`;
}

type KeyedRelation = Exclude<RelationDefinition, { readonly kind: 'view' }>;

/**
 * The keyed table whose primary key index (delta 1) or constraint (delta 2) has this oid.
 * CatalogLookup only resolves relations; Catalog.create gives a keyed table's index and
 * constraint the table's oid + 1 and + 2 (see primaryKeyOids), so those oids lead back to it.
 */
function keyedTableOf(ctx: EvalContext, oid: number, delta: 1 | 2): KeyedRelation | undefined {
  if (ctx.catalog.relationById(oid) !== undefined) return undefined;
  const r = ctx.catalog.relationById(oid - delta);
  if (r === undefined || r.kind === 'view' || r.primaryKey.length === 0) return undefined;
  return r;
}

/** An identifier as Postgres' quote_identifier prints it: bare when lower-case and simple. */
function quoteIdent(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

function keyColumns(r: KeyedRelation): string {
  return r.primaryKey.map(quoteIdent).join(', ');
}

/** pg_get_indexdef of a primary key index oid; NULL for any other oid, as in Postgres. */
function indexdef(ctx: EvalContext, oid: number): Value {
  const r = keyedTableOf(ctx, oid, 1);
  if (r === undefined) return null;
  return `CREATE UNIQUE INDEX ${quoteIdent(`${r.name}_pkey`)} ON ${quoteIdent(r.schema)}.${quoteIdent(r.name)} USING btree (${keyColumns(r)})`;
}

fixed({ name: 'pg_get_indexdef', params: [OID], returns: STRING, make: () => (a, ctx) => indexdef(ctx, a[0] as number) });
fixed({
  name: 'pg_get_indexdef',
  params: [OID, INT, BOOLEAN],
  returns: STRING,
  make: () => (a, ctx) => {
    const col = a[1] as number;
    if (col === 0) return indexdef(ctx, a[0] as number);
    const r = keyedTableOf(ctx, a[0] as number, 1);
    const name = r?.primaryKey[col - 1];
    return name === undefined ? null : quoteIdent(name);
  },
});

/** pg_get_constraintdef of a primary key constraint oid (Flink's NOT ENFORCED is not part of Postgres' form). */
function constraintdef(ctx: EvalContext, oid: number): Value {
  const r = keyedTableOf(ctx, oid, 2);
  return r === undefined ? null : `PRIMARY KEY (${keyColumns(r)})`;
}

fixed({ name: 'pg_get_constraintdef', params: [OID], returns: STRING, make: () => (a, ctx) => constraintdef(ctx, a[0] as number) });
fixed({ name: 'pg_get_constraintdef', params: [OID, BOOLEAN], returns: STRING, make: () => (a, ctx) => constraintdef(ctx, a[0] as number) });
fixed({ name: 'pg_get_partkeydef', params: [OID], returns: STRING, make: () => () => null });
// millrace has no extended statistics objects (pg_statistic_ext is empty), so there is nothing to describe.
// Nothing is published: millrace has no logical replication publications.
fixed({ name: 'pg_relation_is_publishable', params: [OID], returns: BOOLEAN, make: () => () => false });
fixed({ name: 'pg_get_statisticsobjdef_columns', params: [OID], returns: STRING, make: () => () => null });
fixed({ name: 'pg_get_serial_sequence', params: [STRING, STRING], returns: STRING, make: () => () => null });
fixed({ name: 'pg_get_triggerdef', params: [OID], returns: STRING, make: () => () => null });
/** Argument types of a pg_proc function, as format_type prints them, comma separated; NULL for an unknown oid. */
function functionArguments(ctx: EvalContext, oid: number): Value {
  const p = pgProcByOid(oid);
  if (p === undefined) return null;
  return p.argTypes.map((t) => ctx.catalog.typeNameByOid(t, -1) ?? '???').join(', ');
}

fixed({ name: 'pg_get_function_identity_arguments', params: [OID], returns: STRING, make: () => (a, ctx) => functionArguments(ctx, a[0] as number) });
fixed({ name: 'pg_get_function_arguments', params: [OID], returns: STRING, make: () => (a, ctx) => functionArguments(ctx, a[0] as number) });
fixed({
  name: 'pg_get_function_result',
  params: [OID],
  returns: STRING,
  make: () => (a, ctx) => {
    const p = pgProcByOid(a[0] as number);
    if (p === undefined) return null;
    const t = ctx.catalog.typeNameByOid(p.returnType, -1) ?? '???';
    return p.returnsSet ? `SETOF ${t}` : t;
  },
});

const VOLATILITY = { i: 'IMMUTABLE', s: 'STABLE', v: 'VOLATILE' } as const;

/** pg_get_functiondef: the CREATE FUNCTION Postgres prints for an internal function (psql's \sf). */
function functiondef(ctx: EvalContext, oid: number): Value {
  const p = pgProcByOid(oid);
  if (p === undefined) return null;
  if (p.kind === 'a') throw new SqlError(SqlState.WRONG_OBJECT_TYPE, `"${p.name}" is an aggregate function`);
  const ret = ctx.catalog.typeNameByOid(p.returnType, -1) ?? '???';
  return (
    `CREATE OR REPLACE FUNCTION pg_catalog.${quoteIdent(p.name)}(${functionArguments(ctx, oid) as string})\n` +
    ` RETURNS ${p.returnsSet ? 'SETOF ' : ''}${ret}\n` +
    ` LANGUAGE internal\n` +
    ` ${p.kind === 'w' ? 'WINDOW ' : ''}${VOLATILITY[p.volatility]} PARALLEL SAFE${p.strict ? ' STRICT' : ''}\n` +
    `AS $function$${p.name}$function$\n`
  );
}
fixed({ name: 'pg_get_functiondef', params: [OID], returns: STRING, make: () => (a, ctx) => functiondef(ctx, a[0] as number) });
// millrace has no rewrite rules (pg_rewrite is empty), so no rule oid has a definition.
fixed({ name: 'pg_get_ruledef', params: [OID], returns: STRING, make: () => () => null });
fixed({ name: 'pg_get_ruledef', params: [OID, BOOLEAN], returns: STRING, make: () => () => null });

fixed({
  name: 'pg_encoding_to_char',
  params: [INT],
  returns: NAME,
  make: () => (a) => (a[0] === 6 ? 'UTF8' : a[0] === 0 ? 'SQL_ASCII' : ''),
});
fixed({ name: 'pg_char_to_encoding', params: [NAME], returns: INT, make: () => (a) => ((a[0] as string).toUpperCase() === 'UTF8' ? 6 : -1) });

/** has_*_privilege in all overloads ([user,] object, privilege): always true. */
function anyArgs(min: number, max: number, ret: SqlType): (args: readonly SqlType[]) => Match | undefined {
  return (args) =>
    args.length >= min && args.length <= max
      ? { argTypes: args.map((t) => (t.kind === 'NULL' ? STRING : t)), returnType: ret, cost: 0 }
      : undefined;
}

for (const obj of ['table', 'schema', 'database', 'column', 'function', 'sequence', 'any_column', 'foreign_data_wrapper', 'language', 'server', 'tablespace', 'type']) {
  generic({
    name: `has_${obj}_privilege`,
    id: `has_${obj}_privilege`,
    match: anyArgs(2, obj === 'column' ? 4 : 3, BOOLEAN),
    make: () => () => true,
  });
}
generic({ name: 'pg_has_role', id: 'pg_has_role', match: anyArgs(2, 3, BOOLEAN), make: () => () => true });

for (const name of ['pg_table_size', 'pg_relation_size', 'pg_total_relation_size', 'pg_indexes_size', 'pg_database_size']) {
  generic({ name, id: name, match: anyArgs(1, 2, BIGINT), make: () => () => 0n });
}
fixed({ name: 'pg_tablespace_location', params: [OID], returns: STRING, make: () => () => '' });
// Per-relation access counters (DBeaver's index list reads pg_stat_get_numscans): millrace keeps none.
for (const name of ['pg_stat_get_numscans', 'pg_stat_get_tuples_returned', 'pg_stat_get_tuples_fetched', 'pg_stat_get_live_tuples', 'pg_stat_get_dead_tuples']) {
  fixed({ name, params: [OID], returns: BIGINT, make: () => () => 0n });
}

/** pg_size_pretty(bigint): bytes, kB, MB, GB, TB with Postgres' rounding (half up, 10240 thresholds). */
export function sizePretty(n: bigint): string {
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let size = n;
  const abs = (x: bigint): bigint => (x < 0n ? -x : x);
  let u = 0;
  if (abs(size) < 10n * 1024n) return `${size} bytes`;
  size = size / 512n;
  u = 1;
  while (abs(size) >= 20n * 1024n - 1n && u < units.length - 1) {
    size = size / 1024n;
    u++;
  }
  const half = (size + (size < 0n ? -1n : 1n)) / 2n;
  return `${half} ${units[u]!}`;
}
fixed({ name: 'pg_size_pretty', params: [BIGINT], returns: STRING, make: () => (a) => sizePretty(a[0] as bigint) });

generic({
  name: 'pg_typeof',
  id: 'pg_typeof',
  strict: false,
  match: (args) => (args.length === 1 ? { argTypes: args, returnType: REGTYPE, cost: 0 } : undefined),
  make: (argTypes) => {
    const oid = argTypes[0]!.kind === 'NULL' ? 705 : pgTypeOid(argTypes[0]!);
    return () => oid;
  },
});
generic({
  name: 'typeof',
  id: 'typeof',
  strict: false,
  match: (args) => (args.length === 1 ? { argTypes: args, returnType: STRING, cost: 0 } : undefined),
  make: (argTypes) => {
    const name = flinkTypeName(argTypes[0]!);
    return () => name;
  },
});
fixed({
  name: 'to_regclass',
  params: [STRING],
  returns: REGCLASS,
  make: () => (a, ctx) => ctx.catalog.relationOidByName(a[0] as string) ?? null,
});
fixed({
  name: 'to_regtype',
  params: [STRING],
  returns: REGTYPE,
  make: () => (a, ctx) => ctx.catalog.typeOidByName(a[0] as string) ?? null,
});

/**
 * The input functions of the OID alias types, for casts of text computed at run time
 * (`$1::text::regtype`, `format('%I.%I', s, t)::regclass`; the binder resolves literals itself):
 * a number is taken as the oid, a name must exist (PostgreSQL's errors: 42P01, 42704, 42883).
 */
function oidAliasInput(kind: string, lookup: (ctx: EvalContext, name: string) => number | undefined, missing: (name: string) => SqlError) {
  return (a: readonly Value[], ctx: EvalContext): Value => {
    const text = a[0] as string;
    if (/^\s*\d+\s*$/.test(text)) {
      const n = Number(text);
      if (n > 0xffffffff) throw new SqlError(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, `value "${text.trim()}" is out of range for type ${kind}`);
      return n;
    }
    if (text.trim() === '-') return 0;
    const oid = lookup(ctx, text);
    if (oid === undefined) throw missing(text);
    return oid;
  };
}
fixed({
  name: 'regclassin',
  params: [STRING],
  returns: REGCLASS,
  make: () =>
    oidAliasInput(
      'regclass',
      (ctx, name) => ctx.catalog.relationOidByName(name),
      (name) => new SqlError(SqlState.UNDEFINED_TABLE, `relation "${name}" does not exist`),
    ),
});
fixed({
  name: 'regtypein',
  params: [STRING],
  returns: REGTYPE,
  make: () =>
    oidAliasInput(
      'regtype',
      (ctx, name) => ctx.catalog.typeOidByName(name),
      (name) => new SqlError(SqlState.UNDEFINED_OBJECT, `type "${name}" does not exist`),
    ),
});
fixed({
  name: 'regprocin',
  params: [STRING],
  returns: REGPROC,
  make: () =>
    oidAliasInput(
      'regproc',
      (ctx, name) => ctx.catalog.functionOidByName(name),
      (name) => new SqlError(SqlState.UNDEFINED_FUNCTION, `function "${name}" does not exist`),
    ),
});

/**
 * The output functions of the OID alias types, for casts to text (`c.reloftype::regtype::text`,
 * `x::regclass::text`): the object's name (a relation's quoted where it needs to be), the oid as a
 * number when no object has it, `-` for 0.
 */
function oidAliasOutput(name: (ctx: EvalContext, oid: number) => string | undefined) {
  return (a: readonly Value[], ctx: EvalContext): Value => {
    const oid = a[0] as number;
    if (oid === 0) return '-';
    return name(ctx, oid) ?? String(oid);
  };
}
fixed({
  name: 'regclassout',
  params: [REGCLASS],
  returns: STRING,
  make: () => oidAliasOutput((ctx, oid) => {
    const r = ctx.catalog.relationById(oid);
    return r === undefined ? undefined : quoteIdent(r.name);
  }),
});
fixed({ name: 'regtypeout', params: [REGTYPE], returns: STRING, make: () => oidAliasOutput((ctx, oid) => ctx.catalog.typeNameByOid(oid, -1)) });
fixed({ name: 'regprocout', params: [REGPROC], returns: STRING, make: () => oidAliasOutput((ctx, oid) => ctx.catalog.functionNameByOid(oid)) });

/** parse_ident('a."B".c') -> {a,B,c}: unquoted parts are lower-cased. */
export function parseIdent(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  const fail = (): SqlError => new SqlError(SqlState.INVALID_PARAMETER_VALUE, `string is not a valid identifier: "${text}"`);
  for (;;) {
    while (text[i] === ' ') i++;
    if (text[i] === '"') {
      let s = '';
      i++;
      for (;;) {
        if (i >= text.length) throw fail();
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            s += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        s += text[i++]!;
      }
      if (s === '') throw fail();
      out.push(s);
    } else {
      const m = /^[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*/.exec(text.slice(i));
      if (m === null) throw fail();
      out.push(m[0].toLowerCase());
      i += m[0].length;
    }
    while (text[i] === ' ') i++;
    if (i >= text.length) return out;
    if (text[i] !== '.') throw fail();
    i++;
  }
}
fixed({ name: 'parse_ident', params: [STRING], returns: arrayOf(STRING), make: () => (a) => parseIdent(a[0] as string) });
fixed({ name: 'parse_ident', params: [STRING, BOOLEAN], returns: arrayOf(STRING), make: () => (a) => parseIdent(a[0] as string) });

/**
 * The Postgres types millrace knows, as pg_type describes them: the single
 * source for the pg_type relation, format_type / regtype names, type-name
 * look-ups and the SqlType a client-declared parameter oid means.
 *
 * Contract: every oid `pgTypeOid` (catalog/types.ts) can return has a row
 * here, and so does its array type. Oids, names, lengths and categories are
 * Postgres' own (pg_type.dat); the in/out/recv/send functions are named as in
 * Postgres and resolved to oids through proc-table.ts.
 */
import type { SqlType } from '../types.ts';
import {
  NUMERIC,
  BIGINT,
  BOOLEAN,
  BYTES,
  DATE,
  DOUBLE,
  FLOAT,
  INT,
  INTERVAL_DAY_TIME,
  JSON_TYPE,
  NAME,
  OID,
  PG_CHAR,
  REGCLASS,
  REGPROC,
  REGTYPE,
  SMALLINT,
  STRING,
  UUID,
  arrayOf,
  decimal,
  time,
  timestamp,
  timestampLtz,
} from '../types.ts';

export interface PgTypeInfo {
  readonly oid: number;
  /** pg_type.typname (`int4`, `_int4`). */
  readonly name: string;
  /** What format_type prints without a type modifier (`integer`, `integer[]`). */
  readonly display: string;
  /** The SqlType a value of this type is, when millrace has one. */
  readonly sqlType: SqlType | undefined;
  readonly len: number;
  readonly byval: boolean;
  /** typtype: 'b' base, 'p' pseudo. */
  readonly typtype: 'b' | 'p';
  readonly category: string;
  readonly preferred: boolean;
  readonly elem: number;
  readonly array: number;
  readonly input: string;
  readonly output: string;
  readonly receive: string;
  readonly send: string;
  /** typmodin / typmodout function names, or '' when the type takes no modifier. */
  readonly modin: string;
  readonly modout: string;
  readonly align: 'c' | 's' | 'i' | 'd';
  readonly storage: 'p' | 'x' | 'm' | 'e';
  /** typcollation: 100 (default collation) for collatable types, else 0. */
  readonly collation: number;
}

/** The type of a `numeric` declared without precision (client parameter types): each value keeps its scale. */
export const UNCONSTRAINED_NUMERIC: SqlType = NUMERIC;

interface BaseSpec {
  oid: number;
  name: string;
  display: string;
  sqlType: SqlType | undefined;
  len: number;
  byval: boolean;
  category: string;
  preferred?: boolean;
  elem?: number;
  array: number;
  io: [string, string, string, string];
  mod?: [string, string];
  align: 'c' | 's' | 'i' | 'd';
  storage?: 'p' | 'x' | 'm' | 'e';
  collatable?: boolean;
  pseudo?: boolean;
}

const SPECS: readonly BaseSpec[] = [
  { oid: 16, name: 'bool', display: 'boolean', sqlType: BOOLEAN, len: 1, byval: true, category: 'B', preferred: true, array: 1000, io: ['boolin', 'boolout', 'boolrecv', 'boolsend'], align: 'c' },
  { oid: 17, name: 'bytea', display: 'bytea', sqlType: BYTES, len: -1, byval: false, category: 'U', array: 1001, io: ['byteain', 'byteaout', 'bytearecv', 'byteasend'], align: 'i' },
  { oid: 18, name: 'char', display: '"char"', sqlType: PG_CHAR, len: 1, byval: true, category: 'Z', array: 1002, io: ['charin', 'charout', 'charrecv', 'charsend'], align: 'c' },
  { oid: 19, name: 'name', display: 'name', sqlType: NAME, len: 64, byval: false, category: 'S', elem: 18, array: 1003, io: ['namein', 'nameout', 'namerecv', 'namesend'], align: 'c', collatable: true },
  { oid: 20, name: 'int8', display: 'bigint', sqlType: BIGINT, len: 8, byval: true, category: 'N', array: 1016, io: ['int8in', 'int8out', 'int8recv', 'int8send'], align: 'd' },
  { oid: 21, name: 'int2', display: 'smallint', sqlType: SMALLINT, len: 2, byval: true, category: 'N', array: 1005, io: ['int2in', 'int2out', 'int2recv', 'int2send'], align: 's' },
  { oid: 22, name: 'int2vector', display: 'int2vector', sqlType: arrayOf(SMALLINT), len: -1, byval: false, category: 'A', elem: 21, array: 1006, io: ['int2vectorin', 'int2vectorout', 'int2vectorrecv', 'int2vectorsend'], align: 'i' },
  { oid: 23, name: 'int4', display: 'integer', sqlType: INT, len: 4, byval: true, category: 'N', array: 1007, io: ['int4in', 'int4out', 'int4recv', 'int4send'], align: 'i' },
  { oid: 24, name: 'regproc', display: 'regproc', sqlType: REGPROC, len: 4, byval: true, category: 'N', array: 1008, io: ['regprocin', 'regprocout', 'regprocrecv', 'regprocsend'], align: 'i' },
  { oid: 25, name: 'text', display: 'text', sqlType: STRING, len: -1, byval: false, category: 'S', preferred: true, array: 1009, io: ['textin', 'textout', 'textrecv', 'textsend'], align: 'i', collatable: true },
  { oid: 26, name: 'oid', display: 'oid', sqlType: OID, len: 4, byval: true, category: 'N', preferred: true, array: 1028, io: ['oidin', 'oidout', 'oidrecv', 'oidsend'], align: 'i' },
  { oid: 28, name: 'xid', display: 'xid', sqlType: undefined, len: 4, byval: true, category: 'U', array: 1011, io: ['xidin', 'xidout', 'xidrecv', 'xidsend'], align: 'i' },
  { oid: 30, name: 'oidvector', display: 'oidvector', sqlType: arrayOf(OID), len: -1, byval: false, category: 'A', elem: 26, array: 1013, io: ['oidvectorin', 'oidvectorout', 'oidvectorrecv', 'oidvectorsend'], align: 'i' },
  { oid: 114, name: 'json', display: 'json', sqlType: JSON_TYPE, len: -1, byval: false, category: 'U', array: 199, io: ['json_in', 'json_out', 'json_recv', 'json_send'], align: 'i' },
  { oid: 194, name: 'pg_node_tree', display: 'pg_node_tree', sqlType: STRING, len: -1, byval: false, category: 'Z', array: 0, io: ['pg_node_tree_in', 'pg_node_tree_out', 'pg_node_tree_recv', 'pg_node_tree_send'], align: 'i', collatable: true },
  { oid: 700, name: 'float4', display: 'real', sqlType: FLOAT, len: 4, byval: true, category: 'N', array: 1021, io: ['float4in', 'float4out', 'float4recv', 'float4send'], align: 'i', storage: 'p' },
  { oid: 701, name: 'float8', display: 'double precision', sqlType: DOUBLE, len: 8, byval: true, category: 'N', preferred: true, array: 1022, io: ['float8in', 'float8out', 'float8recv', 'float8send'], align: 'd' },
  { oid: 705, name: 'unknown', display: 'unknown', sqlType: undefined, len: -2, byval: false, category: 'X', array: 0, io: ['unknownin', 'unknownout', 'unknownrecv', 'unknownsend'], align: 'c', pseudo: true },
  { oid: 1033, name: 'aclitem', display: 'aclitem', sqlType: STRING, len: 16, byval: false, category: 'U', array: 1034, io: ['aclitemin', 'aclitemout', '-', '-'], align: 'd' },
  { oid: 1042, name: 'bpchar', display: 'character', sqlType: STRING, len: -1, byval: false, category: 'S', array: 1014, io: ['bpcharin', 'bpcharout', 'bpcharrecv', 'bpcharsend'], mod: ['bpchartypmodin', 'bpchartypmodout'], align: 'i', collatable: true },
  { oid: 1043, name: 'varchar', display: 'character varying', sqlType: STRING, len: -1, byval: false, category: 'S', array: 1015, io: ['varcharin', 'varcharout', 'varcharrecv', 'varcharsend'], mod: ['varchartypmodin', 'varchartypmodout'], align: 'i', collatable: true },
  { oid: 1082, name: 'date', display: 'date', sqlType: DATE, len: 4, byval: true, category: 'D', array: 1182, io: ['date_in', 'date_out', 'date_recv', 'date_send'], align: 'i' },
  { oid: 1083, name: 'time', display: 'time without time zone', sqlType: time(6), len: 8, byval: true, category: 'D', array: 1183, io: ['time_in', 'time_out', 'time_recv', 'time_send'], mod: ['timetypmodin', 'timetypmodout'], align: 'd' },
  { oid: 1114, name: 'timestamp', display: 'timestamp without time zone', sqlType: timestamp(6), len: 8, byval: true, category: 'D', array: 1115, io: ['timestamp_in', 'timestamp_out', 'timestamp_recv', 'timestamp_send'], mod: ['timestamptypmodin', 'timestamptypmodout'], align: 'd' },
  { oid: 1184, name: 'timestamptz', display: 'timestamp with time zone', sqlType: timestampLtz(6), len: 8, byval: true, category: 'D', preferred: true, array: 1185, io: ['timestamptz_in', 'timestamptz_out', 'timestamptz_recv', 'timestamptz_send'], mod: ['timestamptztypmodin', 'timestamptztypmodout'], align: 'd' },
  { oid: 1186, name: 'interval', display: 'interval', sqlType: INTERVAL_DAY_TIME, len: 16, byval: false, category: 'T', preferred: true, array: 1187, io: ['interval_in', 'interval_out', 'interval_recv', 'interval_send'], mod: ['intervaltypmodin', 'intervaltypmodout'], align: 'd' },
  { oid: 1700, name: 'numeric', display: 'numeric', sqlType: UNCONSTRAINED_NUMERIC, len: -1, byval: false, category: 'N', array: 1231, io: ['numeric_in', 'numeric_out', 'numeric_recv', 'numeric_send'], mod: ['numerictypmodin', 'numerictypmodout'], align: 'i', storage: 'm' },
  { oid: 2205, name: 'regclass', display: 'regclass', sqlType: REGCLASS, len: 4, byval: true, category: 'N', array: 2210, io: ['regclassin', 'regclassout', 'regclassrecv', 'regclasssend'], align: 'i' },
  { oid: 2206, name: 'regtype', display: 'regtype', sqlType: REGTYPE, len: 4, byval: true, category: 'N', array: 2211, io: ['regtypein', 'regtypeout', 'regtyperecv', 'regtypesend'], align: 'i' },
  { oid: 2249, name: 'record', display: 'record', sqlType: undefined, len: -1, byval: false, category: 'P', array: 2287, io: ['record_in', 'record_out', 'record_recv', 'record_send'], align: 'd', pseudo: true },
  { oid: 2275, name: 'cstring', display: 'cstring', sqlType: undefined, len: -2, byval: false, category: 'P', array: 1263, io: ['cstring_in', 'cstring_out', 'cstring_recv', 'cstring_send'], align: 'c', pseudo: true },
  { oid: 2276, name: 'any', display: '"any"', sqlType: undefined, len: 4, byval: true, category: 'P', array: 0, io: ['any_in', 'any_out', '-', '-'], align: 'i', pseudo: true },
  { oid: 2277, name: 'anyarray', display: 'anyarray', sqlType: undefined, len: -1, byval: false, category: 'P', array: 0, io: ['anyarray_in', 'anyarray_out', 'anyarray_recv', 'anyarray_send'], align: 'd', pseudo: true },
  { oid: 2278, name: 'void', display: 'void', sqlType: undefined, len: 4, byval: true, category: 'P', array: 0, io: ['void_in', 'void_out', 'void_recv', 'void_send'], align: 'i', pseudo: true },
  { oid: 2279, name: 'trigger', display: 'trigger', sqlType: undefined, len: 4, byval: true, category: 'P', array: 0, io: ['trigger_in', 'trigger_out', '-', '-'], align: 'i', pseudo: true },
  { oid: 2283, name: 'anyelement', display: 'anyelement', sqlType: undefined, len: 4, byval: true, category: 'P', array: 0, io: ['anyelement_in', 'anyelement_out', '-', '-'], align: 'i', pseudo: true },
  { oid: 2950, name: 'uuid', display: 'uuid', sqlType: UUID, len: 16, byval: false, category: 'U', array: 2951, io: ['uuid_in', 'uuid_out', 'uuid_recv', 'uuid_send'], align: 'c', storage: 'p' },
  { oid: 3802, name: 'jsonb', display: 'jsonb', sqlType: JSON_TYPE, len: -1, byval: false, category: 'U', array: 3807, io: ['jsonb_in', 'jsonb_out', 'jsonb_recv', 'jsonb_send'], align: 'i' },
];

function baseInfo(s: BaseSpec): PgTypeInfo {
  const fixed = s.len > 0;
  return {
    oid: s.oid,
    name: s.name,
    display: s.display,
    sqlType: s.sqlType,
    len: s.len,
    byval: s.byval,
    typtype: s.pseudo ? 'p' : 'b',
    category: s.category,
    preferred: s.preferred ?? false,
    elem: s.elem ?? 0,
    array: s.array,
    input: s.io[0],
    output: s.io[1],
    receive: s.io[2],
    send: s.io[3],
    modin: s.mod?.[0] ?? '',
    modout: s.mod?.[1] ?? '',
    align: s.align,
    storage: s.storage ?? (fixed ? 'p' : 'x'),
    collation: s.collatable ? 100 : 0,
  };
}

function arrayInfo(s: BaseSpec): PgTypeInfo {
  return {
    oid: s.array,
    name: `_${s.name}`,
    display: `${s.display}[]`,
    sqlType: s.sqlType === undefined ? undefined : arrayOf(s.sqlType),
    len: -1,
    byval: false,
    typtype: 'b',
    category: 'A',
    preferred: false,
    elem: s.oid,
    array: 0,
    input: 'array_in',
    output: 'array_out',
    receive: 'array_recv',
    send: 'array_send',
    modin: s.mod?.[0] ?? '',
    modout: s.mod?.[1] ?? '',
    align: s.align === 'd' ? 'd' : 'i',
    storage: 'x',
    collation: s.collatable ? 100 : 0,
  };
}

/** Every pg_type row, ordered by oid. */
export const PG_TYPES: readonly PgTypeInfo[] = [
  ...SPECS.map(baseInfo),
  ...SPECS.filter((s) => s.array !== 0).map(arrayInfo),
].sort((a, b) => a.oid - b.oid);

const BY_OID: ReadonlyMap<number, PgTypeInfo> = new Map(PG_TYPES.map((t) => [t.oid, t]));

export function pgTypeByOid(oid: number): PgTypeInfo | undefined {
  return BY_OID.get(oid);
}

/** Names a type can be written as (SQL spellings and typnames), to its oid. */
const NAME_TO_OID: ReadonlyMap<string, number> = (() => {
  const m = new Map<string, number>();
  for (const t of PG_TYPES) {
    m.set(t.name, t.oid);
    m.set(t.display, t.oid);
  }
  const aliases: [string, number][] = [
    ['int', 23],
    ['integer', 23],
    ['int4', 23],
    ['smallint', 21],
    ['bigint', 20],
    ['boolean', 16],
    ['real', 700],
    ['float', 701],
    ['double precision', 701],
    ['double', 701],
    ['decimal', 1700],
    ['character varying', 1043],
    ['character', 1042],
    ['char', 1042],
    ['"char"', 18],
    ['string', 25],
    ['timestamp without time zone', 1114],
    ['timestamp with time zone', 1184],
    ['time without time zone', 1083],
    ['bytes', 17],
    ['"any"', 2276],
  ];
  for (const [name, oid] of aliases) m.set(name, oid);
  return m;
})();

/**
 * pg_type oid of a type name as a user or client writes it: `int4`, `integer`,
 * `pg_catalog.int4`, `character varying(20)`, `text[]`, `_int4`, `"char"`.
 * Case-insensitive except for quoted names.
 */
export function pgTypeOidByName(name: string): number | undefined {
  let s = name.trim();
  if (!s.startsWith('"')) s = s.toLowerCase();
  s = s.replace(/^(pg_catalog|"pg_catalog")\./, '');
  let arrayDepth = 0;
  while (s.endsWith('[]')) {
    s = s.slice(0, -2).trimEnd();
    arrayDepth++;
  }
  // Drop a type modifier, wherever SQL puts it: `varchar(20)`, `timestamp(3) with time zone`.
  s = s.replace(/\s*\([^)]*\)/g, '').replace(/\s+/g, ' ');
  if (s.startsWith('"') && s.endsWith('"') && s !== '"char"' && s !== '"any"') s = s.slice(1, -1);
  let oid = NAME_TO_OID.get(s);
  if (oid === undefined) return undefined;
  if (arrayDepth > 0) {
    const t = BY_OID.get(oid);
    if (t === undefined || t.array === 0) return undefined;
    oid = t.array;
  }
  return oid;
}

/**
 * The type as format_type(oid, typmod) prints it: `integer`,
 * `character varying(20)`, `numeric(10,2)`, `timestamp(3) without time zone`,
 * `text[]`. Undefined for an unknown oid.
 */
export function formatPgType(oid: number, typmod: number): string | undefined {
  const t = BY_OID.get(oid);
  if (t === undefined) return undefined;
  if (t.category === 'A' && t.elem !== 0 && t.name.startsWith('_')) {
    const inner = formatPgType(t.elem, typmod);
    return inner === undefined ? undefined : `${inner}[]`;
  }
  if (typmod < 0) return t.display;
  switch (oid) {
    case 1042:
      return `character(${typmod - 4})`;
    case 1043:
      return `character varying(${typmod - 4})`;
    case 1700: {
      const m = typmod - 4;
      return `numeric(${(m >> 16) & 0xffff},${m & 0xffff})`;
    }
    case 1083:
      return `time(${typmod}) without time zone`;
    case 1114:
      return `timestamp(${typmod}) without time zone`;
    case 1184:
      return `timestamp(${typmod}) with time zone`;
    default:
      return t.display;
  }
}

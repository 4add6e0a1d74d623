/**
 * The functions pg_proc lists: the type input/output/receive/send functions
 * pg_type refers to (so `typinput = 'array_in'::regproc` works), the typmod
 * functions, and a set of common SQL functions so regproc casts and psql's
 * \df have something to show.
 *
 * Contract: oids are Postgres' own where listed in KNOWN_OIDS; other names get
 * stable oids from a reserved range below FIRST_USER_OID, in the order of
 * this file. Every function lives in pg_catalog (namespace 11).
 */
import { PG_TYPES, pgTypeOidByName } from './type-table.ts';

export interface PgProcInfo {
  readonly oid: number;
  readonly name: string;
  /** prokind: 'f' function, 'a' aggregate, 'w' window. */
  readonly kind: 'f' | 'a' | 'w';
  readonly argTypes: readonly number[];
  readonly returnType: number;
  readonly returnsSet: boolean;
  readonly strict: boolean;
  /** provolatile: 'i' immutable, 's' stable, 'v' volatile. */
  readonly volatility: 'i' | 's' | 'v';
}

const KNOWN_OIDS: Readonly<Record<string, number>> = {
  boolin: 1242, boolout: 1243, boolrecv: 2436, boolsend: 2437,
  byteain: 1244, byteaout: 31, bytearecv: 2412, byteasend: 2413,
  charin: 1245, charout: 33, charrecv: 2434, charsend: 2435,
  namein: 34, nameout: 35, namerecv: 2422, namesend: 2423,
  int8in: 460, int8out: 461, int8recv: 2408, int8send: 2409,
  int2in: 38, int2out: 39, int2recv: 2404, int2send: 2405,
  int2vectorin: 40, int2vectorout: 41, int2vectorrecv: 2410, int2vectorsend: 2411,
  int4in: 42, int4out: 43, int4recv: 2406, int4send: 2407,
  regprocin: 44, regprocout: 45, regprocrecv: 2444, regprocsend: 2445,
  textin: 46, textout: 47, textrecv: 2414, textsend: 2415,
  xidin: 50, xidout: 51, xidrecv: 2440, xidsend: 2441,
  oidvectorin: 54, oidvectorout: 55, oidvectorrecv: 2420, oidvectorsend: 2421,
  oidin: 1798, oidout: 1799, oidrecv: 2418, oidsend: 2419,
  json_in: 321, json_out: 322, json_recv: 323, json_send: 324,
  pg_node_tree_in: 195, pg_node_tree_out: 196, pg_node_tree_recv: 197, pg_node_tree_send: 198,
  float4in: 200, float4out: 201, float4recv: 2424, float4send: 2425,
  float8in: 214, float8out: 215, float8recv: 2426, float8send: 2427,
  unknownin: 109, unknownout: 110, unknownrecv: 2416, unknownsend: 2417,
  aclitemin: 1031, aclitemout: 1032,
  bpcharin: 1044, bpcharout: 1045, bpcharrecv: 2430, bpcharsend: 2431,
  varcharin: 1046, varcharout: 1047, varcharrecv: 2432, varcharsend: 2433,
  date_in: 1084, date_out: 1085, date_recv: 2468, date_send: 2469,
  time_in: 1143, time_out: 1144, time_recv: 2470, time_send: 2471,
  timestamp_in: 1312, timestamp_out: 1313, timestamp_recv: 2474, timestamp_send: 2475,
  timestamptz_in: 1150, timestamptz_out: 1151, timestamptz_recv: 2476, timestamptz_send: 2477,
  interval_in: 1160, interval_out: 1161, interval_recv: 2478, interval_send: 2479,
  numeric_in: 1701, numeric_out: 1702, numeric_recv: 2460, numeric_send: 2461,
  regclassin: 2218, regclassout: 2219, regclassrecv: 2452, regclasssend: 2453,
  regtypein: 2220, regtypeout: 2221, regtyperecv: 2454, regtypesend: 2455,
  record_in: 2290, record_out: 2291, record_recv: 2402, record_send: 2403,
  cstring_in: 2292, cstring_out: 2293, cstring_recv: 2500, cstring_send: 2501,
  any_in: 2294, any_out: 2295,
  anyarray_in: 2296, anyarray_out: 2297, anyarray_recv: 2502, anyarray_send: 2503,
  void_in: 2298, void_out: 2299, void_recv: 3120, void_send: 3121,
  trigger_in: 2300, trigger_out: 2301,
  anyelement_in: 2312, anyelement_out: 2313,
  uuid_in: 2952, uuid_out: 2953, uuid_recv: 2961, uuid_send: 2962,
  jsonb_in: 3806, jsonb_out: 3805, jsonb_recv: 3804, jsonb_send: 3803,
  array_in: 750, array_out: 751, array_recv: 2400, array_send: 2401,
  bpchartypmodin: 2913, bpchartypmodout: 2914,
  varchartypmodin: 2915, varchartypmodout: 2916,
  numerictypmodin: 2917, numerictypmodout: 2918,
  timestamptypmodin: 2905, timestamptypmodout: 2906,
  timestamptztypmodin: 2907, timestamptztypmodout: 2908,
  timetypmodin: 2909, timetypmodout: 2910,
  intervaltypmodin: 2903, intervaltypmodout: 2904,
  version: 89, current_database: 861, current_schema: 1402, current_schemas: 1403,
  current_setting: 2077, format_type: 1081, pg_get_expr: 1716, pg_get_userbyid: 1642,
  pg_table_is_visible: 2079, pg_type_is_visible: 2080, pg_function_is_visible: 2081,
  pg_get_viewdef: 1641, pg_get_constraintdef: 1387, pg_get_indexdef: 1643,
  obj_description: 1215, col_description: 1216, pg_encoding_to_char: 1597,
  pg_backend_pid: 2026, now: 1299, generate_series: 1067, array_upper: 2092, array_lower: 2091,
  array_length: 2176, quote_ident: 1282, upper: 871, lower: 870, length: 1317, substr: 877,
  concat: 3058, coalesce: 0, count: 2803, sum: 2108, min: 2132, max: 2116, avg: 2101,
  row_number: 3100, rank: 3101, dense_rank: 3102, string_agg: 3538, array_agg: 2335,
  pg_get_keywords: 1686, array_subscript_handler: 6179, has_table_privilege: 1922, has_schema_privilege: 2268,
  pg_sleep: 2626, pg_sleep_for: 3935, pg_sleep_until: 3936,
};

const CSTRING = 2275;
const INTERNAL = 2281;
const BYTEA = 17;
const INT4 = 23;
const TEXT = 25;
const BOOL = 16;
const OID = 26;
const NAME = 19;
const CSTRING_ARRAY = 1263;
const ANY = 2276;
const ANYELEMENT = 2283;
const ANYARRAY = 2277;
const INT8 = 20;
const TIMESTAMPTZ = 1184;
const NUMERIC = 1700;
const FLOAT8 = 701;
const NAME_ARRAY = 1003;
const VOID = 2278;
const INTERVAL = 1186;

type Spec = Omit<PgProcInfo, 'oid'>;

function fn(name: string, argTypes: number[], returnType: number, extra: Partial<Spec> = {}): Spec {
  return { name, kind: 'f', argTypes, returnType, returnsSet: false, strict: true, volatility: 'i', ...extra };
}

function typeFunctions(): Spec[] {
  const out: Spec[] = [];
  const seen = new Set<string>();
  const add = (s: Spec) => {
    if (s.name === '' || s.name === '-' || seen.has(s.name)) return;
    seen.add(s.name);
    out.push(s);
  };
  for (const t of PG_TYPES) {
    const arrayIo = t.input === 'array_in';
    const self = arrayIo ? ANYARRAY : t.oid;
    add(fn(t.input, arrayIo ? [CSTRING, OID, INT4] : [CSTRING], self, { volatility: 's' }));
    add(fn(t.output, [self], CSTRING, { volatility: 's' }));
    add(fn(t.receive, arrayIo ? [INTERNAL, OID, INT4] : [INTERNAL], self, { volatility: 's' }));
    add(fn(t.send, [self], BYTEA, { volatility: 's' }));
    add(fn(t.modin, [CSTRING_ARRAY], INT4));
    add(fn(t.modout, [INT4], CSTRING));
  }
  return out;
}

const SQL_FUNCTIONS: readonly Spec[] = [
  fn('array_subscript_handler', [INTERNAL], INTERNAL),
  fn('version', [], TEXT, { volatility: 's' }),
  fn('current_database', [], NAME, { volatility: 's' }),
  fn('current_schema', [], NAME, { volatility: 's' }),
  fn('current_schemas', [BOOL], NAME_ARRAY, { volatility: 's' }),
  fn('current_setting', [TEXT], TEXT, { volatility: 's' }),
  fn('format_type', [OID, INT4], TEXT, { strict: false, volatility: 's' }),
  fn('pg_get_expr', [194, OID], TEXT, { volatility: 's' }),
  fn('pg_get_userbyid', [OID], NAME, { volatility: 's' }),
  fn('pg_table_is_visible', [OID], BOOL, { volatility: 's' }),
  fn('pg_type_is_visible', [OID], BOOL, { volatility: 's' }),
  fn('pg_function_is_visible', [OID], BOOL, { volatility: 's' }),
  fn('pg_get_viewdef', [OID], TEXT, { volatility: 's' }),
  fn('pg_get_constraintdef', [OID], TEXT, { volatility: 's' }),
  fn('pg_get_indexdef', [OID], TEXT, { volatility: 's' }),
  fn('obj_description', [OID, NAME], TEXT, { volatility: 's' }),
  fn('col_description', [OID, INT4], TEXT, { volatility: 's' }),
  fn('pg_encoding_to_char', [INT4], NAME, { volatility: 's' }),
  fn('pg_backend_pid', [], INT4, { volatility: 's' }),
  fn('now', [], TIMESTAMPTZ, { volatility: 's' }),
  fn('generate_series', [INT4, INT4], INT4, { returnsSet: true }),
  fn('array_upper', [ANYARRAY, INT4], INT4),
  fn('array_lower', [ANYARRAY, INT4], INT4),
  fn('array_length', [ANYARRAY, INT4], INT4),
  fn('quote_ident', [TEXT], TEXT),
  fn('upper', [TEXT], TEXT),
  fn('lower', [TEXT], TEXT),
  fn('length', [TEXT], INT4),
  fn('substr', [TEXT, INT4, INT4], TEXT),
  fn('concat', [ANY], TEXT, { strict: false, volatility: 's' }),
  fn('pg_get_keywords', [], 2249, { returnsSet: true, volatility: 's' }),
  fn('has_table_privilege', [TEXT, TEXT], BOOL, { volatility: 's' }),
  fn('has_schema_privilege', [TEXT, TEXT], BOOL, { volatility: 's' }),
  fn('count', [], INT8, { kind: 'a', strict: false }),
  fn('sum', [INT8], NUMERIC, { kind: 'a', strict: false }),
  fn('min', [ANYELEMENT], ANYELEMENT, { kind: 'a', strict: false }),
  fn('max', [ANYELEMENT], ANYELEMENT, { kind: 'a', strict: false }),
  fn('avg', [FLOAT8], FLOAT8, { kind: 'a', strict: false }),
  fn('string_agg', [TEXT, TEXT], TEXT, { kind: 'a', strict: false }),
  fn('array_agg', [ANYELEMENT], ANYARRAY, { kind: 'a', strict: false }),
  fn('row_number', [], INT8, { kind: 'w', strict: false }),
  fn('rank', [], INT8, { kind: 'w', strict: false }),
  fn('dense_rank', [], INT8, { kind: 'w', strict: false }),
  fn('pg_sleep', [FLOAT8], VOID, { volatility: 'v' }),
  fn('pg_sleep_for', [INTERVAL], VOID, { volatility: 'v' }),
  fn('pg_sleep_until', [TIMESTAMPTZ], VOID, { volatility: 'v' }),
];

/** First oid handed to functions Postgres' oid of which is not listed here. */
const FIRST_ASSIGNED_OID = 9000;

/** Every pg_proc row. */
export const PG_PROCS: readonly PgProcInfo[] = (() => {
  let next = FIRST_ASSIGNED_OID;
  return [...typeFunctions(), ...SQL_FUNCTIONS].map((s) => {
    const known = KNOWN_OIDS[s.name];
    return { oid: known !== undefined && known !== 0 ? known : next++, ...s };
  });
})();

const BY_OID: ReadonlyMap<number, PgProcInfo> = new Map(PG_PROCS.map((p) => [p.oid, p]));
const BY_NAME: ReadonlyMap<string, PgProcInfo> = new Map(PG_PROCS.map((p) => [p.name, p]));

export function pgProcByOid(oid: number): PgProcInfo | undefined {
  return BY_OID.get(oid);
}

/**
 * regproc / regprocedure input: `array_in`, `pg_catalog.array_in`, `"array_in"`, or a signature
 * `upper(text)` / `substr(text, int, int)` (what psql's \sf and \ef send) matched on argument types.
 */
export function pgProcOidByName(name: string): number | undefined {
  const sig = /^([^(]*)\((.*)\)$/s.exec(name.trim());
  if (sig !== null) return procOidBySignature(sig[1]!, sig[2]!);
  let s = name.trim().replace(/^(pg_catalog|"pg_catalog")\./, '');
  if (s.startsWith('"') && s.endsWith('"')) s = s.slice(1, -1);
  else s = s.toLowerCase();
  return BY_NAME.get(s)?.oid;
}

/** The regproc oid of a function name used in pg_type, or 0 for none ('-'). */
export function procOid(name: string): number {
  if (name === '' || name === '-') return 0;
  return BY_NAME.get(name)?.oid ?? 0;
}

function procOidBySignature(name: string, args: string): number | undefined {
  let s = name.trim().replace(/^(pg_catalog|"pg_catalog")\./, '');
  if (s.startsWith('"') && s.endsWith('"')) s = s.slice(1, -1);
  else s = s.toLowerCase();
  const types: number[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i <= args.length; i++) {
    const ch = args[i];
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if ((ch === ',' && depth === 0) || i === args.length) {
      const t = args.slice(start, i).trim();
      start = i + 1;
      if (t === '' && ch === undefined && types.length === 0) break;
      const oid = pgTypeOidByName(t);
      if (oid === undefined) return undefined;
      types.push(oid);
    }
  }
  return PG_PROCS.find((p) => p.name === s && p.argTypes.length === types.length && p.argTypes.every((t, i) => t === types[i]))?.oid;
}

/**
 * A seeded generator of SELECT statements over the tables of dataset.ts.
 *
 * Contract: `generateQueries(seed, count)` returns the same list for the same arguments. Each query
 * says whether its ORDER BY is a total order (`ordered`); otherwise rows compare as a multiset.
 * Expressions are typed, so every generated query is valid in both engines. Expressions that may
 * fail at run time (division by a column, overflow, casts that may not fit) appear only in query
 * shapes where both engines evaluate them on exactly the same rows (one table, no LIMIT, no join),
 * so an error in one engine must be an error with the same SQLSTATE in the other.
 *
 * Constructs whose answers differ by design (known-differences.ts) are generated in a form where
 * they agree: AVG only over DOUBLE PRECISION, no DECIMAL division, EXTRACT cast to an integer,
 * dates shifted by intervals as timestamps, POWER only with exponents whose result is exactly
 * rounded in both (0, 1, 2, -1, 0.5).
 */
import { COLUMNS, TABLES, type ColType } from './dataset.ts';
import { Rng } from './random.ts';

export interface GeneratedQuery {
  readonly sql: string;
  /** True when ORDER BY fixes the row order completely. */
  readonly ordered: boolean;
}

type T = 'int' | 'bigint' | 'double' | 'numeric' | 'text' | 'bool' | 'date' | 'timestamp';

interface ScopeCol {
  readonly ref: string;
  readonly type: T;
  /** Holds edge values (bigint/smallint extremes) that overflow under arithmetic. */
  readonly edgy: boolean;
}

interface Ctx {
  readonly rng: Rng;
  readonly scope: readonly ScopeCol[];
  /** Run-time errors allowed. */
  readonly risky: boolean;
}

function category(t: ColType): T {
  switch (t) {
    case 'int':
    case 'smallint':
      return 'int';
    case 'varchar':
    case 'text':
      return 'text';
    default:
      return t;
  }
}

function tableScope(alias: string): ScopeCol[] {
  return COLUMNS.map((c) => ({ ref: `${alias}.${c.name}`, type: category(c.type), edgy: c.type === 'smallint' || c.type === 'bigint' }));
}

const VALUE_TYPES: readonly T[] = ['int', 'bigint', 'double', 'numeric', 'text', 'bool', 'date', 'timestamp'];
const TEXT_LITERALS = ["'a'", "'abc'", "'Hello World'", "''", "' pad '", "'héllo'", "'b'", "'x_y'"];
const LIKE_PATTERNS = ["'a%'", "'%o%'", "'_b%'", "'%'", "'H%d'", "'%\\%'", "'x\\_y'", "'hé%'", "''", "'%c'"];
const TS_UNITS = ['year', 'quarter', 'month', 'week', 'day', 'hour', 'minute', 'second'];
const DATE_FIELDS = ['YEAR', 'MONTH', 'DAY', 'DOW', 'DOY', 'QUARTER'];
const EXTRACT_FIELDS = [...DATE_FIELDS, 'HOUR', 'MINUTE'];
const INTERVALS = ["INTERVAL '1' DAY", "INTERVAL '3' HOUR", "INTERVAL '90' MINUTE", "INTERVAL '2' MONTH", "INTERVAL '1' YEAR", "INTERVAL '45' SECOND", "INTERVAL '10' DAY"];

function column(ctx: Ctx, t: T): string | undefined {
  const cols = ctx.scope.filter((c) => c.type === t && (ctx.risky || !c.edgy));
  return cols.length === 0 ? undefined : ctx.rng.pick(cols).ref;
}

function literal(rng: Rng, t: T): string {
  switch (t) {
    case 'int':
      return String(rng.int(-5, 10));
    case 'bigint':
      return `CAST(${rng.int(-3, 100000)} AS BIGINT)`;
    case 'double':
      return `CAST(${rng.int(-20, 20) / 4} AS DOUBLE PRECISION)`;
    case 'numeric':
      return rng.pick(['1.50', '0.25', '-3.75', '100.00', '0.01', '7.00']);
    case 'text':
      return rng.pick(TEXT_LITERALS);
    case 'bool':
      return rng.pick(['TRUE', 'FALSE']);
    case 'date':
      return `DATE '${rng.pick(['2024-01-01', '2000-03-01', '2023-06-30'])}'`;
    case 'timestamp':
      return `TIMESTAMP '${rng.pick(['2024-01-01 00:00:00', '2024-02-29 12:30:00.5', '1999-12-31 23:59:59'])}'`;
  }
}

/**
 * A column of type `t` (a literal only when there is none), for operands that may fail: PostgreSQL
 * folds constant expressions while planning and so raises their errors even in CASE branches that
 * never run, which millrace (evaluating only what runs) does not.
 */
function varying(ctx: Ctx, t: T): string {
  return column(ctx, t) ?? literal(ctx.rng, t);
}

/** An expression of type `t`; depth bounds nesting. */
export function expr(ctx: Ctx, t: T, depth: number): string {
  const { rng } = ctx;
  if (depth <= 0 || rng.chance(0.3)) {
    const c = rng.chance(0.8) ? column(ctx, t) : undefined;
    return c ?? literal(rng, t);
  }
  const d = depth - 1;
  const gens = GENERATORS[t];
  for (let attempt = 0; attempt < 5; attempt++) {
    const out = rng.pick(gens)(ctx, d);
    if (out !== undefined) return out;
  }
  return column(ctx, t) ?? literal(rng, t);
}

type Gen = (ctx: Ctx, d: number) => string | undefined;

const common = (t: T): Gen[] => [
  (c, d) => `CASE WHEN ${expr(c, 'bool', d)} THEN ${expr(c, t, d)} ELSE ${expr(c, t, d)} END`,
  (c, d) => `CASE WHEN ${expr(c, 'bool', d)} THEN ${expr(c, t, d)} WHEN ${expr(c, 'bool', d)} THEN ${expr(c, t, d)} END`,
  (c, d) => `COALESCE(${expr(c, t, d)}, ${expr(c, t, d)})`,
  (c, d) => `NULLIF(${expr(c, t, d)}, ${expr(c, t, d)})`,
];

/**
 * DECIMAL expressions keep scale 2 (the scale of column n): PostgreSQL gives each numeric value its
 * own scale, millrace the scale of the type (known-differences.ts, decimal-scale-by-type), and the
 * two agree when every branch of a CASE/COALESCE/UNION has the same scale. Scale-changing forms are
 * cast back; `topLevel` adds them unwrapped where no other branch meets them.
 */
function scale2(e: string): string {
  return `CAST(${e} AS NUMERIC(14,2))`;
}

/** DOUBLE expressions whose sums are exact in any order (multiples of 1/4), for SUM and AVG. */
function exactDouble(c: Ctx): string {
  const d = column(c, 'double') ?? literal(c.rng, 'double');
  switch (c.rng.int(0, 3)) {
    case 0:
      return d;
    case 1:
      return `CAST(${expr(c, 'int', 1)} AS DOUBLE PRECISION)`;
    case 2:
      return `(${d} * ${c.rng.pick(['2', '-1', '0.5'])})`;
    default:
      return `(${d} + CAST(${column(c, 'int') ?? '1'} AS DOUBLE PRECISION))`;
  }
}

/** An expression for a select list item: numeric ones may change scale here. */
function topLevel(ctx: Ctx, t: T, depth: number): string {
  const e = expr(ctx, t, depth);
  if (t !== 'numeric' || !ctx.rng.chance(0.3)) return e;
  return ctx.rng.pick([`ROUND(${e}, ${ctx.rng.int(0, 2)})`, `FLOOR(${e})`, `CEIL(${e})`, `ROUND(${e})`, `(${e} * 0.5)`]);
}

const GENERATORS: Record<T, Gen[]> = {
  int: [
    ...common('int'),
    (c, d) => `(${expr(c, 'int', d)} ${c.rng.pick(['+', '-', '*'])} ${expr(c, 'int', d)})`,
    (c, d) => `(${expr(c, 'int', d)} / ${c.risky ? varying(c, 'int') : c.rng.pick(['2', '3', '-4'])})`,
    (c, d) => `(${expr(c, 'int', d)} % ${c.risky ? varying(c, 'int') : c.rng.pick(['2', '3', '-4'])})`,
    (c, d) => `MOD(${expr(c, 'int', d)}, ${c.risky ? varying(c, 'int') : c.rng.pick(['2', '5'])})`,
    (c, d) => `ABS(${expr(c, 'int', d)})`,
    (c, d) => `(- ${expr(c, 'int', d)})`,
    (c, d) => `LENGTH(${expr(c, 'text', d)})`,
    (c, d) => `CHAR_LENGTH(${expr(c, 'text', d)})`,
    (c, d) => `CAST(EXTRACT(${c.rng.pick(EXTRACT_FIELDS)} FROM ${expr(c, 'timestamp', d)}) AS INT)`,
    // Time fields of a DATE fail; PostgreSQL folds constants at plan time, so keep DATE to date fields.
    (c, d) => `CAST(EXTRACT(${c.rng.pick(DATE_FIELDS)} FROM ${expr(c, 'date', d)}) AS INT)`,
    (c) => (c.risky ? `CAST(${varying(c, c.rng.pick(['double', 'numeric', 'bigint'] as const))} AS INT)` : undefined),
    (c, d) => `CAST(${c.rng.pick(['ROUND', 'FLOOR', 'CEIL'])}(${expr(c, 'numeric', d)}) AS INT)`,
    (c, d) => `CAST(CAST(${expr(c, 'int', d)} AS TEXT) AS ${c.rng.pick(['INT', 'SMALLINT', 'BIGINT'])})`,
    (c) => (c.risky ? `CAST(${varying(c, 'text')} AS INT)` : undefined),
    (c, d) => (c.risky ? `CAST((${varying(c, 'int')} * ${expr(c, 'int', d)} * 1000) AS SMALLINT)` : undefined),
  ],
  bigint: [
    ...common('bigint'),
    (c, d) => `CAST(${expr(c, 'int', d)} AS BIGINT)`,
    (c, d) => `(${expr(c, 'bigint', d)} ${c.rng.pick(['+', '-'])} ${expr(c, c.rng.pick(['int', 'bigint'] as const), d)})`,
    (c, d) => (c.risky ? `(${varying(c, 'bigint')} * ${expr(c, 'bigint', d)})` : undefined),
    (c, d) => `(${expr(c, 'bigint', d)} / ${c.risky ? varying(c, 'bigint') : '7'})`,
    (c, d) => `ABS(${expr(c, 'bigint', d)})`,
  ],
  double: [
    ...common('double'),
    (c, d) => `(${expr(c, 'double', d)} ${c.rng.pick(['+', '-', '*'])} ${expr(c, c.rng.pick(['double', 'int'] as const), d)})`,
    (c, d) => `(${expr(c, 'double', d)} / ${c.risky ? varying(c, 'double') : c.rng.pick(['CAST(4 AS DOUBLE PRECISION)', 'CAST(-0.5 AS DOUBLE PRECISION)'])})`,
    (c, d) => `CAST(${expr(c, c.rng.pick(['int', 'numeric', 'bigint'] as const), d)} AS DOUBLE PRECISION)`,
    (c, d) => `${c.rng.pick(['ABS', 'FLOOR', 'CEIL', 'ROUND'])}(${expr(c, 'double', d)})`,
    (c, d) => `SQRT(ABS(${expr(c, 'double', d)}))`,
    (c) => (c.risky ? `SQRT(${varying(c, 'double')})` : undefined),
    (c, d) => `POWER(${expr(c, 'double', d)}, ${c.rng.pick(['2', '1', '0'])})`,
    (c) => (c.risky ? `POWER(${varying(c, 'double')}, ${c.rng.pick(['-1', '0.5'])})` : undefined),
  ],
  numeric: [
    ...common('numeric'),
    (c, d) => `(${expr(c, 'numeric', d)} ${c.rng.pick(['+', '-'])} ${expr(c, c.rng.pick(['numeric', 'int'] as const), d)})`,
    (c) => `(${expr(c, 'numeric', 0)} * ${c.rng.pick(['2', '-1', '0'])})`,
    (c) => scale2(`(${expr(c, 'numeric', 0)} * ${c.rng.pick(['-0.5', '1.25', '0.333'])})`),
    (c, d) => scale2(`ROUND(${expr(c, 'numeric', d)}, ${c.rng.pick(['0', '1', '2'])})`),
    (c, d) => `ABS(${expr(c, 'numeric', d)})`,
    (c, d) => scale2(`${c.rng.pick(['FLOOR', 'CEIL', 'ROUND'])}(${expr(c, 'numeric', d)})`),
    (c, d) => `MOD(${expr(c, 'numeric', d)}, ${c.risky ? varying(c, 'numeric') : c.rng.pick(['3', '0.7'])})`,
    (c, d) => `CAST(${expr(c, 'int', d)} AS NUMERIC(10,2))`,
    (c, d) => `CAST(CAST(${expr(c, 'numeric', d)} AS TEXT) AS NUMERIC(14,2))`,
    (c) => (c.risky ? scale2(`CAST(${varying(c, c.rng.pick(['double', 'numeric'] as const))} AS NUMERIC(6,1))`) : undefined),
  ],
  text: [
    ...common('text'),
    (c, d) => `${c.rng.pick(['UPPER', 'LOWER', 'TRIM'])}(${expr(c, 'text', d)})`,
    (c, d) => `(${expr(c, 'text', d)} || ${expr(c, 'text', d)})`,
    (c, d) => `SUBSTR(${expr(c, 'text', d)}, ${c.rng.pick(['1', '2', '0', '-1', '4'])})`,
    (c, d) => `SUBSTR(${expr(c, 'text', d)}, ${c.rng.pick(['1', '2', '0', '3'])}, ${c.rng.pick(['0', '1', '2', '5'])})`,
    (c, d) => `REPLACE(${expr(c, 'text', d)}, ${c.rng.pick(["'a'", "'l'", "' '", "'é'"])}, ${c.rng.pick(["''", "'XY'", "'-'"])})`,
    (c, d) => `CAST(${expr(c, c.rng.pick(['int', 'bigint', 'numeric', 'double', 'bool', 'date', 'timestamp'] as const), d)} AS ${c.rng.pick(['TEXT', 'VARCHAR(40)'])})`,
    (c, d) => `CAST(${expr(c, 'text', d)} AS VARCHAR(3))`,
  ],
  bool: [
    ...common('bool'),
    (c, d) => {
      const t = c.rng.pick(VALUE_TYPES.filter((x) => x !== 'bool'));
      return `(${expr(c, t, d)} ${c.rng.pick(['=', '<>', '<', '<=', '>', '>='])} ${expr(c, t, d)})`;
    },
    (c, d) => `(${expr(c, 'bool', d)} ${c.rng.pick(['AND', 'OR'])} ${expr(c, 'bool', d)})`,
    (c, d) => `(NOT ${expr(c, 'bool', d)})`,
    (c, d) => `CAST(CAST(${expr(c, 'bool', d)} AS TEXT) AS BOOLEAN)`,
    (c, d) => `(${expr(c, c.rng.pick(VALUE_TYPES), d)} IS ${c.rng.pick(['', 'NOT '])}NULL)`,
    (c, d) => {
      const t = c.rng.pick(VALUE_TYPES);
      return `(${expr(c, t, d)} IS ${c.rng.pick(['', 'NOT '])}DISTINCT FROM ${expr(c, t, d)})`;
    },
    (c, d) => {
      const t = c.rng.pick(['int', 'numeric', 'double', 'text', 'date'] as const);
      return `(${expr(c, t, d)} ${c.rng.pick(['', 'NOT '])}BETWEEN ${literal(c.rng, t)} AND ${literal(c.rng, t)})`;
    },
    (c, d) => {
      const t = c.rng.pick(['int', 'text', 'numeric', 'bigint'] as const);
      const items = Array.from({ length: c.rng.int(1, 4) }, () => (c.rng.chance(0.15) ? 'NULL' : literal(c.rng, t)));
      return `(${expr(c, t, d)} ${c.rng.pick(['', 'NOT '])}IN (${items.join(', ')}))`;
    },
    (c, d) => `(${expr(c, 'text', d)} ${c.rng.pick(['', 'NOT '])}LIKE ${c.rng.pick(LIKE_PATTERNS)})`,
  ],
  date: [
    ...common('date'),
    (c, d) => `CAST(${expr(c, 'timestamp', d)} AS DATE)`,
    (c, d) => `CAST(CAST(${expr(c, 'date', d)} AS TEXT) AS DATE)`,
    (c, d) => `CAST(CAST(${expr(c, 'date', d)} AS TIMESTAMP) ${c.rng.pick(['+', '-'])} ${c.rng.pick(INTERVALS)} AS DATE)`,
  ],
  timestamp: [
    ...common('timestamp'),
    (c, d) => `(${expr(c, 'timestamp', d)} ${c.rng.pick(['+', '-'])} ${c.rng.pick(INTERVALS)})`,
    (c, d) => `CAST(${expr(c, 'date', d)} AS TIMESTAMP)`,
    (c, d) => `CAST(CAST(${expr(c, 'timestamp', d)} AS VARCHAR(40)) AS TIMESTAMP(3))`,
    (c, d) => `DATE_TRUNC('${c.rng.pick(TS_UNITS)}', ${expr(c, 'timestamp', d)})`,
  ],
};

function selectList(ctx: Ctx, n: number, depth: number): string[] {
  return Array.from({ length: n }, (_, k) => `${topLevel(ctx, ctx.rng.pick(VALUE_TYPES), depth)} AS e${k}`);
}

function where(ctx: Ctx, depth: number): string {
  return ctx.rng.chance(0.6) ? ` WHERE ${expr(ctx, 'bool', depth)}` : '';
}

type Shape = (rng: Rng) => GeneratedQuery;

const projection: Shape = (rng) => {
  const t = rng.pick(TABLES);
  const risky = rng.chance(0.3);
  const ctx: Ctx = { rng, scope: tableScope(t), risky };
  const items = selectList(ctx, rng.int(1, 4), 3);
  if (!risky && rng.chance(0.5)) {
    const dir = rng.pick(['', ' DESC']);
    // Sorting by a computed item first (NULL placement, text order), the unique id breaks ties.
    const first = rng.chance(0.5) ? `e0${rng.pick(['', ' DESC', ' NULLS FIRST', ' DESC NULLS LAST'])}, ` : '';
    return { sql: `SELECT ${t}.id, ${items.join(', ')} FROM ${t}${where(ctx, 3)} ORDER BY ${first}${t}.id${dir} LIMIT ${rng.int(0, 12)}`, ordered: true };
  }
  return { sql: `SELECT ${t}.id, ${items.join(', ')} FROM ${t}${where(ctx, 3)}`, ordered: false };
};

const distinct: Shape = (rng) => {
  const t = rng.pick(TABLES);
  const ctx: Ctx = { rng, scope: tableScope(t), risky: false };
  return { sql: `SELECT DISTINCT ${selectList(ctx, rng.int(1, 2), 2).join(', ')} FROM ${t}${where(ctx, 2)}`, ordered: false };
};

const AGGS = (ctx: Ctx): string => {
  const { rng } = ctx;
  switch (rng.int(0, 6)) {
    case 0:
      return 'COUNT(*)';
    case 1:
      return `COUNT(${expr(ctx, rng.pick(VALUE_TYPES), 1)})`;
    case 2:
      return rng.chance(0.4) ? `SUM(${exactDouble(ctx)})` : `SUM(${expr(ctx, rng.pick(['int', 'numeric'] as const), 1)})`;
    case 3:
      return `${rng.pick(['MIN', 'MAX'])}(${expr(ctx, rng.pick(VALUE_TYPES.filter((x) => x !== 'bool')), 1)})`;
    case 4:
    case 5:
      return `AVG(${exactDouble(ctx)})`;
    default:
      return `COUNT(DISTINCT ${expr(ctx, rng.pick(['int', 'text', 'date'] as const), 1)})`;
  }
};

const grouped: Shape = (rng) => {
  const t = rng.pick(TABLES);
  const ctx: Ctx = { rng, scope: tableScope(t), risky: false };
  const keyCols = ['i', 'f', 'dt', 'v', 'j'];
  const keys = rng.chance(0.2) ? [] : [...new Set(Array.from({ length: rng.int(1, 2) }, () => `${t}.${rng.pick(keyCols)}`))];
  const aggs = Array.from({ length: rng.int(1, 4) }, (_, k) => `${AGGS(ctx)} AS a${k}`);
  const having = keys.length > 0 && rng.chance(0.3) ? ` HAVING COUNT(*) ${rng.pick(['>', '>=', '<'])} ${rng.int(1, 3)}` : '';
  const groupBy = keys.length > 0 ? ` GROUP BY ${keys.join(', ')}` : '';
  const select = [...keys, ...aggs].join(', ');
  if (keys.length > 0 && rng.chance(0.4)) {
    return { sql: `SELECT ${select} FROM ${t}${where(ctx, 2)}${groupBy}${having} ORDER BY ${keys.join(', ')} LIMIT ${rng.int(1, 6)}`, ordered: true };
  }
  return { sql: `SELECT ${select} FROM ${t}${where(ctx, 2)}${groupBy}${having}`, ordered: false };
};

const join: Shape = (rng) => {
  const kind = rng.pick(['JOIN', 'INNER JOIN', 'LEFT JOIN', 'RIGHT JOIN', 'FULL JOIN']);
  const key = rng.pick(['i', 'j', 's', 'dt', 'f', 'n']);
  const scope = [...tableScope('t1'), ...tableScope('t2')];
  const ctx: Ctx = { rng, scope, risky: false };
  const items = selectList(ctx, rng.int(1, 3), 2);
  const extra = rng.chance(0.2) ? ` AND t1.${key === 'i' ? 'j' : 'i'} = t2.${key === 'i' ? 'j' : 'i'}` : '';
  const from = `t1 ${kind} t2 ON t1.${key} = t2.${key}${extra}`;
  const filter = kind.startsWith('FULL') ? '' : where(ctx, 2);
  if (rng.chance(0.4)) {
    return { sql: `SELECT t1.id, t2.id, ${items.join(', ')} FROM ${from}${filter} ORDER BY t1.id, t2.id LIMIT ${rng.int(1, 15)}`, ordered: true };
  }
  return { sql: `SELECT t1.id, t2.id, ${items.join(', ')} FROM ${from}${filter}`, ordered: false };
};

const unionAll: Shape = (rng) => {
  const types = Array.from({ length: rng.int(1, 3) }, () => rng.pick(VALUE_TYPES));
  const part = (t: string): string => {
    const ctx: Ctx = { rng, scope: tableScope(t), risky: false };
    return `SELECT ${types.map((ty, k) => `${expr(ctx, ty, 2)} AS u${k}`).join(', ')} FROM ${t}${where(ctx, 2)}`;
  };
  return { sql: `${part('t1')} UNION ALL ${part('t2')}`, ordered: false };
};

const fromSubquery: Shape = (rng) => {
  const inner: Ctx = { rng, scope: tableScope('t1'), risky: false };
  const types = Array.from({ length: rng.int(1, 3) }, () => rng.pick(VALUE_TYPES));
  const innerSql = `SELECT t1.id AS id, ${types.map((t, k) => `${expr(inner, t, 2)} AS c${k}`).join(', ')} FROM t1${where(inner, 2)}`;
  const outer: Ctx = { rng, scope: [{ ref: 'x.id', type: 'int', edgy: false }, ...types.map((t, k) => ({ ref: `x.c${k}`, type: t, edgy: false }))], risky: false };
  return { sql: `SELECT x.id, ${selectList(outer, rng.int(1, 2), 2).join(', ')} FROM (${innerSql}) AS x${where(outer, 2)}`, ordered: false };
};

const inSubquery: Shape = (rng) => {
  const key = rng.pick(['i', 'j', 's', 'dt', 'n']);
  const outer: Ctx = { rng, scope: tableScope('t1'), risky: false };
  const inner: Ctx = { rng, scope: tableScope('t2'), risky: false };
  const not = rng.pick(['', 'NOT ']);
  const sql = `SELECT t1.id, ${selectList(outer, rng.int(1, 2), 1).join(', ')} FROM t1 WHERE t1.${key} ${not}IN (SELECT t2.${key} FROM t2${where(inner, 2)})`;
  return { sql, ordered: false };
};

const SHAPES: readonly [Shape, number][] = [
  [projection, 30],
  [distinct, 8],
  [grouped, 20],
  [join, 15],
  [unionAll, 8],
  [fromSubquery, 8],
  [inSubquery, 8],
];

export function generateQueries(seed: number, count: number): GeneratedQuery[] {
  const rng = new Rng(seed);
  const total = SHAPES.reduce((s, [, w]) => s + w, 0);
  const out: GeneratedQuery[] = [];
  for (let k = 0; k < count; k++) {
    let r = rng.next() * total;
    let shape = SHAPES[0]![0];
    for (const [s, w] of SHAPES) {
      if ((r -= w) < 0) {
        shape = s;
        break;
      }
    }
    out.push(shape(rng));
  }
  return out;
}

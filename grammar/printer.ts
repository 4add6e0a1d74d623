/**
 * AST -> SQL text in Flink style (DESCRIBE shows computed columns and
 * watermarks this way): identifiers in backquotes, keywords and function names
 * upper case, e.g. "`ts` - INTERVAL '5' SECOND", "CAST(`x` AS BIGINT)".
 *
 * Contract: parseExpression(printExpr(e)) equals `e` except for `pos` fields
 * and `Ident.quoted` (printed identifiers always come back quoted).
 * Parentheses are added only where precedence requires them.
 */
import type * as A from './ast.ts';

// Precedence levels, loosest first (mirrors parser.ts).
const P_OR = 1;
const P_AND = 2;
const P_NOT = 3;
const P_IS = 4;
const P_CMP = 5;
const P_LIKE = 6;
const P_OTHER = 7;
const P_ADD = 8;
const P_MUL = 9;
const P_POW = 10;
const P_UNARY = 11;
const P_POSTFIX = 12;
const P_PRIMARY = 13;

function binaryPrec(e: A.BinaryExpr): number {
  if (e.schema !== undefined) return P_OTHER;
  switch (e.op) {
    case 'OR': return P_OR;
    case 'AND': return P_AND;
    case '=': case '<>': case '<': case '<=': case '>': case '>=': return P_CMP;
    case '+': case '-': return P_ADD;
    case '*': case '/': case '%': return P_MUL;
    case '^': return P_POW;
    default: return P_OTHER;
  }
}

function prec(e: A.Expr): number {
  switch (e.kind) {
    case 'binary': return binaryPrec(e);
    case 'unary': return e.op === 'NOT' ? P_NOT : P_UNARY;
    case 'is-null': case 'is-bool': case 'is-distinct': return P_IS;
    case 'quantified': return P_CMP;
    case 'between': case 'in-list': case 'in-subquery': case 'like': return P_LIKE;
    case 'cast': return e.syntax === '::' ? P_POSTFIX : P_PRIMARY;
    case 'subscript': case 'field': case 'collate': return P_POSTFIX;
    default: return P_PRIMARY;
  }
}

/** Backquoted identifier. */
export function printIdent(i: A.Ident | string): string {
  const v = typeof i === 'string' ? i : i.value;
  return '`' + v.replace(/`/g, '``') + '`';
}

function printQName(q: A.QualifiedName): string {
  return q.parts.map(printIdent).join('.');
}

function quote(s: string): string {
  return "'" + s.replace(/'/g, "''") + "'";
}

/** Prints `e` so that it re-parses to the same tree at binding level `min`. */
function sub(e: A.Expr, min: number): string {
  const s = printExpr(e);
  return prec(e) < min ? `(${s})` : s;
}

function list(es: readonly A.Expr[]): string {
  return es.map((e) => printExpr(e)).join(', ');
}

function printQualifier(q: A.IntervalQualifier): string {
  const p = q.precision !== undefined ? `(${q.precision})` : '';
  return q.to !== undefined ? `${q.from} TO ${q.to}${p}` : `${q.from}${p}`;
}

const CANONICAL_TYPES = new Set([
  'INT', 'BIGINT', 'SMALLINT', 'TINYINT', 'DOUBLE', 'FLOAT', 'DECIMAL', 'BOOLEAN', 'CHAR', 'VARCHAR', 'STRING', 'TEXT',
  'BYTES', 'BINARY', 'VARBINARY', 'DATE', 'TIME', 'TIMESTAMP', 'TIMESTAMP_LTZ', 'TIMESTAMPTZ', 'TIMETZ', 'INTERVAL',
]);
const ALIAS_WORDS = new Set([
  'int', 'integer', 'int4', 'bigint', 'int8', 'smallint', 'int2', 'tinyint', 'double', 'float8', 'float', 'float4', 'real',
  'decimal', 'numeric', 'dec', 'boolean', 'bool', 'char', 'character', 'varchar', 'string', 'text', 'bytes', 'bytea',
  'binary', 'varbinary', 'date', 'time', 'timestamp', 'timestamp_ltz', 'timestamptz', 'interval', 'array', 'map', 'row',
]);

/** Flink-style type text: `DECIMAL(10, 2)`, `ARRAY<INT>`, `ROW<`a` INT>`, `INT ARRAY`. */
export function printType(t: A.TypeName): string {
  let s: string;
  if (t.arrayDims > 0) {
    const el = t.elementTypes[0];
    s = (el !== undefined ? printType(el) : t.name) + ' ARRAY'.repeat(t.arrayDims);
  } else if (t.name === 'ARRAY' && t.schema === undefined) {
    s = `ARRAY<${t.elementTypes.map(printType).join(', ')}>`;
  } else if (t.name === 'MAP' && t.schema === undefined) {
    s = `MAP<${t.elementTypes.map(printType).join(', ')}>`;
  } else if (t.name === 'ROW' && t.schema === undefined) {
    s = `ROW<${t.fields.map((f) => `${printIdent(f.name)} ${printType(f.type)}`).join(', ')}>`;
  } else if (t.name === 'INTERVAL' && t.schema === undefined) {
    s = t.interval !== undefined ? `INTERVAL ${printQualifier(t.interval)}` : 'INTERVAL';
  } else {
    const known = CANONICAL_TYPES.has(t.name);
    const name = known || (/^[a-z_][a-z0-9_]*$/.test(t.name) && !ALIAS_WORDS.has(t.name)) ? t.name : printIdent(t.name);
    s = (t.schema !== undefined ? t.schema.split('.').map((p) => (/^[a-z_][a-z0-9_]*$/.test(p) ? p : printIdent(p))).join('.') + '.' : '') + name;
    if (t.params.length > 0) s += `(${t.params.join(', ')})`;
  }
  return t.notNull ? `${s} NOT NULL` : s;
}

function printFrameBound(b: A.FrameBound): string {
  switch (b.kind) {
    case 'unbounded-preceding': return 'UNBOUNDED PRECEDING';
    case 'unbounded-following': return 'UNBOUNDED FOLLOWING';
    case 'current-row': return 'CURRENT ROW';
    case 'preceding': return `${sub(b.offset, P_OTHER)} PRECEDING`;
    case 'following': return `${sub(b.offset, P_OTHER)} FOLLOWING`;
  }
}

function printOrder(items: readonly A.OrderItem[]): string {
  return items
    .map((o) => printExpr(o.expr) + (o.desc ? ' DESC' : '') + (o.nullsFirst === undefined ? '' : o.nullsFirst ? ' NULLS FIRST' : ' NULLS LAST'))
    .join(', ');
}

function printWindow(w: A.WindowSpec): string {
  const parts: string[] = [];
  if (w.name !== undefined) parts.push(printIdent(w.name));
  if (w.partitionBy.length > 0) parts.push(`PARTITION BY ${list(w.partitionBy)}`);
  if (w.orderBy.length > 0) parts.push(`ORDER BY ${printOrder(w.orderBy)}`);
  if (w.frame !== undefined) {
    const f = w.frame;
    parts.push(f.end !== undefined ? `${f.units} BETWEEN ${printFrameBound(f.start)} AND ${printFrameBound(f.end)}` : `${f.units} ${printFrameBound(f.start)}`);
  }
  return `(${parts.join(' ')})`;
}

const TRIM_SIDES = new Set(['BOTH', 'LEADING', 'TRAILING']);

function printCall(e: A.FunctionCall): string {
  const nameParts = e.name.parts.map((p) => (p.quoted ? printIdent(p) : p.value.toUpperCase()));
  const name = nameParts.join('.');
  if (e.noParens) return name;
  let args: string;
  const a0 = e.args[0];
  const json = e.name.parts.length === 1 && !e.name.parts[0]!.quoted ? printJsonArgs(name, e.args) : undefined;
  if (json !== undefined) {
    args = json;
  } else if (e.name.parts.length === 1 && name === 'TRIM' && e.args.length === 3 && a0?.kind === 'string' && TRIM_SIDES.has(a0.value)) {
    args = `${a0.value} ${printExpr(e.args[1]!)} FROM ${printExpr(e.args[2]!)}`;
  } else {
    args = e.args.map((a) => printExpr(a)).join(', ');
  }
  let s = `${name}(${e.distinct ? 'DISTINCT ' : ''}${args}${e.orderBy.length > 0 ? ` ORDER BY ${printOrder(e.orderBy)}` : ''})`;
  if (e.filter !== undefined) s += ` FILTER (WHERE ${printExpr(e.filter)})`;
  if (e.over !== undefined) {
    const o = e.over;
    s += o.name !== undefined && o.partitionBy.length === 0 && o.orderBy.length === 0 && o.frame === undefined ? ` OVER ${printIdent(o.name)}` : ` OVER ${printWindow(o)}`;
  }
  return s;
}

/**
 * The arguments of a SQL/JSON function as written, with their clauses, from
 * the plain arguments the AST builder made of them (ast-builder.ts
 * `jsonCall`); undefined when `name` is not one of them.
 */
function printJsonArgs(name: string, args: readonly A.Expr[]): string | undefined {
  const word = (e: A.Expr | undefined): string => (e?.kind === 'string' ? e.value : '');
  const behaviour = (mode: A.Expr | undefined, value: A.Expr | undefined, target: string, dflt: string): string => {
    const m = word(mode);
    if (m === dflt) return '';
    return ` ${m === 'DEFAULT' ? `DEFAULT ${printExpr(value!)}` : m} ON ${target}`;
  };
  switch (name) {
    case 'JSON_VALUE': {
      if (args.length !== 7) return undefined;
      const t = args[2]!;
      const returning = t.kind === 'cast' ? ` RETURNING ${printType(t.type)}` : '';
      return `${printExpr(args[0]!)}, ${printExpr(args[1]!)}${returning}${behaviour(args[3], args[4], 'EMPTY', 'NULL')}${behaviour(args[5], args[6], 'ERROR', 'NULL')}`;
    }
    case 'JSON_QUERY': {
      if (args.length !== 5) return undefined;
      const w = word(args[2]);
      const wrapper = w === 'WITHOUT' ? '' : ` WITH ${w} ARRAY WRAPPER`;
      return `${printExpr(args[0]!)}, ${printExpr(args[1]!)}${wrapper}${behaviour(args[3], undefined, 'EMPTY', 'NULL')}${behaviour(args[4], undefined, 'ERROR', 'NULL')}`;
    }
    case 'JSON_EXISTS':
      if (args.length !== 3) return undefined;
      return `${printExpr(args[0]!)}, ${printExpr(args[1]!)}${behaviour(args[2], undefined, 'ERROR', 'FALSE')}`;
    case 'JSON_OBJECT': {
      if (args.length % 2 !== 1) return undefined;
      const pairs: string[] = [];
      for (let i = 1; i < args.length; i += 2) pairs.push(`KEY ${printExpr(args[i]!)} VALUE ${printExpr(args[i + 1]!)}`);
      return `${pairs.join(', ')}${behaviour(args[0], undefined, 'NULL', 'NULL')}`.trimStart();
    }
    case 'JSON_ARRAY':
      if (args.length < 1) return undefined;
      return `${args.slice(1).map((a) => printExpr(a)).join(', ')}${behaviour(args[0], undefined, 'NULL', 'ABSENT')}`.trimStart();
    default:
      return undefined;
  }
}

/** Flink-style text of an expression. */
export function printExpr(e: A.Expr): string {
  switch (e.kind) {
    case 'number': return e.text;
    case 'string': return quote(e.value);
    case 'boolean': return e.value ? 'TRUE' : 'FALSE';
    case 'null': return 'NULL';
    case 'typed-literal': return `${printType(e.type)} ${quote(e.value)}`;
    case 'interval': return `INTERVAL ${quote(e.value)}${e.qualifier !== undefined ? ` ${printQualifier(e.qualifier)}` : ''}`;
    case 'column': return printQName(e.name);
    case 'param': return `$${e.index}`;
    case 'unary': {
      if (e.op === 'NOT') return `NOT ${sub(e.operand, P_NOT)}`;
      const inner = sub(e.operand, P_UNARY);
      return /^[-+]/.test(inner) ? `${e.op}(${inner})` : `${e.op}${inner}`;
    }
    case 'binary': {
      const p = binaryPrec(e);
      const op = e.schema !== undefined ? `OPERATOR(${e.schema}.${e.op})` : e.op;
      return `${sub(e.left, p)} ${op} ${sub(e.right, p + 1)}`;
    }
    case 'is-null': return `${sub(e.operand, P_IS)} IS ${e.not ? 'NOT ' : ''}NULL`;
    case 'is-bool': return `${sub(e.operand, P_IS)} IS ${e.not ? 'NOT ' : ''}${e.value === null ? 'UNKNOWN' : e.value ? 'TRUE' : 'FALSE'}`;
    case 'is-distinct': return `${sub(e.left, P_IS)} IS ${e.not ? 'NOT ' : ''}DISTINCT FROM ${sub(e.right, P_CMP)}`;
    case 'between':
      return `${sub(e.operand, P_LIKE)} ${e.not ? 'NOT ' : ''}BETWEEN ${e.symmetric ? 'SYMMETRIC ' : ''}${sub(e.low, P_OTHER)} AND ${sub(e.high, P_OTHER)}`;
    case 'in-list': return `${sub(e.operand, P_LIKE)} ${e.not ? 'NOT ' : ''}IN (${list(e.list)})`;
    case 'in-subquery': return `${sub(e.operand, P_LIKE)} ${e.not ? 'NOT ' : ''}IN (${printQuery(e.query)})`;
    case 'like': {
      const kw = e.mode === 'SIMILAR' ? 'SIMILAR TO' : e.mode;
      const esc = e.escape !== undefined ? ` ESCAPE ${sub(e.escape, P_OTHER)}` : '';
      return `${sub(e.operand, P_LIKE)} ${e.not ? 'NOT ' : ''}${kw} ${sub(e.pattern, P_OTHER)}${esc}`;
    }
    case 'case': {
      let s = 'CASE';
      if (e.operand !== undefined) s += ` ${printExpr(e.operand)}`;
      for (const w of e.whens) s += ` WHEN ${printExpr(w.when)} THEN ${printExpr(w.then)}`;
      if (e.else !== undefined) s += ` ELSE ${printExpr(e.else)}`;
      return `${s} END`;
    }
    case 'cast':
      if (e.syntax === '::') return `${sub(e.operand, P_POSTFIX)}::${printType(e.type)}`;
      return `${e.syntax === 'cast' ? 'CAST' : 'TRY_CAST'}(${printExpr(e.operand)} AS ${printType(e.type)})`;
    case 'call': return printCall(e);
    case 'subquery': return `${e.array ? 'ARRAY' : ''}(${printQuery(e.query)})`;
    case 'exists': return `EXISTS (${printQuery(e.query)})`;
    case 'quantified': {
      const op = e.schema !== undefined ? `OPERATOR(${e.schema}.${e.op})` : e.op;
      const right = e.right.kind === 'query' ? printQuery(e.right.query) : printExpr(e.right.expr);
      return `${sub(e.operand, P_CMP)} ${op} ${e.quantifier} (${right})`;
    }
    case 'array': return `ARRAY[${list(e.elements)}]`;
    case 'row': return e.explicit ? `ROW(${list(e.elements)})` : `(${list(e.elements)})`;
    case 'subscript': {
      const idx = e.slice ? `${printExpr(e.index)}:${e.upper !== undefined ? printExpr(e.upper) : ''}` : printExpr(e.index);
      return `${sub(e.operand, P_POSTFIX)}[${idx}]`;
    }
    case 'field': return `(${printExpr(e.operand)}).${printIdent(e.field)}`;
    case 'collate': return `${sub(e.operand, P_POSTFIX)} COLLATE ${printQName(e.collation)}`;
    case 'extract': return `EXTRACT(${e.field} FROM ${printExpr(e.operand)})`;
    case 'table-arg':
      return `TABLE ${printQName(e.name)}${e.partitionBy !== undefined ? ` PARTITION BY (${e.partitionBy.map(printIdent).join(', ')})` : ''}`;
    case 'descriptor': return `DESCRIPTOR(${e.columns.map(printIdent).join(', ')})`;
    case 'named-arg': return `${printIdent(e.name)} => ${printExpr(e.value)}`;
    case 'star-arg': return '*';
  }
}

// ---------------------------------------------------------------- queries (for subqueries in expressions)

function printAlias(a: A.TableAlias | undefined): string {
  if (a === undefined) return '';
  return ` AS ${printIdent(a.name)}${a.columns.length > 0 ? `(${a.columns.map(printIdent).join(', ')})` : ''}`;
}

function printTableRef(t: A.TableRef): string {
  switch (t.kind) {
    case 'named':
      return printQName(t.name) + (t.asOf !== undefined ? ` FOR SYSTEM_TIME AS OF ${printExpr(t.asOf)}` : '') + printAlias(t.alias);
    case 'subquery':
      return `${t.lateral ? 'LATERAL ' : ''}(${printQuery(t.query)})${printAlias(t.alias)}`;
    case 'function': {
      const call = printCall(t.call);
      const body = t.tableWrapper ? `TABLE(${call})` : call;
      return `${t.lateral ? 'LATERAL ' : ''}${body}${t.ordinality ? ' WITH ORDINALITY' : ''}${printAlias(t.alias)}`;
    }
    case 'join': {
      const kw = t.joinType === 'CROSS' ? 'CROSS JOIN' : `${t.natural ? 'NATURAL ' : ''}${t.joinType} JOIN`;
      const cond = t.on !== undefined ? ` ON ${printExpr(t.on)}` : t.using.length > 0 ? ` USING (${t.using.map(printIdent).join(', ')})` : '';
      const right = t.right.kind === 'join' ? `(${printTableRef(t.right)})` : printTableRef(t.right);
      return `${printTableRef(t.left)} ${kw} ${right}${cond}`;
    }
  }
}

function printGrouping(g: A.GroupingElement): string {
  switch (g.kind) {
    case 'expr': return printExpr(g.expr);
    case 'empty': return '()';
    case 'rollup': case 'cube': case 'grouping-sets': {
      const kw = g.kind === 'rollup' ? 'ROLLUP' : g.kind === 'cube' ? 'CUBE' : 'GROUPING SETS';
      return `${kw}(${g.sets.map((s) => (s.length === 1 ? printExpr(s[0]!) : `(${list(s)})`)).join(', ')})`;
    }
  }
}

function printBody(b: A.QueryBody, nested: boolean): string {
  switch (b.kind) {
    case 'select': {
      let s = 'SELECT ';
      if (b.distinctOn.length > 0) s += `DISTINCT ON (${list(b.distinctOn)}) `;
      else if (b.distinct) s += 'DISTINCT ';
      s += b.items
        .map((i) => (i.kind === 'star' ? (i.qualifier !== undefined ? `${printQName(i.qualifier)}.*` : '*') : printExpr(i.expr) + (i.alias !== undefined ? ` AS ${printIdent(i.alias)}` : '')))
        .join(', ');
      if (b.from.length > 0) s += ` FROM ${b.from.map(printTableRef).join(', ')}`;
      if (b.where !== undefined) s += ` WHERE ${printExpr(b.where)}`;
      if (b.groupBy.length > 0) s += ` GROUP BY ${b.groupBy.map(printGrouping).join(', ')}`;
      if (b.having !== undefined) s += ` HAVING ${printExpr(b.having)}`;
      if (b.windows.length > 0) s += ` WINDOW ${b.windows.map((w) => `${printIdent(w.name)} AS ${printWindow(w.spec)}`).join(', ')}`;
      return nested ? `(${s})` : s;
    }
    case 'values': {
      const s = `VALUES ${b.rows.map((r) => `(${list(r)})`).join(', ')}`;
      return nested ? `(${s})` : s;
    }
    case 'nested':
      return `(${printQuery(b.query)})`;
    case 'set-op': {
      const s = `${printBody(b.left, true)} ${b.op}${b.all ? ' ALL' : ''} ${printBody(b.right, true)}`;
      return nested ? `(${s})` : s;
    }
  }
}

/** SQL text of a query (used for subqueries inside expressions). */
export function printQuery(q: A.Query): string {
  let s = '';
  if (q.with.length > 0) {
    s += `WITH ${q.recursive ? 'RECURSIVE ' : ''}${q.with
      .map((c) => `${printIdent(c.name)}${c.columns.length > 0 ? `(${c.columns.map(printIdent).join(', ')})` : ''} AS (${printQuery(c.query)})`)
      .join(', ')} `;
  }
  s += printBody(q.body, false);
  if (q.orderBy.length > 0) s += ` ORDER BY ${printOrder(q.orderBy)}`;
  if (q.limit !== undefined) s += ` LIMIT ${printExpr(q.limit)}`;
  if (q.offset !== undefined) s += ` OFFSET ${printExpr(q.offset)}`;
  return s;
}

/**
 * SQL text of a SUBSCRIBE; parseScript(printSubscribe(s)) gives `s` back (up to
 * positions and `quoted`). Option values print as TRUE/FALSE or strings.
 */
export function printSubscribe(s: A.Subscribe): string {
  const target = s.target.kind === 'relation' ? printQName(s.target.name) : `(${printQuery(s.target.query)})`;
  const opts = s.options.map((o) => `${printIdent(o.key)} = ${typeof o.value === 'boolean' ? (o.value ? 'TRUE' : 'FALSE') : quote(o.value)}`);
  return `SUBSCRIBE TO ${target}${opts.length > 0 ? ` WITH (${opts.join(', ')})` : ''}`;
}

/** SQL text of a STOP JOB. */
export function printStopJob(s: A.StopJob): string {
  return `STOP JOB ${quote(s.jobId)}${s.withSavepoint ? ' WITH SAVEPOINT' : ''}${s.withDrain ? ' WITH DRAIN' : ''}`;
}

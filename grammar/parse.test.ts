import { describe, expect, it } from 'vitest';
import { parseExpression, parseSql, ParseError } from './parse.ts';
import type * as A from './ast.ts';

/** Deep copy without `pos`/`end`/`queryPos` (and `quoted` when asked). */
function strip(x: unknown, dropQuoted = false): unknown {
  if (Array.isArray(x)) return x.map((v) => strip(v, dropQuoted));
  if (x !== null && typeof x === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x)) {
      if (k === 'pos' || k === 'queryPos' || (k === 'end' && typeof v === 'number') || (dropQuoted && k === 'quoted')) continue;
      out[k] = strip(v, dropQuoted);
    }
    return out;
  }
  return x;
}

/** Compact prefix form of an expression, for precedence tests. */
function sx(e: A.Expr): string {
  switch (e.kind) {
    case 'number': return e.text;
    case 'string': return `'${e.value}'`;
    case 'boolean': return String(e.value);
    case 'null': return 'null';
    case 'column': return e.name.parts.map((p) => p.value).join('.');
    case 'param': return `$${e.index}`;
    case 'unary': return `(${e.op} ${sx(e.operand)})`;
    case 'binary': return `(${e.op} ${sx(e.left)} ${sx(e.right)})`;
    case 'is-null': return `(is${e.not ? '-not' : ''}-null ${sx(e.operand)})`;
    case 'is-bool': return `(is${e.not ? '-not' : ''} ${sx(e.operand)} ${String(e.value)})`;
    case 'is-distinct': return `(is${e.not ? '-not' : ''}-distinct ${sx(e.left)} ${sx(e.right)})`;
    case 'between': return `(${e.not ? 'not-' : ''}between${e.symmetric ? '-sym' : ''} ${sx(e.operand)} ${sx(e.low)} ${sx(e.high)})`;
    case 'in-list': return `(${e.not ? 'not-' : ''}in ${sx(e.operand)} [${e.list.map(sx).join(' ')}])`;
    case 'in-subquery': return `(${e.not ? 'not-' : ''}in ${sx(e.operand)} <query>)`;
    case 'like': return `(${e.not ? 'not-' : ''}${e.mode.toLowerCase()} ${sx(e.operand)} ${sx(e.pattern)}${e.escape ? ` ${sx(e.escape)}` : ''})`;
    case 'cast': return `(${e.syntax} ${sx(e.operand)} ${e.type.name}${e.type.arrayDims > 0 ? '[]'.repeat(e.type.arrayDims) : ''})`;
    case 'call': return `${e.name.parts.map((p) => p.value).join('.')}(${e.distinct ? 'distinct ' : ''}${e.args.map(sx).join(' ')})`;
    case 'extract': return `(extract ${e.field} ${sx(e.operand)})`;
    case 'interval': return `(interval '${e.value}'${e.qualifier ? ` ${e.qualifier.from}${e.qualifier.to ? `-${e.qualifier.to}` : ''}` : ''})`;
    case 'typed-literal': return `(${e.type.name} '${e.value}')`;
    case 'star-arg': return '*';
    case 'quantified': return `(${e.op} ${e.quantifier} ${sx(e.operand)} ${e.right.kind === 'expr' ? sx(e.right.expr) : '<query>'})`;
    case 'subscript': return `(index ${sx(e.operand)} ${sx(e.index)})`;
    case 'field': return `(field ${sx(e.operand)} ${e.field.value})`;
    case 'collate': return `(collate ${sx(e.operand)} ${e.collation.parts.map((p) => p.value).join('.')})`;
    case 'row': return `(row ${e.elements.map(sx).join(' ')})`;
    case 'array': return `[${e.elements.map(sx).join(' ')}]`;
    case 'case': return `(case${e.operand ? ` ${sx(e.operand)}` : ''}${e.whens.map((w) => ` (${sx(w.when)} ${sx(w.then)})`).join('')}${e.else ? ` ${sx(e.else)}` : ''})`;
    case 'subquery': return e.array ? '(array <query>)' : '<query>';
    case 'exists': return '(exists <query>)';
    case 'table-arg': return `(table ${e.name.parts.map((p) => p.value).join('.')})`;
    case 'descriptor': return `(descriptor ${e.columns.map((c) => c.value).join(' ')})`;
    case 'named-arg': return `(${e.name.value} => ${sx(e.value)})`;
  }
}

const e = (text: string): string => sx(parseExpression(text));
const one = (text: string): A.Statement => {
  const s = parseSql(text);
  expect(s).toHaveLength(1);
  return s[0]!;
};
const q = (text: string): A.Query => {
  const s = one(text);
  if (s.kind !== 'query-statement') throw new Error(`not a query: ${s.kind}`);
  return s.query;
};
const sel = (text: string): A.Select => {
  const b = q(text).body;
  if (b.kind !== 'select') throw new Error(`not a select: ${b.kind}`);
  return b;
};
function err(text: string): ParseError {
  try {
    parseSql(text);
  } catch (x) {
    expect(x).toBeInstanceOf(ParseError);
    return x as ParseError;
  }
  throw new Error(`parsed: ${text}`);
}

describe('expression precedence', () => {
  it.each([
    ['1 + 2 * 3', '(+ 1 (* 2 3))'],
    ['(1 + 2) * 3', '(* (+ 1 2) 3)'],
    ['1 - 2 - 3', '(- (- 1 2) 3)'],
    ['2 ^ 3 ^ 2', '(^ (^ 2 3) 2)'],
    ['-2 ^ 2', '(^ (- 2) 2)'],
    ['a OR b AND c', '(OR a (AND b c))'],
    ['NOT a AND b', '(AND (NOT a) b)'],
    ['NOT a = b', '(NOT (= a b))'],
    ['a = b IS NULL', '(is-null (= a b))'],
    ['a IS NOT NULL AND b IS TRUE', '(AND (is-not-null a) (is b true))'],
    ['a IS NOT UNKNOWN', '(is-not a null)'],
    ["'a' || 'b' = 'ab'", "(= (|| 'a' 'b') 'ab')"],
    ["'a' || 1 + 2", "(|| 'a' (+ 1 2))"],
    ['a BETWEEN 1 AND 2 AND b', '(AND (between a 1 2) b)'],
    ['a NOT BETWEEN SYMMETRIC 1 + 1 AND 5', '(not-between-sym a (+ 1 1) 5)'],
    ['x IN (1, 2) = true', '(= (in x [1 2]) true)'],
    ['x NOT IN (1)', '(not-in x [1])'],
    ["name NOT LIKE 'a%' ESCAPE '!'", "(not-like name 'a%' '!')"],
    ["name ILIKE 'a'", "(ilike name 'a')"],
    ["name SIMILAR TO 'a|b'", "(similar name 'a|b')"],
    ["s ~ 'x' AND s !~* 'y'", "(AND (~ s 'x') (!~* s 'y'))"],
    ['a IS DISTINCT FROM b', '(is-distinct a b)'],
    ['a IS NOT DISTINCT FROM b + 1', '(is-not-distinct a (+ b 1))'],
    ['a != b', '(<> a b)'],
    ["s ~~ 'a%' AND s !~~* 'b'", "(AND (like s 'a%') (not-ilike s 'b'))"],
    ["s !~~ 'a' || 'b'", "(|| (not-like s 'a') 'b')"],
    ['x::int + 1', '(+ (:: x INT) 1)'],
    ['-x::int', '(- (:: x INT))'],
    ["'{a}'::text[]", "(:: '{a}' TEXT[])"],
    ["'t'::regclass", "(:: 't' regclass)"],
    ['a[1] + 1', '(+ (index a 1) 1)'],
    ['(x).f', '(field x f)'],
    ['a = ANY(b)', '(= ANY a b)'],
    ['a <> ALL (SELECT 1)', '(<> ALL a <query>)'],
    ['a = SOME(b)', '(= ANY a b)'],
    ['7 % 3', '(% 7 3)'],
    ['$1 + ?', '(+ $1 $1)'],
  ])('%s', (text, want) => {
    expect(e(text)).toBe(want);
  });

  it('numbers ? parameters in order', () => {
    expect(e('? + ?')).toBe('(+ $1 $2)');
  });
});

describe('literals', () => {
  it.each([
    ['42', '42'],
    ['1.50', '1.50'],
    ['1e3', '1e3'],
    ['.5', '.5'],
    ["'it''s'", "'it's'"],
    ["E'a\\nb'", "'a\nb'"],
    ["'a%b' LIKE 'a\\%b'", "(like 'a%b' 'a\\%b')"],
    ["'foo'\n'bar'", "'foobar'"],
    ['TRUE', 'true'],
    ['NULL', 'null'],
    ["DATE '2024-01-01'", "(DATE '2024-01-01')"],
    ["TIME '12:00:00'", "(TIME '12:00:00')"],
    ["TIMESTAMP '2024-01-01 00:00:00'", "(TIMESTAMP '2024-01-01 00:00:00')"],
    ["TIMESTAMP_LTZ '2024-01-01 00:00:00'", "(TIMESTAMP_LTZ '2024-01-01 00:00:00')"],
    ["int '1'", "(INT '1')"],
    ["INTERVAL '1' DAY", "(interval '1' DAY)"],
    ["INTERVAL '1 day'", "(interval '1 day')"],
    ["INTERVAL '1-2' YEAR TO MONTH", "(interval '1-2' YEAR-MONTH)"],
    ["INTERVAL -'1' DAY", "(interval '-1' DAY)"],
    ["X'0aff'", "(BYTES '0aff')"],
    ['$$a\'b$$', "'a'b'"],
  ])('%s', (text, want) => {
    expect(e(text)).toBe(want);
  });

  it('interval precision', () => {
    expect(parseExpression("INTERVAL '10' SECOND(3)")).toMatchObject({ kind: 'interval', qualifier: { from: 'SECOND', precision: 3 } });
  });

  it('adjacent strings on one line are an error', () => {
    expect(() => parseExpression("'a' 'b'")).toThrow(/syntax error at or near "'b'"/);
  });
});

describe('special call syntaxes', () => {
  it.each([
    ['COALESCE(a, 1)', 'coalesce(a 1)'],
    ['NULLIF(a, 1)', 'nullif(a 1)'],
    ['count(*)', 'count(*)'],
    ['count(DISTINCT a)', 'count(distinct a)'],
    ['EXTRACT(YEAR FROM ts)', '(extract YEAR ts)'],
    ['EXTRACT(epoch FROM ts)', '(extract EPOCH ts)'],
    ["POSITION('lo' IN 'hello')", "position('lo' 'hello')"],
    ["SUBSTRING('hello' FROM 2 FOR 3)", "substring('hello' 2 3)"],
    ["SUBSTRING('hello' FROM 2)", "substring('hello' 2)"],
    ["TRIM(LEADING 'x' FROM s)", "trim('LEADING' 'x' s)"],
    ['TRIM(BOTH FROM s)', "trim('BOTH' ' ' s)"],
    ['TRIM(s)', "trim('BOTH' ' ' s)"],
    ["OVERLAY('abc' PLACING 'x' FROM 2 FOR 1)", "overlay('abc' 'x' 2 1)"],
    ['FLOOR(ts TO MINUTE)', "floor(ts 'MINUTE')"],
    ["TIMESTAMPADD(WEEK, 1, DATE '2003-01-02')", "timestampadd('WEEK' 1 (DATE '2003-01-02'))"],
    ['LEFT(s, 2)', 'left(s 2)'],
    ['CAST(x AS BIGINT)', '(cast x BIGINT)'],
    ['TRY_CAST(x AS INT)', '(try_cast x INT)'],
    ['CASE WHEN a THEN 1 ELSE 2 END', '(case (a 1) 2)'],
    ["CASE x WHEN 1 THEN 'a' END", "(case x (1 'a'))"],
    ['ARRAY[1, 2]', '[1 2]'],
    ['ARRAY(SELECT 1)', '(array <query>)'],
    ['ROW(1, 2)', '(row 1 2)'],
    ['(1, 2)', '(row 1 2)'],
    ['EXISTS (SELECT 1)', '(exists <query>)'],
    ['(SELECT 1)', '<query>'],
    ["x COLLATE \"C\"", '(collate x C)'],
    ['a OPERATOR(pg_catalog.~) b', '(~ a b)'],
    ['pg_catalog.format_type(t, NULL)', 'pg_catalog.format_type(t null)'],
  ])('%s', (text, want) => {
    expect(e(text)).toBe(want);
  });

  it('niladic keywords are calls without parens', () => {
    for (const kw of ['CURRENT_DATE', 'CURRENT_TIMESTAMP', 'LOCALTIMESTAMP', 'CURRENT_USER', 'SESSION_USER', 'CURRENT_SCHEMA', 'CURRENT_CATALOG']) {
      expect(parseExpression(kw)).toMatchObject({ kind: 'call', noParens: true, name: { parts: [{ value: kw.toLowerCase() }] }, args: [] });
    }
    expect(parseExpression('current_schema()')).toMatchObject({ kind: 'call', noParens: false });
  });

  it('OPERATOR() keeps its schema', () => {
    expect(parseExpression('a OPERATOR(pg_catalog.~) b')).toMatchObject({ kind: 'binary', op: '~', schema: 'pg_catalog' });
  });

  it('window functions', () => {
    const c = parseExpression('sum(x) FILTER (WHERE x > 0) OVER (PARTITION BY k ORDER BY ts DESC NULLS LAST ROWS BETWEEN 2 PRECEDING AND CURRENT ROW)');
    expect(strip(c)).toMatchObject({
      kind: 'call',
      filter: { kind: 'binary', op: '>' },
      over: {
        partitionBy: [{ kind: 'column' }],
        orderBy: [{ desc: true, nullsFirst: false }],
        frame: { units: 'ROWS', start: { kind: 'preceding', offset: { kind: 'number', text: '2' } }, end: { kind: 'current-row' } },
      },
    });
    expect(parseExpression('row_number() OVER w')).toMatchObject({ over: { name: { value: 'w' } } });
    expect(parseExpression('avg(x) OVER (ORDER BY ts RANGE BETWEEN INTERVAL \'1\' HOUR PRECEDING AND UNBOUNDED FOLLOWING)'))
      .toMatchObject({ over: { frame: { units: 'RANGE', start: { kind: 'preceding', offset: { kind: 'interval' } }, end: { kind: 'unbounded-following' } } } });
  });

  it('string_agg with ORDER BY', () => {
    expect(parseExpression("string_agg(x, ',' ORDER BY x)")).toMatchObject({ kind: 'call', orderBy: [{ expr: { kind: 'column' } }] });
  });
});

describe('positions', () => {
  it('every node carries the offset of its first token', () => {
    const s = sel('SELECT a + 10 AS x FROM t WHERE b IS NULL');
    expect(s.pos).toBe(0);
    const item = s.items[0]!;
    expect(item.pos).toBe(7);
    if (item.kind !== 'expr') throw new Error('item');
    expect(item.expr).toMatchObject({ kind: 'binary', pos: 7, left: { pos: 7 }, right: { pos: 11 } });
    expect(item.alias).toEqual({ value: 'x', quoted: false, pos: 17 });
    expect(s.from[0]).toMatchObject({ kind: 'named', pos: 24, name: { pos: 24 } });
    expect(s.where).toMatchObject({ kind: 'is-null', pos: 32 });
  });

  it('statements carry spans relative to the script', () => {
    const text = 'SELECT 1;  -- c\n  INSERT INTO t VALUES (1) ;;SELECT 2';
    const stmts = parseSql(text);
    expect(stmts.map((s) => s.kind)).toEqual(['query-statement', 'insert', 'query-statement']);
    expect(stmts.map((s) => text.slice(s.pos, s.end))).toEqual(['SELECT 1', 'INSERT INTO t VALUES (1)', 'SELECT 2']);
  });

  it('view query position lets the definition be stored verbatim', () => {
    const text = 'CREATE VIEW v AS SELECT a FROM t';
    const s = one(text);
    if (s.kind !== 'create-view') throw new Error(s.kind);
    expect(text.slice(s.queryPos, s.end)).toBe('SELECT a FROM t');
  });
});

describe('identifiers', () => {
  it('folds unquoted names and keeps quoted ones', () => {
    const s = sel('SELECT Foo, "Bar", `Baz`, c.relname, name, type, value, key, time, date, timestamp, comment, count, data FROM "T"');
    const names = s.items.map((i) => (i.kind === 'expr' && i.expr.kind === 'column' ? i.expr.name.parts.map((p) => `${p.value}${p.quoted ? '!' : ''}`).join('.') : '?'));
    expect(names).toEqual(['foo', 'Bar!', 'Baz!', 'c.relname', 'name', 'type', 'value', 'key', 'time', 'date', 'timestamp', 'comment', 'count', 'data']);
    expect(s.from[0]).toMatchObject({ name: { parts: [{ value: 'T', quoted: true }] } });
  });

  it('user is reserved', () => {
    expect(parseExpression('user')).toMatchObject({ kind: 'call', noParens: true });
    expect(() => parseSql('CREATE TABLE t (user INT)')).toThrow(ParseError);
  });
});

describe('queries', () => {
  it('select clauses', () => {
    const s = sel('SELECT DISTINCT t.*, * , x y FROM a AS t(c1, c2), b WHERE 1 = 1 GROUP BY 1, x HAVING count(*) > 1');
    expect(strip(s.items)).toEqual([
      { kind: 'star', qualifier: { parts: [{ value: 't', quoted: false }] } },
      { kind: 'star' },
      { kind: 'expr', expr: { kind: 'column', name: { parts: [{ value: 'x', quoted: false }] } }, alias: { value: 'y', quoted: false } },
    ]);
    expect(s.distinct).toBe(true);
    expect(s.from).toHaveLength(2);
    expect(s.from[0]).toMatchObject({ kind: 'named', alias: { name: { value: 't' }, columns: [{ value: 'c1' }, { value: 'c2' }] } });
    expect(s.groupBy).toHaveLength(2);
    expect(s.having).toMatchObject({ kind: 'binary', op: '>' });
  });

  it('joins', () => {
    const s = sel('SELECT 1 FROM a JOIN b ON a.x = b.x LEFT OUTER JOIN c USING (k) CROSS JOIN d FULL JOIN e ON true RIGHT JOIN f ON false');
    const j = s.from[0]!;
    expect(j).toMatchObject({
      kind: 'join', joinType: 'RIGHT',
      left: { kind: 'join', joinType: 'FULL', left: { kind: 'join', joinType: 'CROSS', left: { kind: 'join', joinType: 'LEFT', using: [{ value: 'k' }], left: { kind: 'join', joinType: 'INNER', on: { kind: 'binary' } } } } },
    });
  });

  it('subqueries, lateral and table functions in FROM', () => {
    const s = sel('SELECT * FROM (SELECT 1) AS s(x), LATERAL (SELECT 2) l, generate_series(1, 3) AS g(i), unnest(a) WITH ORDINALITY');
    expect(s.from[0]).toMatchObject({ kind: 'subquery', lateral: false, alias: { name: { value: 's' }, columns: [{ value: 'x' }] } });
    expect(s.from[1]).toMatchObject({ kind: 'subquery', lateral: true, alias: { name: { value: 'l' } } });
    expect(s.from[2]).toMatchObject({ kind: 'function', tableWrapper: false, call: { name: { parts: [{ value: 'generate_series' }] }, args: [{ text: '1' }, { text: '3' }] } });
    expect(s.from[3]).toMatchObject({ kind: 'function', ordinality: true });
  });

  it('window table functions', () => {
    const s = sel("SELECT * FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' MINUTE))");
    expect(strip(s.from[0])).toMatchObject({
      kind: 'function', tableWrapper: true,
      call: {
        name: { parts: [{ value: 'tumble' }] },
        args: [{ kind: 'table-arg', name: { parts: [{ value: 't' }] } }, { kind: 'descriptor', columns: [{ value: 'ts' }] }, { kind: 'interval', value: '1', qualifier: { from: 'MINUTE' } }],
      },
    });
    const h = sel("SELECT * FROM TABLE(HOP(DATA => TABLE t, TIMECOL => DESCRIPTOR(ts), SLIDE => INTERVAL '5' MINUTE, SIZE => INTERVAL '10' MINUTE))");
    expect(h).toBeDefined();
  });

  it('temporal join', () => {
    const s = sel('SELECT * FROM o JOIN r FOR SYSTEM_TIME AS OF o.ts ON o.k = r.k');
    expect(s.from[0]).toMatchObject({ kind: 'join', right: { kind: 'named', asOf: { kind: 'column' } } });
  });

  it('set operations: INTERSECT binds tighter, left-associative', () => {
    const b = q('SELECT 1 UNION SELECT 2 INTERSECT SELECT 3 EXCEPT ALL SELECT 4').body;
    expect(b).toMatchObject({ kind: 'set-op', op: 'EXCEPT', all: true, left: { kind: 'set-op', op: 'UNION', right: { kind: 'set-op', op: 'INTERSECT' } } });
  });

  it('nested query keeps its own LIMIT', () => {
    const b = q('(SELECT 1 LIMIT 1) UNION ALL (SELECT 2)').body;
    expect(b).toMatchObject({ kind: 'set-op', left: { kind: 'nested', query: { limit: { text: '1' } } }, right: { kind: 'select' } });
  });

  it('order, limit, offset, fetch', () => {
    expect(strip(q('SELECT a FROM t ORDER BY a DESC NULLS FIRST, 2 LIMIT 10 OFFSET 5'))).toMatchObject({
      orderBy: [{ desc: true, nullsFirst: true }, { desc: false }], limit: { text: '10' }, offset: { text: '5' },
    });
    expect(q('SELECT a FROM t LIMIT ALL').limit).toBeUndefined();
    expect(q('SELECT a FROM t OFFSET 2 ROWS FETCH FIRST 3 ROWS ONLY')).toMatchObject({ limit: { text: '3' }, offset: { text: '2' } });
    expect(q('SELECT a FROM t FETCH NEXT ROW ONLY')).toMatchObject({ limit: { text: '1' } });
  });

  it('WITH and VALUES', () => {
    const x = q('WITH RECURSIVE r(n) AS (VALUES (1) UNION ALL SELECT n + 1 FROM r) SELECT * FROM r');
    expect(x.recursive).toBe(true);
    expect(x.with[0]).toMatchObject({ name: { value: 'r' }, columns: [{ value: 'n' }], query: { body: { kind: 'set-op', left: { kind: 'values' } } } });
    expect(q('VALUES (1, 2), (3, 4)').body).toMatchObject({ kind: 'values', rows: [[{ text: '1' }, { text: '2' }], [{ text: '3' }, { text: '4' }]] });
  });

  it('grouping sets', () => {
    const s = sel('SELECT 1 FROM t GROUP BY ROLLUP(a, b), CUBE((a, b), c), GROUPING SETS ((a), ()), ()');
    expect(strip(s.groupBy)).toMatchObject([
      { kind: 'rollup', sets: [[{ kind: 'column' }], [{ kind: 'column' }]] },
      { kind: 'cube', sets: [[{ kind: 'column' }, { kind: 'column' }], [{ kind: 'column' }]] },
      { kind: 'grouping-sets', sets: [[{ kind: 'column' }], []] },
      { kind: 'empty' },
    ]);
  });

  it('IN subquery and scalar subquery', () => {
    expect(e('a IN (SELECT b FROM t)')).toBe('(in a <query>)');
    expect(e('a NOT IN (SELECT b FROM t)')).toBe('(not-in a <query>)');
  });

  it('psql-style catalog query', () => {
    const s = sel(`SELECT n.nspname as "Schema", c.relname as "Name",
      CASE c.relkind WHEN 'r' THEN 'table' WHEN 'v' THEN 'view' END as "Type",
      pg_catalog.pg_get_userbyid(c.relowner) as "Owner"
    FROM pg_catalog.pg_class c
         LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r','p','v','m','S','f','')
          AND n.nspname <> 'pg_catalog'
          AND n.nspname !~ '^pg_toast'
          AND pg_catalog.pg_table_is_visible(c.oid)
          AND c.relname OPERATOR(pg_catalog.~) '^(t)$' COLLATE pg_catalog.default
    ORDER BY 1,2`.replace('ORDER BY 1,2', ''));
    expect(s.items).toHaveLength(4);
    expect(s.from[0]).toMatchObject({ kind: 'join', joinType: 'LEFT' });
  });

  it('pgjdbc-style type query', () => {
    expect(() => parseSql("SELECT typinput='pg_catalog.array_in'::regproc as is_array, typtype, typname, pg_type.oid FROM pg_catalog.pg_type LEFT JOIN (select ns.oid as nspoid, ns.nspname, r.r from pg_namespace as ns join ( select s.r, (current_schemas(false))[s.r] as nspname from generate_series(1, array_upper(current_schemas(false), 1)) as s(r) ) as r using ( nspname ) ) as sp ON sp.nspoid = typnamespace WHERE pg_type.oid = $1 ORDER BY sp.r, pg_type.oid DESC")).not.toThrow();
  });
});

describe('types', () => {
  const ty = (t: string): A.TypeName => {
    const x = parseExpression(`CAST(x AS ${t})`);
    if (x.kind !== 'cast') throw new Error('cast');
    return x.type;
  };
  it.each([
    ['INTEGER', 'INT', []], ['int4', 'INT', []], ['int8', 'BIGINT', []], ['SMALLINT', 'SMALLINT', []], ['TINYINT', 'TINYINT', []],
    ['DECIMAL(10, 2)', 'DECIMAL', [10, 2]], ['NUMERIC', 'DECIMAL', []], ['FLOAT', 'FLOAT', []], ['REAL', 'FLOAT', []],
    ['DOUBLE', 'DOUBLE', []], ['DOUBLE PRECISION', 'DOUBLE', []], ['float8', 'DOUBLE', []], ['BOOL', 'BOOLEAN', []],
    ['CHAR(3)', 'CHAR', [3]], ['VARCHAR(10)', 'VARCHAR', [10]], ['CHARACTER VARYING(5)', 'VARCHAR', [5]], ['STRING', 'STRING', []],
    ['TEXT', 'TEXT', []], ['BYTES', 'BYTES', []], ['BYTEA', 'BYTES', []], ['DATE', 'DATE', []], ['TIME(3)', 'TIME', [3]],
    ['TIMESTAMP(3)', 'TIMESTAMP', [3]], ['TIMESTAMP(3) WITHOUT TIME ZONE', 'TIMESTAMP', [3]], ['TIMESTAMP_LTZ(3)', 'TIMESTAMP_LTZ', [3]],
    ['TIMESTAMP(3) WITH LOCAL TIME ZONE', 'TIMESTAMP_LTZ', [3]], ['TIMESTAMP WITH TIME ZONE', 'TIMESTAMPTZ', []], ['TIMESTAMPTZ', 'TIMESTAMPTZ', []],
    ['regclass', 'regclass', []], ['"char"', 'char', []], ['INTERVAL', 'INTERVAL', []],
  ])('%s', (text, name, params) => {
    expect(ty(text)).toMatchObject({ name, params, arrayDims: 0 });
  });

  it('composite types', () => {
    expect(strip(ty('ARRAY<INT NOT NULL>'))).toMatchObject({ name: 'ARRAY', elementTypes: [{ name: 'INT', notNull: true }] });
    expect(strip(ty('MAP<STRING, ARRAY<INT> >'))).toMatchObject({ name: 'MAP', elementTypes: [{ name: 'STRING' }, { name: 'ARRAY', elementTypes: [{ name: 'INT' }] }] });
    expect(strip(ty('ROW<a INT, b STRING>'))).toMatchObject({ name: 'ROW', fields: [{ name: { value: 'a' }, type: { name: 'INT' } }, { name: { value: 'b' }, type: { name: 'STRING' } }] });
    expect(strip(ty('ROW(a INT)'))).toMatchObject({ name: 'ROW', fields: [{ name: { value: 'a' } }] });
    expect(strip(ty('INT ARRAY'))).toMatchObject({ name: 'INT', arrayDims: 1, elementTypes: [{ name: 'INT' }] });
    expect(strip(ty('text[][]'))).toMatchObject({ name: 'TEXT', arrayDims: 2 });
    expect(strip(ty('pg_catalog.text'))).toMatchObject({ name: 'TEXT', schema: 'pg_catalog' });
    expect(strip(ty('pg_catalog.oid'))).toMatchObject({ name: 'oid', schema: 'pg_catalog' });
    expect(ty('INT NOT NULL').notNull).toBe(true);
    expect(ty('INTERVAL DAY TO SECOND(3)').interval).toEqual({ from: 'DAY', to: 'SECOND', precision: 3 });
  });
});

describe('DDL', () => {
  it('CREATE TABLE with everything', () => {
    const s = one(`CREATE TABLE IF NOT EXISTS db.Orders (
      \`user\` BIGINT NOT NULL COMMENT 'pk',
      product VARCHAR(32),
      ts TIMESTAMP(3),
      cost AS amount * 2,
      meta STRING METADATA FROM 'topic' VIRTUAL,
      id INT PRIMARY KEY NOT ENFORCED,
      WATERMARK FOR ts AS ts - INTERVAL '1' SECOND,
      PRIMARY KEY (\`user\`, product) NOT ENFORCED
    ) COMMENT 'orders' PARTITIONED BY (product) WITH ('connector' = 'datagen', 'rows-per-second' = '1')`);
    expect(strip(s)).toEqual({
      kind: 'create-table',
      name: { parts: [{ value: 'db', quoted: false }, { value: 'orders', quoted: false }] },
      ifNotExists: true,
      temporary: false,
      columns: [
        { kind: 'physical', name: { value: 'user', quoted: true }, type: { kind: 'type', name: 'BIGINT', params: [], elementTypes: [], fields: [], notNull: false, arrayDims: 0 }, notNull: true, primaryKey: false, comment: 'pk' },
        { kind: 'physical', name: { value: 'product', quoted: false }, type: { kind: 'type', name: 'VARCHAR', params: [32], elementTypes: [], fields: [], notNull: false, arrayDims: 0 }, notNull: false, primaryKey: false },
        { kind: 'physical', name: { value: 'ts', quoted: false }, type: { kind: 'type', name: 'TIMESTAMP', params: [3], elementTypes: [], fields: [], notNull: false, arrayDims: 0 }, notNull: false, primaryKey: false },
        { kind: 'computed', name: { value: 'cost', quoted: false }, expr: { kind: 'binary', op: '*', left: { kind: 'column', name: { parts: [{ value: 'amount', quoted: false }] } }, right: { kind: 'number', text: '2' } } },
        { kind: 'metadata', name: { value: 'meta', quoted: false }, type: { kind: 'type', name: 'STRING', params: [], elementTypes: [], fields: [], notNull: false, arrayDims: 0 }, from: 'topic', virtual: true },
        { kind: 'physical', name: { value: 'id', quoted: false }, type: { kind: 'type', name: 'INT', params: [], elementTypes: [], fields: [], notNull: false, arrayDims: 0 }, notNull: true, primaryKey: true },
      ],
      watermark: { column: { value: 'ts', quoted: false }, expr: { kind: 'binary', op: '-', left: { kind: 'column', name: { parts: [{ value: 'ts', quoted: false }] } }, right: { kind: 'interval', value: '1', qualifier: { from: 'SECOND' } } } },
      primaryKey: { columns: [{ value: 'user', quoted: true }, { value: 'product', quoted: false }], enforced: false },
      comment: 'orders',
      partitionedBy: [{ value: 'product', quoted: false }],
      options: [{ key: 'connector', value: 'datagen' }, { key: 'rows-per-second', value: '1' }],
    });
  });

  it('enforced primary key is reported as such', () => {
    expect(one('CREATE TABLE t (id INT, PRIMARY KEY (id))')).toMatchObject({ primaryKey: { enforced: true } });
  });

  it('views', () => {
    expect(one('CREATE OR REPLACE TEMPORARY VIEW IF NOT EXISTS v (a, b) AS SELECT 1, 2')).toMatchObject({
      kind: 'create-view', orReplace: true, temporary: true, ifNotExists: true, materialized: false, columns: [{ value: 'a' }, { value: 'b' }],
    });
    expect(one('CREATE MATERIALIZED VIEW mv AS SELECT k, count(*) FROM t GROUP BY k')).toMatchObject({ kind: 'create-view', materialized: true });
  });

  it('drop', () => {
    expect(strip(one('DROP TABLE IF EXISTS a, s.b CASCADE'))).toEqual({
      kind: 'drop', objectKind: 'TABLE', names: [{ parts: [{ value: 'a', quoted: false }] }, { parts: [{ value: 's', quoted: false }, { value: 'b', quoted: false }] }],
      ifExists: true, temporary: false, cascade: true,
    });
    expect(one('DROP MATERIALIZED VIEW mv')).toMatchObject({ objectKind: 'MATERIALIZED VIEW', ifExists: false, cascade: false });
    expect(one('DROP VIEW v RESTRICT')).toMatchObject({ objectKind: 'VIEW', cascade: false });
  });
});

describe('DML', () => {
  it('insert', () => {
    expect(one('INSERT INTO t (b, a) VALUES (1, 2)')).toMatchObject({ kind: 'insert', columns: [{ value: 'b' }, { value: 'a' }], source: { body: { kind: 'values' } }, overwrite: false });
    expect(one('INSERT INTO t SELECT * FROM s')).toMatchObject({ kind: 'insert', columns: [], source: { body: { kind: 'select' } } });
    expect(one('INSERT INTO t (SELECT * FROM s)')).toMatchObject({ kind: 'insert', columns: [] });
    expect(one('INSERT OVERWRITE t SELECT 1')).toMatchObject({ overwrite: true });
    expect(one('INSERT INTO t VALUES (1) RETURNING id')).toMatchObject({ returning: [{ kind: 'expr' }] });
  });

  it('insert on conflict', async () => {
    const { onConflictOf } = await import('./parse.ts');
    const s = one("INSERT INTO p VALUES ('a', 3) ON CONFLICT (sku) DO UPDATE SET price = EXCLUDED.price");
    if (s.kind !== 'insert') throw new Error(s.kind);
    expect(strip(onConflictOf(s))).toMatchObject({ columns: [{ value: 'sku' }], action: 'UPDATE', assignments: [{ column: { value: 'price' }, value: { kind: 'column' } }] });
    const n = one('INSERT INTO p VALUES (1) ON CONFLICT DO NOTHING');
    if (n.kind !== 'insert') throw new Error(n.kind);
    expect(onConflictOf(n)).toMatchObject({ action: 'NOTHING', columns: [] });
  });

  it('update and delete', () => {
    expect(strip(one('UPDATE accounts a SET balance = balance + 10, owner = UPPER(owner) WHERE id = 1'))).toMatchObject({
      kind: 'update', alias: { value: 'a' }, assignments: [{ column: { value: 'balance' } }, { column: { value: 'owner' } }], where: { kind: 'binary' },
    });
    expect(one('UPDATE t SET a = 1')).not.toHaveProperty('alias');
    expect(one('DELETE FROM t WHERE a = 0')).toMatchObject({ kind: 'delete', where: { kind: 'binary' } });
    expect(one('DELETE FROM t')).not.toHaveProperty('where');
  });
});

describe('utility statements', () => {
  it.each([
    ['SET', { kind: 'set', values: [], local: false, isDefault: false }],
    ["SET 'execution.runtime-mode' = 'batch'", { kind: 'set', name: 'execution.runtime-mode', values: ['batch'] }],
    ["SET application_name = 'slt'", { kind: 'set', name: 'application_name', values: ['slt'] }],
    ["SET application_name TO 'other'", { kind: 'set', name: 'application_name', values: ['other'] }],
    ['SET extra_float_digits = 3', { kind: 'set', name: 'extra_float_digits', values: ['3'] }],
    ['SET search_path = public, "MySchema"', { kind: 'set', name: 'search_path', values: ['public', 'MySchema'] }],
    ['SET statement_timeout TO DEFAULT', { kind: 'set', name: 'statement_timeout', values: [], isDefault: true }],
    ["SET TIME ZONE 'UTC'", { kind: 'set', name: 'timezone', values: ['UTC'] }],
    ['SET SESSION datestyle = ISO', { kind: 'set', name: 'datestyle', values: ['iso'], local: false }],
    ['SET LOCAL x = on', { kind: 'set', name: 'x', values: ['on'], local: true }],
    ['SET TRANSACTION ISOLATION LEVEL READ COMMITTED', { kind: 'set', name: 'transaction', values: ['ISOLATION LEVEL READ COMMITTED'] }],
    ['RESET', { kind: 'reset' }],
    ['RESET ALL', { kind: 'reset' }],
    ["RESET 'execution.runtime-mode'", { kind: 'reset', name: 'execution.runtime-mode' }],
    ['RESET application_name', { kind: 'reset', name: 'application_name' }],
    ['SHOW TABLES', { kind: 'show', target: 'TABLES' }],
    ["SHOW TABLES LIKE '%n'", { kind: 'show', target: 'TABLES', like: { pattern: '%n', not: false } }],
    ['SHOW VIEWS', { kind: 'show', target: 'VIEWS' }],
    ['SHOW DATABASES', { kind: 'show', target: 'DATABASES' }],
    ['SHOW FUNCTIONS', { kind: 'show', target: 'FUNCTIONS' }],
    ['SHOW CURRENT CATALOG', { kind: 'show', target: 'CURRENT CATALOG' }],
    ['SHOW ALL', { kind: 'show', target: 'ALL' }],
    ['SHOW CREATE TABLE t', { kind: 'show', target: 'CREATE TABLE', object: { parts: [{ value: 't' }] } }],
    ['SHOW COLUMNS FROM t', { kind: 'show', target: 'COLUMNS', object: { parts: [{ value: 't' }] } }],
    ['SHOW TimeZone', { kind: 'show', target: 'VARIABLE', name: 'timezone' }],
    ['SHOW execution.runtime-mode', { kind: 'show', target: 'VARIABLE', name: 'execution.runtime-mode' }],
    ['SHOW TRANSACTION ISOLATION LEVEL', { kind: 'show', target: 'VARIABLE', name: 'transaction_isolation' }],
    ['DESCRIBE Orders', { kind: 'describe', name: { parts: [{ value: 'orders' }] } }],
    ['DESC person', { kind: 'describe', name: { parts: [{ value: 'person' }] } }],
    ['BEGIN', { kind: 'transaction', action: 'BEGIN', modes: [] }],
    ['BEGIN TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ ONLY', { kind: 'transaction', action: 'BEGIN', modes: ['ISOLATION LEVEL SERIALIZABLE', 'READ ONLY'] }],
    ['START TRANSACTION ISOLATION LEVEL REPEATABLE READ', { kind: 'transaction', action: 'BEGIN', modes: ['ISOLATION LEVEL REPEATABLE READ'] }],
    ['COMMIT', { kind: 'transaction', action: 'COMMIT' }],
    ['END', { kind: 'transaction', action: 'COMMIT' }],
    ['ROLLBACK', { kind: 'transaction', action: 'ROLLBACK' }],
    ['ABORT', { kind: 'transaction', action: 'ROLLBACK' }],
    ['ROLLBACK TO SAVEPOINT s1', { kind: 'transaction', action: 'ROLLBACK TO', savepoint: 's1' }],
    ['SAVEPOINT s1', { kind: 'transaction', action: 'SAVEPOINT', savepoint: 's1' }],
    ['RELEASE SAVEPOINT s1', { kind: 'transaction', action: 'RELEASE', savepoint: 's1' }],
    ['USE db1', { kind: 'use', catalog: false, name: { parts: [{ value: 'db1' }] } }],
    ['USE CATALOG c', { kind: 'use', catalog: true, name: { parts: [{ value: 'c' }] } }],
    ['DISCARD ALL', { kind: 'discard', what: 'ALL' }],
    ['DEALLOCATE PREPARE s1', { kind: 'deallocate', name: 's1' }],
    ['DEALLOCATE ALL', { kind: 'deallocate' }],
    ['CLOSE c1', { kind: 'close-cursor', name: 'c1' }],
    ['CLOSE ALL', { kind: 'close-cursor' }],
    ['FETCH 10 FROM c1', { kind: 'fetch', cursor: 'c1', count: 10, move: false }],
    ['FETCH FORWARD ALL IN c1', { kind: 'fetch', cursor: 'c1', move: false }],
    ['FETCH NEXT c1', { kind: 'fetch', cursor: 'c1', count: 1 }],
    ["FETCH 5 FROM c WITH (timeout = '1s')", { kind: 'fetch', cursor: 'c', count: 5, options: [{ key: 'timeout', value: '1s' }] }],
    ['MOVE 2 IN c', { kind: 'fetch', cursor: 'c', count: 2, move: true }],
  ])('%s', (text, want) => {
    expect(strip(one(text))).toMatchObject(want);
  });

  it('FETCH ALL has no count', () => {
    expect(one('FETCH ALL FROM c')).not.toHaveProperty('count');
  });

  it('DECLARE CURSOR', () => {
    expect(one('DECLARE c1 BINARY NO SCROLL CURSOR WITH HOLD FOR SELECT 1')).toMatchObject({ kind: 'declare-cursor', name: 'c1', hold: true, query: { body: { kind: 'select' } } });
    expect(one('DECLARE c CURSOR FOR SELECT 1')).toMatchObject({ hold: false });
  });

  it('EXPLAIN', () => {
    expect(one('EXPLAIN SELECT 1')).toMatchObject({ kind: 'explain', details: [], statement: { kind: 'query-statement' } });
    expect(one('EXPLAIN PLAN FOR INSERT INTO t SELECT 1')).toMatchObject({ details: [], statement: { kind: 'insert' } });
    expect(one('EXPLAIN CHANGELOG_MODE, ESTIMATED_COST SELECT 1')).toMatchObject({ details: ['CHANGELOG_MODE', 'ESTIMATED_COST'] });
    expect(one('EXPLAIN (ANALYZE, FORMAT JSON) SELECT 1')).toMatchObject({ details: ['ANALYZE', 'FORMAT JSON'] });
    expect(one('EXPLAIN (SELECT 1)')).toMatchObject({ details: [], statement: { kind: 'query-statement' } });
  });

  it('the span of a utility statement excludes the semicolon', () => {
    const text = "SET a = 'b' ; SHOW a";
    const [s1, s2] = parseSql(text);
    expect(text.slice(s1!.pos, s1!.end)).toBe("SET a = 'b'");
    expect(text.slice(s2!.pos, s2!.end)).toBe('SHOW a');
  });
});

describe('scripts and comments', () => {
  it('skips empty statements and comments', () => {
    expect(parseSql('')).toEqual([]);
    expect(parseSql(' ; ;-- only a comment\n')).toEqual([]);
    expect(parseSql('/* block */ SELECT /* inner */ 1 -- tail')).toHaveLength(1);
    expect(parseSql('BEGIN; INSERT INTO t VALUES (3); COMMIT').map((s) => s.kind)).toEqual(['transaction', 'insert', 'transaction']);
  });
});

describe('errors', () => {
  it.each([
    ['SELECT * FROM', 'syntax error at end of input', 13],
    ['SELEC 1', 'syntax error at or near "SELEC"', 0],
    ['SELECT FROM WHERE', 'syntax error at or near "FROM"', 7],
    ['SELECT (1', 'syntax error at end of input', 9],
    ['SELECT 1 2', 'syntax error at or near "2"', 9],
    ["SELECT 'abc", 'unterminated quoted string at or near "\'abc"', 7],
    ['SELECT "abc', 'unterminated quoted identifier at or near ""abc"', 7],
    ['SELECT 1; SELEC 2', 'syntax error at or near "SELEC"', 10],
    ['SELECT 1 \\ 2', 'syntax error at or near "\\"', 9],
    ['SHOW TABLES extra', 'syntax error at or near "extra"', 12],
    ['SET x', 'syntax error at end of input', 5],
  ])('%s', (text, message, position) => {
    const x = err(text);
    expect(x.message).toBe(message);
    expect(x.position).toBe(position);
  });

  it('reports expected tokens', () => {
    expect(err('SELECT (1').expected.length).toBeGreaterThan(0);
  });
});

describe('more dialect pieces', () => {
  it('AT TIME ZONE becomes timezone(zone, x), binding tighter than ^', () => {
    expect(e("ts AT TIME ZONE 'UTC'")).toBe("timezone('UTC' ts)");
    expect(e("ts AT TIME ZONE 'UTC' + INTERVAL '1' HOUR")).toBe("(+ timezone('UTC' ts) (interval '1' HOUR))");
    expect(sel('SELECT x at FROM t').items[0]).toMatchObject({ alias: { value: 'at' } });
  });

  it('plural interval units (Flink)', () => {
    expect(e("INTERVAL '10' MINUTES")).toBe("(interval '10' MINUTE)");
    expect(e("INTERVAL '2' DAYS")).toBe("(interval '2' DAY)");
  });

  it('OPTIONS hints attach to the table; other hints are comments', () => {
    const s = sel("SELECT /*+ BROADCAST(t) */ a FROM t /*+ OPTIONS('scan.startup.mode'='earliest-offset', 'k' = 'v') */ AS x WHERE a /*+ c */ = 1");
    expect(s.from[0]).toMatchObject({
      kind: 'named', alias: { name: { value: 'x' } },
      hints: [{ key: 'scan.startup.mode', value: 'earliest-offset' }, { key: 'k', value: 'v' }],
    });
    expect(sel('SELECT a FROM t').from[0]).toMatchObject({ hints: [] });
  });

  it('BETWEEN needs its AND', () => {
    expect(() => parseExpression('a BETWEEN 1 OR 2')).toThrow(ParseError);
    expect(() => parseExpression("a ESCAPE 'x'")).toThrow(ParseError);
  });

  it('NOT binds looser than comparison but tighter than AND', () => {
    expect(e('NOT a = b AND NOT NOT c')).toBe('(AND (NOT (= a b)) (NOT (NOT c)))');
    expect(e('a AND NOT b IS NULL')).toBe('(AND a (NOT (is-null b)))');
  });

  it('empty expression is an error at end of input', () => {
    expect(() => parseExpression('')).toThrow('syntax error at end of input');
  });
});

describe('parenthesised joins', () => {
  it('nest as written', () => {
    expect(sel('SELECT * FROM a JOIN (b JOIN c ON b.k = c.k) ON a.k = b.k').from[0]).toMatchObject({
      kind: 'join', left: { kind: 'named' }, right: { kind: 'join', left: { kind: 'named' }, right: { kind: 'named' } }, on: { kind: 'binary' },
    });
    expect(sel('SELECT * FROM (a CROSS JOIN b) JOIN c ON true').from[0]).toMatchObject({ kind: 'join', left: { kind: 'join', joinType: 'CROSS' } });
    expect(sel('SELECT * FROM ((SELECT 1) UNION (SELECT 2)) AS u').from[0]).toMatchObject({ kind: 'subquery', alias: { name: { value: 'u' } } });
  });
});

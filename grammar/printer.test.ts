import { describe, expect, it } from 'vitest';
import type * as A from './ast.ts';
import { parseExpression, parseSql } from './parse.ts';
import { printExpr, printType } from './printer.ts';

/** Deep copy without positions and `quoted` (printed identifiers come back quoted). */
function norm(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(norm);
  if (x !== null && typeof x === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x)) {
      if (k === 'pos' || k === 'quoted') continue;
      out[k] = norm(v);
    }
    return out;
  }
  return x;
}

describe('printExpr (Flink style)', () => {
  it.each([
    ["ts - INTERVAL '5' SECOND", "`ts` - INTERVAL '5' SECOND"],
    ['amount * 2', '`amount` * 2'],
    ['CAST(x AS BIGINT)', 'CAST(`x` AS BIGINT)'],
    ['upper(name)', 'UPPER(`name`)'],
    ['PROCTIME()', 'PROCTIME()'],
    ['price * quantity', '`price` * `quantity`'],
    ['(a + b) * c', '(`a` + `b`) * `c`'],
    ['a - (b - c)', '`a` - (`b` - `c`)'],
    ['a - b - c', '`a` - `b` - `c`'],
    ['NOT (a AND b) OR c', 'NOT (`a` AND `b`) OR `c`'],
    ['- -x', '-(-`x`)'],
    ["t.ts - INTERVAL '1' DAY TO HOUR", "`t`.`ts` - INTERVAL '1' DAY TO HOUR"],
    ["CASE WHEN a IS NULL THEN 'x' ELSE 'y' END", "CASE WHEN `a` IS NULL THEN 'x' ELSE 'y' END"],
    ['x::int', '`x`::INT'],
    ["TIMESTAMP '2024-01-01 00:00:00'", "TIMESTAMP '2024-01-01 00:00:00'"],
    ["'it''s'", "'it''s'"],
    ['count(*)', 'COUNT(*)'],
    ["TRIM(LEADING 'x' FROM s)", "TRIM(LEADING 'x' FROM `s`)"],
    ['EXTRACT(YEAR FROM ts)', 'EXTRACT(YEAR FROM `ts`)'],
    ['CURRENT_TIMESTAMP', 'CURRENT_TIMESTAMP'],
    ['CAST(x AS DECIMAL(10, 2))', 'CAST(`x` AS DECIMAL(10, 2))'],
    ['CAST(x AS TIMESTAMP(3) WITH LOCAL TIME ZONE)', 'CAST(`x` AS TIMESTAMP_LTZ(3))'],
    ['CAST(x AS ARRAY<INT NOT NULL>)', 'CAST(`x` AS ARRAY<INT NOT NULL>)'],
  ])('%s', (text, want) => {
    expect(printExpr(parseExpression(text))).toBe(want);
  });

  it('prints types', () => {
    const t = (s: string): A.TypeName => {
      const e = parseExpression(`CAST(x AS ${s})`);
      if (e.kind !== 'cast') throw new Error('cast');
      return e.type;
    };
    expect(printType(t('ROW<a INT, b STRING>'))).toBe('ROW<`a` INT, `b` STRING>');
    expect(printType(t('MAP<STRING, BIGINT>'))).toBe('MAP<STRING, BIGINT>');
    expect(printType(t('INT ARRAY'))).toBe('INT ARRAY');
    expect(printType(t('text[]'))).toBe('TEXT ARRAY');
    expect(printType(t('regclass'))).toBe('regclass');
    expect(printType(t('"char"'))).toBe('`char`');
    expect(printType(t('pg_catalog.text'))).toBe('pg_catalog.TEXT');
  });
});

const ROUND_TRIP = [
  '1 + 2 * 3 - 4 / 5 % 6',
  '(1 + 2) * (3 - 4)',
  '2 ^ 3 ^ 4',
  '2 ^ (3 ^ 4)',
  '-a + +b - ~c',
  'a OR b AND NOT c',
  '(a OR b) AND c',
  'NOT (a = b)',
  '(a = b) = (c = d)',
  'a IS NULL IS NOT NULL',
  '(a + 1) IS NOT TRUE',
  'a IS DISTINCT FROM (b = c)',
  'a BETWEEN b + 1 AND c * 2',
  'a NOT BETWEEN SYMMETRIC (b BETWEEN 1 AND 2) AND c',
  "a || 'x' || (b || c)",
  "s LIKE 'a%' ESCAPE '\\'",
  "s NOT ILIKE 'a' AND s SIMILAR TO 'b'",
  "s ~ 'x' OR s !~* ('y' || 'z')",
  'x IN (1, 2, 3) AND y NOT IN (SELECT a FROM t WHERE b > 1)',
  'EXISTS (SELECT 1 FROM t) OR x = ANY (ARRAY[1, 2]) OR y <> ALL (SELECT b FROM u)',
  'CASE x WHEN 1 THEN 2 WHEN 3 THEN 4 ELSE 5 END',
  'CASE WHEN a THEN b END',
  "CAST(a AS VARCHAR(10)) || TRY_CAST(b AS INT)",
  "(a::int + 1)::text",
  "arr[1] + (m)['k'] + (r).f",
  "x COLLATE \"C\"",
  "ROW(1, 'a') = (1, 'a')",
  "DATE '2024-01-01' + INTERVAL '1' DAY - INTERVAL '2 hours' + INTERVAL '1-2' YEAR TO MONTH + INTERVAL '10' SECOND(3)",
  "TIME '12:00:00' > LOCALTIME",
  'COALESCE(a, NULLIF(b, 0), 1.5e3)',
  'count(DISTINCT a) + sum(b) FILTER (WHERE b > 0)',
  'row_number() OVER (PARTITION BY k ORDER BY ts DESC NULLS FIRST ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)',
  "string_agg(s, ',' ORDER BY s)",
  "SUBSTRING(s FROM 2 FOR 3) || POSITION('a' IN s) || OVERLAY(s PLACING 'x' FROM 1)",
  'EXTRACT(DOW FROM ts) + FLOOR(ts TO HOUR)',
  "TIMESTAMPADD(WEEK, 1, d)",
  '$1 + $2',
  'a OPERATOR(pg_catalog.~) b',
  "(SELECT max(x) FROM t GROUP BY ROLLUP(a, b) HAVING count(*) > 1 ORDER BY 1 LIMIT 1)",
  "(SELECT 1 UNION SELECT 2 INTERSECT SELECT 3)",
  "(WITH w AS (SELECT 1 AS a) SELECT * FROM w JOIN v USING (a) LEFT JOIN u ON u.a = w.a)",
  '(SELECT 1 FROM a JOIN (b JOIN c ON b.k = c.k) ON a.k = b.k)',
  'TRUE AND FALSE OR NULL',
  "-(1) - -1",
];

describe('round trip: parse(print(e)) = e', () => {
  it.each(ROUND_TRIP)('%s', (text) => {
    const e = parseExpression(text);
    const printed = printExpr(e);
    expect(norm(parseExpression(printed))).toEqual(norm(e));
  });

  it('every computed column and watermark of the corpus round-trips', () => {
    const stmts = parseSql(`CREATE TABLE o (a INT, ts TIMESTAMP(3), c AS a * 2 + 1, d AS UPPER(CAST(a AS STRING)), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)`);
    const s = stmts[0]!;
    if (s.kind !== 'create-table') throw new Error(s.kind);
    const exprs = [...s.columns.flatMap((c) => (c.kind === 'computed' ? [c.expr] : [])), s.watermark!.expr];
    expect(exprs.map(printExpr)).toEqual(['`a` * 2 + 1', 'UPPER(CAST(`a` AS STRING))', "`ts` - INTERVAL '5' SECOND"]);
    for (const e of exprs) expect(norm(parseExpression(printExpr(e)))).toEqual(norm(e));
  });
});

describe('round trip over the sqllogictest corpus', () => {
  it('every expression in every parsable statement round-trips', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { parseSlt } = await import('../tests/sqllogictest/parser.ts');
    const dir = join(import.meta.dirname, '..', 'sqllogictest');
    const exprs: A.Expr[] = [];
    const collect = (x: unknown, key: string): void => {
      if (Array.isArray(x)) {
        for (const v of x) collect(v, key);
        return;
      }
      if (x === null || typeof x !== 'object') return;
      const o = x as Record<string, unknown>;
      if (['expr', 'where', 'having', 'on', 'value'].includes(key) && typeof o['kind'] === 'string') exprs.push(o as unknown as A.Expr);
      for (const [k, v] of Object.entries(o)) collect(v, k);
    };
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.slt'))) {
      for (const r of parseSlt(readFileSync(join(dir, f), 'utf8'), f)) {
        if (r.kind !== 'statement' && r.kind !== 'query') continue;
        try {
          collect(parseSql(r.sql), '');
        } catch {
          // statements that must fail are covered elsewhere
        }
      }
    }
    expect(exprs.length).toBeGreaterThan(100);
    const bad: string[] = [];
    for (const e of exprs) {
      const printed = printExpr(e);
      try {
        if (JSON.stringify(norm(parseExpression(printed))) !== JSON.stringify(norm(e))) bad.push(`differs: ${printed}`);
      } catch (x) {
        bad.push(`${printed}: ${(x as Error).message}`);
      }
    }
    expect(bad).toEqual([]);
  });
});

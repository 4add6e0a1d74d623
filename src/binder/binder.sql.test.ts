/**
 * Binder tests written as SQL text: the parser (grammar/parse.ts) builds the
 * AST, the binder runs against the test catalog. Positions are checked
 * against the text. Skipped while the parser does not exist yet.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { decimal, INT, NUMERIC, STRING, type SqlType } from '../../catalog/types.ts';
import type { Expr, Statement } from '../../grammar/ast.ts';
import type { LogicalPlan } from '../planner/logical-plan.ts';
import { SqlError } from '../errors.ts';
import { bindQuery } from './binder.ts';
import { testContext } from './binder.test-helpers.ts';

vi.mock('../functions/table-functions.ts', () => ({
  tableFunctionColumns: (name: string, argTypes: readonly SqlType[]) => {
    if (name === 'generate_series') return [{ name: 'generate_series', type: argTypes[0] ?? INT }];
    const t = argTypes[0];
    return [{ name: 'unnest', type: t?.kind === 'ARRAY' ? t.element : STRING }];
  },
}));

const hasParser = existsSync(new URL('../../grammar/parse.ts', import.meta.url));

interface Parser {
  parseSql(text: string): Statement[];
  parseExpression(text: string): Expr;
}

async function parser(): Promise<Parser> {
  const path = '../../grammar/parse.ts';
  return (await import(/* @vite-ignore */ path)) as Parser;
}

describe.skipIf(!hasParser)('binder on parsed SQL', () => {
  async function bind(sql: string, paramTypes: (SqlType | undefined)[] = []) {
    const p = await parser();
    const stmt = p.parseSql(sql)[0];
    if (stmt?.kind !== 'query-statement') throw new Error(`not a query: ${sql}`);
    const ctx = testContext({
      paramTypes,
      parseExpression: p.parseExpression,
      parseSql: (text) => {
        if (text === 'v') return p.parseSql('SELECT a, b FROM t WHERE a > 1');
        return p.parseSql(text);
      },
    });
    return bindQuery(stmt.query, ctx);
  }

  async function error(sql: string): Promise<SqlError> {
    try {
      await bind(sql);
    } catch (err) {
      if (err instanceof SqlError) return err;
      throw err;
    }
    throw new Error(`expected an error from ${sql}`);
  }

  const names = (p: LogicalPlan): string[] => p.schema.map((c) => c.name);

  it('binds a grouped, ordered, limited query', async () => {
    const { plan } = await bind('SELECT b, count(*) AS n, sum(a) FROM t WHERE c > 1.5 GROUP BY b HAVING count(*) > 1 ORDER BY n DESC LIMIT 5');
    expect(names(plan)).toEqual(['b', 'n', 'sum']);
    expect(plan.kind).toBe('limit');
  });

  it('reports positions from the text', async () => {
    const sql = 'SELECT nope FROM t';
    const e = await error(sql);
    expect([e.code, e.position]).toEqual(['42703', sql.indexOf('nope')]);
    const sql2 = 'SELECT * FROM t, missing';
    const e2 = await error(sql2);
    expect([e2.code, e2.position]).toEqual(['42P01', sql2.indexOf('missing')]);
    const sql3 = 'SELECT a FROM t JOIN u ON t.a = u.a';
    const e3 = await error(sql3);
    expect([e3.code, e3.position]).toEqual(['42702', sql3.indexOf('a FROM')]);
    const sql4 = 'SELECT a, count(*) FROM t';
    const e4 = await error(sql4);
    expect([e4.code, e4.position]).toEqual(['42803', sql4.indexOf('a,')]);
    const sql5 = 'SELECT * FROM t WHERE a';
    const e5 = await error(sql5);
    expect([e5.code, e5.position]).toEqual(['42804', sql5.lastIndexOf('a')]);
    const sql6 = "SELECT a::foo FROM t";
    const e6 = await error(sql6);
    expect(e6.code).toBe('42704');
  });

  it('reports clause-level errors with Postgres SQLSTATEs', async () => {
    const cases: [string, string, string][] = [
      ['SELECT a FROM t ORDER BY 3', '42P10', '3'],
      ['SELECT a FROM t GROUP BY 5', '42P10', '5'],
      ["VALUES (1), (2, 3)", '42601', '2, 3'],
      ['SELECT a FROM t UNION SELECT a, b FROM t', '42601', 'SELECT a FROM'],
      ['SELECT a FROM t LIMIT a', '42P10', 'a'],
      ['SELECT sum(a) FROM t GROUP BY sum(a)', '42803', 'sum(a)'],
      ['SELECT row_number() OVER () FROM t WHERE row_number() OVER () > 1', '42P20', 'row_number() OVER () >'],
      ['SELECT * FROM t JOIN u USING (zz)', '42703', 'zz'],
      ['SELECT x.* FROM t', '42P01', 'x.*'],
      ['SELECT t.zz FROM t', '42703', 'zz'],
      ['SELECT (SELECT a, b FROM t)', '42601', '(SELECT'],
      ['SELECT CAST(d AS INT) FROM u', '42846', 'CAST'],
    ];
    for (const [sql, code, at] of cases) {
      const e = await error(sql);
      expect([sql, e.code], e.message).toEqual([sql, code]);
      if (e.position !== undefined) expect([sql, e.position]).toEqual([sql, sql.lastIndexOf(at)]);
    }
  });

  it('adapts untyped literals and infers parameters', async () => {
    const { plan, paramTypes } = await bind("SELECT * FROM events WHERE ts > '2024-01-01 00:00:00' AND id = $1 AND $2 = 'x'");
    expect(paramTypes).toEqual([{ kind: 'BIGINT' }, STRING]);
    expect(plan.kind).toBe('project');
  });

  it('types NUMERIC / DECIMAL without precision as unconstrained numeric', async () => {
    const { plan } = await bind(
      "SELECT CAST('1.50' AS NUMERIC) AS a, CAST(1 AS DECIMAL) AS b, 1.5::numeric(5) AS c, 1.5::decimal(6, 2) AS d, 1.5::pg_catalog.numeric + 1.25 AS e, $1::numeric AS f",
    );
    expect(plan.schema.map((c) => c.type)).toEqual([NUMERIC, NUMERIC, decimal(5, 0), decimal(6, 2), NUMERIC, NUMERIC]);
    expect(String((await bind('SELECT $1 + 1', [NUMERIC])).plan.schema[0]!.type.kind)).toBe('NUMERIC');
    const big = await bind('SELECT 1.5 AS a, 123456789012345678901234567890123456789.5 AS b');
    expect(big.plan.schema.map((c) => c.type)).toEqual([decimal(2, 1), NUMERIC]);
  });

  it('binds unions, VALUES and CTEs', async () => {
    const u = await bind('SELECT a FROM t UNION ALL SELECT c FROM t ORDER BY 1');
    expect(u.plan.schema[0]!.type.kind).toBe('DOUBLE');
    const v = await bind("VALUES (1, 'a'), (2, 'b')");
    expect(names(v.plan)).toEqual(['column1', 'column2']);
    const w = await bind('WITH x(k) AS (SELECT a FROM t), y AS (SELECT k FROM x) SELECT * FROM y');
    expect(names(w.plan)).toEqual(['k']);
  });

  it('binds correlated and uncorrelated subqueries', async () => {
    const { plan } = await bind('SELECT a, (SELECT max(d) FROM u WHERE u.a = t.a) AS md FROM t WHERE EXISTS (SELECT 1 FROM u) AND a IN (SELECT a FROM u)');
    expect(names(plan)).toEqual(['a', 'md']);
  });

  it('binds window functions and computed columns', async () => {
    const { plan } = await bind('SELECT id, doubled, row_number() OVER (PARTITION BY doubled ORDER BY ts) FROM events');
    expect(names(plan)).toEqual(['id', 'doubled', 'row_number']);
  });

  it('binds views inline under their column names', async () => {
    const { plan } = await bind('SELECT * FROM v WHERE va > 2');
    expect(names(plan)).toEqual(['va', 'vb']);
    expect(plan.schema.map((c) => c.type)).toEqual([INT, STRING]);
  });

  it('binds correlated subqueries over grouped rows', async () => {
    const { plan } = await bind('SELECT b, (SELECT count(*) FROM u WHERE u.d IS NOT NULL AND t.b IS NOT NULL) FROM t GROUP BY b');
    expect(names(plan)).toEqual(['b', 'count']);
    const e = await error('SELECT b, (SELECT count(*) FROM u WHERE u.a = t.a) FROM t GROUP BY b');
    expect([e.code, e.message]).toEqual(['42803', 'subquery uses ungrouped column "t.a" from outer query']);
  });

  it('binds table functions in FROM', async () => {
    const { plan } = await bind('SELECT s FROM generate_series(1, 3) AS s');
    expect(names(plan)).toEqual(['s']);
  });
});

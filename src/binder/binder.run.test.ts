/**
 * Bound plans executed by the compiler over in-memory tables: checks that the
 * column numbering the binder produces (joins, USING merges, aggregates,
 * windows, hidden sort columns, correlated subqueries) computes the right rows.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { INT, type Row, type SqlType } from '../../catalog/types.ts';
import type { Statement } from '../../grammar/ast.ts';
import { runQuery } from '../compiler/query-runner.ts';
import { FAKE_DEPS, MemorySource, testContext as evalContext } from '../compiler/plan.test-helpers.ts';
import { castFunction } from '../values/cast.ts';
import { bindQuery } from './binder.ts';
import { fakeFunctions, testContext } from './binder.test-helpers.ts';

vi.mock('../functions/table-functions.ts', () => ({
  tableFunctionColumns: (name: string, argTypes: readonly SqlType[]) => [{ name, type: argTypes[0] ?? INT }],
}));

const hasParser = existsSync(new URL('../../grammar/parse.ts', import.meta.url));

const TABLES: Record<number, Row[]> = {
  16384: [
    [1, 'x', 1.5],
    [2, 'y', 2.5],
    [3, 'x', 3.5],
    [4, null, 4.5],
  ],
  16385: [
    [1, 10],
    [3, 30],
    [3, 31],
    [5, 50],
  ],
  16386: [
    [1n, 0],
    [2n, 0],
  ],
};

describe.skipIf(!hasParser)('bound plans run', () => {
  async function run(sql: string, params: unknown[] = []): Promise<Row[]> {
    const path = '../../grammar/parse.ts';
    const p = (await import(/* @vite-ignore */ path)) as { parseSql(text: string): Statement[]; parseExpression(text: string): never };
    const stmt = p.parseSql(sql)[0];
    if (stmt?.kind !== 'query-statement') throw new Error('not a query');
    const { plan } = bindQuery(stmt.query, testContext({ parseExpression: p.parseExpression, parseSql: p.parseSql }));
    const env = {
      ctx: evalContext,
      params: params as never[],
      source: new MemorySource(TABLES),
      functions: fakeFunctions,
      cast: castFunction,
      signal: new AbortController().signal,
    };
    const out: Row[] = [];
    for await (const rows of runQuery(plan, env, FAKE_DEPS).run()) out.push(...rows);
    return out;
  }

  it('joins on equi keys and filters', async () => {
    expect(await run("SELECT t.a, u.d FROM t JOIN u ON t.a = u.a WHERE u.d > DATE '1970-01-11' ORDER BY 2")).toEqual([
      [3, 30],
      [3, 31],
    ]);
  });

  it('merges USING columns of a full join', async () => {
    expect(await run('SELECT a, b, d FROM t FULL JOIN u USING (a) ORDER BY a, d')).toEqual([
      [1, 'x', 10],
      [2, 'y', null],
      [3, 'x', 30],
      [3, 'x', 31],
      [4, null, null],
      [5, null, 50],
    ]);
  });

  it('groups, filters groups and sorts by a hidden aggregate', async () => {
    expect(await run('SELECT b, count(*) FROM t GROUP BY b HAVING count(*) >= 1 ORDER BY sum(a) DESC')).toEqual([
      ['x', 2n],
      [null, 1n],
      ['y', 1n],
    ]);
  });

  it('runs correlated subqueries, also over grouped rows', async () => {
    expect(await run('SELECT a, (SELECT max(d) FROM u WHERE u.a = t.a) FROM t ORDER BY a')).toEqual([
      [1, 10],
      [2, null],
      [3, 31],
      [4, null],
    ]);
    expect(await run('SELECT b, (SELECT count(*) FROM u WHERE u.a > t.b::int) FROM t WHERE b IS NULL GROUP BY b')).toEqual([[null, 0n]]);
    expect(await run('SELECT a FROM t WHERE EXISTS (SELECT 1 FROM u WHERE u.a = t.a) AND a NOT IN (SELECT 1) ORDER BY a')).toEqual([[3]]);
  });

  it('numbers window results after the input columns', async () => {
    expect(await run('SELECT a, row_number() OVER (ORDER BY a DESC) FROM t ORDER BY a')).toEqual([
      [1, 4n],
      [2, 3n],
      [3, 2n],
      [4, 1n],
    ]);
  });

  it('runs windows over aggregates, named windows and frames', async () => {
    expect(await run('SELECT b, sum(a), sum(sum(a)) OVER () FROM t WHERE b IS NOT NULL GROUP BY b ORDER BY b')).toEqual([
      ['x', 4n, 6n],
      ['y', 2n, 6n],
    ]);
    expect(await run('SELECT a, sum(a) OVER (w ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM t WINDOW w AS (ORDER BY a) ORDER BY a')).toEqual([
      [1, 1n],
      [2, 3n],
      [3, 5n],
      [4, 7n],
    ]);
  });

  it('unions, limits and evaluates computed columns', async () => {
    expect(await run('SELECT a FROM t UNION SELECT a FROM u ORDER BY 1 LIMIT 3 OFFSET 1')).toEqual([[2], [3], [4]]);
    expect(await run('SELECT id, doubled FROM events ORDER BY id')).toEqual([
      [1n, 2n],
      [2n, 4n],
    ]);
  });

  it('runs a set-returning function in the select list', async () => {
    expect(await run('SELECT a, generate_series(1, a) AS g FROM t WHERE a <= 2 ORDER BY a, g')).toEqual([
      [1, 1],
      [2, 1],
      [2, 2],
    ]);
    expect(await run('SELECT generate_series(1, 3)')).toEqual([[1], [2], [3]]);
  });

  it('runs several set-returning functions of a select list in lockstep, padding with NULL', async () => {
    expect(await run('SELECT a, generate_series(1, a) AS g, generate_series(10, 11) * 2 AS h FROM t WHERE a IN (1, 3) ORDER BY a, g')).toEqual([
      [1, 1, 20],
      [1, null, 22],
      [3, 1, 20],
      [3, 2, 22],
      [3, 3, null],
    ]);
  });

  it('keeps the first row per DISTINCT ON group', async () => {
    expect(await run('SELECT DISTINCT ON (b) b, a FROM t ORDER BY b, a DESC')).toEqual([
      ['x', 3],
      ['y', 2],
      [null, 4],
    ]);
  });

  it('runs ROLLUP grouping sets', async () => {
    expect(await run('SELECT b, count(*), grouping(b) FROM t WHERE b IS NOT NULL GROUP BY ROLLUP (b) ORDER BY b')).toEqual([
      ['x', 2n, 0],
      ['y', 1n, 0],
      [null, 3n, 1],
    ]);
  });

  it('runs lateral table functions', async () => {
    expect(await run('SELECT a, g FROM t, generate_series(1, a) AS g WHERE a <= 2 ORDER BY a, g')).toEqual([
      [1, 1],
      [2, 1],
      [2, 2],
    ]);
  });
});

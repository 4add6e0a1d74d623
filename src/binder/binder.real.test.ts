/**
 * The binder with the real function library, table functions and compiler:
 * parsed SQL -> bound plan -> rows. Checks that the names the binder resolves
 * (operators, any:/all:, array_constructor, date_part, like, coalesce, ...)
 * exist in the library with the argument types the binder passes.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Row } from '../../catalog/types.ts';
import type { Statement } from '../../grammar/ast.ts';
import { MemorySource, testContext as evalContext } from '../compiler/plan.test-helpers.ts';
import { castFunction } from '../values/cast.ts';
import { SqlError } from '../errors.ts';
import { bindQuery } from './binder.ts';
import { testContext } from './binder.test-helpers.ts';

const ready = ['../../grammar/parse.ts', '../functions/functions.ts', '../functions/table-functions.ts', '../compiler/compile.ts'].every((p) =>
  existsSync(new URL(p, import.meta.url)),
);

const TABLES: Record<number, Row[]> = {
  16384: [
    [1, 'apple', 1.5],
    [2, 'banana', 2.5],
    [3, 'cherry', null],
  ],
  16385: [
    [1, 19000],
    [3, 19001],
  ],
};

describe.skipIf(!ready)('binder with the real function library', () => {
  async function run(sql: string, params: unknown[] = []): Promise<Row[]> {
    const parse = (await import(/* @vite-ignore */ '../../grammar/parse.ts')) as unknown as { parseSql(t: string): Statement[]; parseExpression(t: string): never };
    const { functions } = (await import(/* @vite-ignore */ '../functions/functions.ts')) as typeof import('../functions/functions.ts');
    const { compileQuery } = (await import(/* @vite-ignore */ '../compiler/compile.ts')) as typeof import('../compiler/compile.ts');
    const stmt = parse.parseSql(sql)[0];
    if (stmt?.kind !== 'query-statement') throw new Error('not a query');
    const { plan } = bindQuery(stmt.query, testContext({ functions, parseExpression: parse.parseExpression, parseSql: parse.parseSql }));
    const env = {
      ctx: evalContext,
      params: params as never[],
      source: new MemorySource(TABLES),
      functions,
      cast: castFunction,
      signal: new AbortController().signal,
    };
    const out: Row[] = [];
    for await (const rows of compileQuery(plan, env).run()) out.push(...rows);
    return out;
  }

  it('evaluates operators, LIKE, CASE, COALESCE, BETWEEN', async () => {
    expect(
      await run(
        "SELECT a + 1, b || '!', b LIKE 'b%', CASE WHEN a > 1 THEN 'big' ELSE 'small' END, coalesce(c, 0), a BETWEEN 2 AND 3 FROM t ORDER BY a",
      ),
    ).toEqual([
      [2, 'apple!', false, 'small', 1.5, false],
      [3, 'banana!', true, 'big', 2.5, true],
      [4, 'cherry!', false, 'big', 0, true],
    ]);
  });

  it('evaluates ANY over arrays, IN lists, EXTRACT and typed literals', async () => {
    expect(await run("SELECT a FROM t WHERE a = ANY(ARRAY[1, 3]) AND b IN ('apple', 'cherry') ORDER BY a")).toEqual([[1], [3]]);
    expect(await run("SELECT EXTRACT(YEAR FROM DATE '2024-03-01')")).toHaveLength(1);
    expect(await run('SELECT -a, upper(b), length(b) FROM t WHERE a = 2')).toEqual([[-2, 'BANANA', 6]]);
  });

  it('NULLIF keeps the first argument at its own type when the comparison widens it', async () => {
    // DECIMAL(10,0) compared with DECIMAL(10,2): the result is 1 at scale 0, not 100.
    expect(await run('SELECT NULLIF(CAST(1 AS DECIMAL(10,0)), CAST(0.05 AS DECIMAL(10,2))), NULLIF(CAST(1 AS DECIMAL(10,0)), CAST(1 AS DECIMAL(10,2)))')).toEqual([
      [1n, null],
    ]);
  });

  it('an explicit cast of a string literal to VARCHAR(n) or CHAR(n) truncates', async () => {
    expect(await run("SELECT CAST('Hello World' AS VARCHAR(3)), CAST(' pad ' AS CHAR(3)), CAST('ab' AS CHAR(4)), CAST('a😀bc' AS VARCHAR(2))")).toEqual([
      ['Hel', ' pa', 'ab  ', 'a😀'],
    ]);
  });

  it('a string literal compared with a VARCHAR(n) is not cut to n', async () => {
    expect(await run("SELECT CAST(b AS VARCHAR(3)) IN ('apple', 'app'), CAST(b AS VARCHAR(3)) = 'apple' FROM t WHERE a = 1")).toEqual([[true, false]]);
  });

  it('EXTRACT of a time field from a DATE fails with 0A000', async () => {
    await expect(run("SELECT EXTRACT(HOUR FROM DATE '2024-03-01')")).rejects.toMatchObject({ code: '0A000', message: 'unit "hour" not supported for type date' });
    expect(await run("SELECT EXTRACT(DAY FROM DATE '2024-03-01')")).toEqual([[1]]);
  });

  it('aggregates and windows', async () => {
    expect(await run('SELECT count(*), sum(a), max(b), avg(c) FROM t')).toEqual([[3n, 6, 'cherry', 2]]);
    expect(await run('SELECT a, sum(a) OVER (ORDER BY a) FROM t ORDER BY a')).toEqual([
      [1, 1],
      [2, 3],
      [3, 6],
    ]);
  });

  it('runs generate_series and unnest', async () => {
    expect(await run('SELECT * FROM generate_series(1, 3) AS g')).toEqual([[1], [2], [3]]);
    expect(await run('SELECT x FROM unnest(ARRAY[5, 6]) AS x')).toEqual([[5], [6]]);
  });

  it('reports library errors at the call position', async () => {
    const sql = 'SELECT upper(a) FROM t';
    await expect(run(sql)).rejects.toMatchObject({ code: '42883', position: sql.indexOf('upper') });
    const sql2 = "SELECT a + b FROM t";
    const e = await run(sql2).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(SqlError);
    expect((e as SqlError).message).toBe('operator does not exist: integer + text');
  });
});

import { describe, expect, it } from 'vitest';
import { BOOLEAN, DOUBLE, INT, STRING, type Row } from '../../catalog/types.ts';
import type { BoundExpr } from '../binder/bound-expr.ts';
import { functions } from '../functions/functions.ts';
import type { LogicalPlan } from '../planner/logical-plan.ts';
import { SqlError } from '../errors.ts';
import { runQuery } from './query-runner.ts';
import { FAKE_DEPS, MemorySource, add, col, gt, lit, runPlan, scanNode, schemaOf, testEnv } from './plan.test-helpers.ts';
import type { ExecEnv, RowSource } from './compile.ts';

const endless = scanNode(99, [INT], { unbounded: true });

describe('running a plan', () => {
  it('streams project and filter results chunk by chunk', async () => {
    const source = new MemorySource({ 1: Array.from({ length: 10 }, (_, i) => [i]) }, 2);
    const plan: LogicalPlan = {
      kind: 'project',
      input: { kind: 'filter', input: scanNode(1, [INT]), predicate: gt(col(0), lit(4)), schema: schemaOf([INT]) },
      exprs: [add(col(0), lit(100))],
      schema: schemaOf([INT]),
    };
    const it = runQuery(plan, testEnv(source), FAKE_DEPS).run()[Symbol.asyncIterator]();
    const first = await it.next();
    expect(first.value).toEqual([[105]]);
    // Only the batches needed for the first output have been read.
    expect(source.batchesRead).toBe(3);
    const rest: Row[] = [];
    for (let r = await it.next(); r.done !== true; r = await it.next()) rest.push(...r.value);
    expect(rest).toEqual([[106], [107], [108], [109]]);
    expect(source.closed).toBe(1);
  });

  it('applies a pushed-down scan filter', async () => {
    const rows = await runPlan(scanNode(1, [INT], { filter: gt(col(0), lit(1)) }), { 1: [[1], [2], [null], [3]] });
    expect(rows).toEqual([[2], [3]]);
  });

  it('stops a LIMIT over a never-ending source and closes it', async () => {
    const source = new MemorySource({}, 4);
    const plan: LogicalPlan = { kind: 'limit', input: endless, limit: lit(10), schema: endless.schema };
    const rows = await runPlan(plan, source);
    expect(rows.map((r) => r[0])).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(source.closed).toBe(1);
    expect(source.batchesRead).toBe(3);
  });

  it('rejects with 57014 when cancelled while reading', async () => {
    const ac = new AbortController();
    const source = new MemorySource({}, 4);
    const it = runQuery(endless, testEnv(source, { signal: ac.signal }), FAKE_DEPS).run()[Symbol.asyncIterator]();
    await it.next();
    ac.abort();
    await expect(it.next()).rejects.toMatchObject({ code: '57014', message: 'canceling statement due to user request' });
  });

  it('rejects with 57014 when cancelled while the source waits', async () => {
    const ac = new AbortController();
    const stuck: RowSource = {
      async *scan() {
        await new Promise(() => {});
        yield [];
      },
    };
    const rows = (async () => {
      for await (const _ of runQuery(endless, testEnv(stuck, { signal: ac.signal }), FAKE_DEPS).run()) void _;
    })();
    setTimeout(() => ac.abort(), 5);
    await expect(rows).rejects.toBeInstanceOf(SqlError);
    await expect(rows).rejects.toMatchObject({ code: '57014' });
  });

  it('rejects at once when already cancelled', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(runPlan(scanNode(1, [INT]), { 1: [[1]] }, { signal: ac.signal })).rejects.toMatchObject({ code: '57014' });
  });

  it('cancels a blocking operator (sort) between source batches', async () => {
    const ac = new AbortController();
    const source = new MemorySource({}, 8);
    const plan: LogicalPlan = { kind: 'sort', input: endless, keys: [{ expr: col(0), desc: false, nullsFirst: false }], schema: endless.schema };
    const p = runPlan(plan, source, { signal: ac.signal });
    setTimeout(() => ac.abort(), 5);
    await expect(p).rejects.toMatchObject({ code: '57014' });
    await new Promise((r) => setTimeout(r, 5));
    expect(source.closed).toBe(1);
  });

  it('closes the sources when the consumer stops early', async () => {
    const source = new MemorySource({ 1: Array.from({ length: 10 }, (_, i) => [i]) }, 2);
    for await (const rows of runQuery(scanNode(1, [INT]), testEnv(source), FAKE_DEPS).run()) {
      expect(rows).toEqual([[0], [1]]);
      break;
    }
    expect(source.closed).toBe(1);
  });
});

describe('pg_sleep in a running plan', () => {
  const sleep = (seconds: number): BoundExpr => ({ kind: 'call', fn: 'pg_sleep(DOUBLE)', name: 'pg_sleep', args: [lit(seconds, DOUBLE)], type: STRING, volatile: true });
  const sleepingProject = (seconds: number, relationId = 1): LogicalPlan => ({
    kind: 'project',
    input: scanNode(relationId, [INT]),
    exprs: [col(0), sleep(seconds)],
    schema: schemaOf([INT, STRING]),
  });
  /** The fake library's environment with the real pg_sleep, and a fresh EvalContext (one per statement, as sessions make). */
  const sleepEnv = (source: RowSource, signal?: AbortSignal): ExecEnv => ({
    ...testEnv(source, signal === undefined ? {} : { signal }),
    ctx: { ...testEnv(source).ctx },
    functions,
  });

  it('holds each chunk back for the sleeps its rows called, in total', async () => {
    const source = new MemorySource({ 1: [[1], [2], [3]] }, 2);
    const started = Date.now();
    const seen: { rows: Row[]; at: number }[] = [];
    for await (const rows of runQuery(sleepingProject(0.05), sleepEnv(source), FAKE_DEPS).run()) seen.push({ rows, at: Date.now() - started });
    expect(seen.map((s) => s.rows)).toEqual([[[1, ''], [2, '']], [[3, '']]]);
    expect(seen[0]!.at).toBeGreaterThanOrEqual(95);
    expect(seen[1]!.at).toBeGreaterThanOrEqual(145);
  });

  it('keeps the event loop free while it sleeps', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    try {
      await runPlanWith(sleepingProject(0.2), sleepEnv(new MemorySource({ 1: [[1]] })));
    } finally {
      clearInterval(timer);
    }
    expect(ticks).toBeGreaterThanOrEqual(10);
  });

  it('ends a sleep with 57014 when cancelled', async () => {
    const ac = new AbortController();
    const started = Date.now();
    const p = runPlanWith(sleepingProject(60), sleepEnv(new MemorySource({ 1: [[1]] }), ac.signal));
    setTimeout(() => ac.abort(), 50);
    await expect(p).rejects.toMatchObject({ code: '57014' });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('reports the abort reason when it is a SqlError', async () => {
    const ac = new AbortController();
    const p = runPlanWith(sleepingProject(60), sleepEnv(new MemorySource({ 1: [[1]] }), ac.signal));
    setTimeout(() => ac.abort(new SqlError('57014', 'canceling statement due to statement timeout')), 20);
    await expect(p).rejects.toMatchObject({ code: '57014', message: 'canceling statement due to statement timeout' });
  });

  it('sleeps for rows a filter then drops', async () => {
    const plan: LogicalPlan = {
      kind: 'filter',
      input: sleepingProject(0.1),
      predicate: lit(false, BOOLEAN),
      schema: schemaOf([INT, STRING]),
    };
    const started = Date.now();
    expect(await runPlanWith(plan, sleepEnv(new MemorySource({ 1: [[1]] })))).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(95);
  });
});

async function runPlanWith(plan: LogicalPlan, env: ExecEnv): Promise<Row[]> {
  const out: Row[] = [];
  for await (const rows of runQuery(plan, env, FAKE_DEPS).run()) out.push(...rows);
  return out;
}

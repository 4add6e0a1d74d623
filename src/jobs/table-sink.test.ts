/**
 * TableSink under both changelog modes, in process: the same random changes
 * to an endless source, aggregated and written into a table with a PRIMARY
 * KEY, once with the aggregation retracting (-U/+U) and once in upsert mode
 * (the sink key is the group key, no -U), give the same table after every
 * checkpoint, equal to the batch answer; so does a deduplication (Top-N
 * keeping rank 1) keyed on its partition key. A table keyed wider than the group
 * key and a filter in between keep retract mode, and the table stays right:
 * a -U deletes the row it retracts unless its +U replaces it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIGINT, BOOLEAN, INT, type Row } from '../../catalog/types.ts';
import type { TableDefinition } from '../../catalog/relation.ts';
import { builtinConnectors } from '../../connectors/index.ts';
import { Database } from '../database.ts';
import { RowKind, formatChunk, type Chunk } from '../dataflow/chunk.ts';
import type { AggregateNode, LogicalPlan, WindowNode } from '../planner/logical-plan.ts';
import { upsertChainOf } from '../planner/changelog-mode.ts';
import { col, lit, MemorySource, schemaOf, testEnv } from '../compiler/plan.test-helpers.ts';
import { filter, gt, project, scan } from '../optimizer/optimizer.test-helpers.ts';
import { compileStream } from '../streaming/stream-compiler.ts';
import type { Port } from '../streaming/dataflow.ts';
import type { StreamInputs } from '../streaming/stream-sources.ts';
import { canon, prng } from '../streaming/streaming.test-helpers.ts';
import { runSql } from '../../tests/harness/session-sql.ts';
import { TableSink } from './jobs.ts';

const dirs: string[] = [];
const dbs: Database[] = [];
afterEach(async () => {
  for (const db of dbs.splice(0)) await db.close().catch(() => undefined);
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

const env = testEnv(new MemorySource({}));
/** The endless source is fed by hand; the relation is only looked up at compile time. */
const inputs = { relation: () => ({ kind: 'table', options: {}, columns: [] }) } as unknown as StreamInputs;

/** An endless stream of (k, v). */
const events = (): LogicalPlan => ({ ...scan(1, 'events', ['k', 'v']), unbounded: true });

/** SELECT k, COUNT(*) AS n, SUM(v) AS total FROM events GROUP BY k. */
const perKey = (): AggregateNode => ({
  kind: 'aggregate',
  input: events(),
  groupKeys: [col(0)],
  aggregates: [
    { fn: 'count_star', args: [], distinct: false, orderBy: [], type: BIGINT },
    { fn: 'sum', args: [col(1)], distinct: false, orderBy: [], type: BIGINT },
  ],
  schema: [...schemaOf([INT], 'k'), { name: 'n', type: BIGINT, nullable: false }, { name: 'total', type: BIGINT, nullable: true }],
});

async function openDb(): Promise<{ db: Database; run: (sql: string) => Promise<Row[]> }> {
  const dir = await mkdtemp(join(tmpdir(), 'millrace-sink-'));
  dirs.push(dir);
  const db = await Database.open(dir, builtinConnectors, { checkpointIntervalMs: 1_000_000 });
  dbs.push(db);
  const s = db.openSession(new Map([['user', 'test'], ['database', 'millrace']]));
  return { db, run: (sql) => runSql(s, sql) };
}

/** Compiles `plan` into a TableSink on `table`; returns the source port, the sink and every kind the sink received. */
function start(
  db: Database,
  plan: LogicalPlan,
  table: TableDefinition,
  upsertKey: readonly number[] | undefined,
  storedReading: 'snapshot' | 'changelog' = 'snapshot',
): { source: Port; sink: TableSink; kinds: Set<string> } {
  const sink = new TableSink(db.tables, table, (row) => row.map((v) => (typeof v === 'number' ? BigInt(v) : v)));
  const kinds = new Set<string>();
  const tee: Port = {
    chunk: (c: Chunk) => {
      for (const line of formatChunk(c).split('\n')) if (line !== '') kinds.add(line.slice(0, 2));
      sink.chunk(c);
    },
    watermark: () => {},
    end: () => {},
    idle: () => {},
    barrier: (id) => sink.barrier(id),
  };
  const compiled = compileStream(plan, env, inputs, tee, { storedReading, emptyInputRow: false, finish: () => {}, upsertKey });
  return { source: compiled.sources[0]!.port, sink, kinds };
}

/** Random inserts and deletes of (k, v) rows (deletes only of rows present), in chunks. */
function changes(seed: number, steps: number): Chunk[] {
  const rand = prng(seed);
  const live: Row[] = [];
  const out: Chunk[] = [];
  for (let s = 0; s < steps; s++) {
    const rows: Row[] = [];
    const kinds: number[] = [];
    for (let i = 0, n = 1 + rand(6); i < n; i++) {
      if (live.length > 0 && rand(3) === 0) {
        rows.push(live.splice(rand(live.length), 1)[0]!);
        kinds.push(RowKind.DELETE);
      } else {
        const row: Row = [rand(5), rand(10)];
        live.push(row);
        rows.push(row);
        kinds.push(RowKind.INSERT);
      }
    }
    out.push({ rows, kinds: Uint8Array.from(kinds) });
  }
  return out;
}

describe('TableSink and the upsert changelog mode', () => {
  it('writes the same table from an aggregation in upsert mode (no -U) as in retract mode', async () => {
    const { db, run } = await openDb();
    await run('CREATE TABLE by_retract (k BIGINT, n BIGINT, total BIGINT, PRIMARY KEY (k) NOT ENFORCED)');
    await run('CREATE TABLE by_upsert (k BIGINT, n BIGINT, total BIGINT, PRIMARY KEY (k) NOT ENFORCED)');
    const table = (name: string): TableDefinition => db.catalog.lookup([name]) as unknown as TableDefinition;
    const plan = perKey();
    expect(upsertChainOf(plan, [0]).map((u) => u.node)).toEqual([plan]);
    const retract = start(db, plan, table('by_retract'), undefined);
    const upsert = start(db, plan, table('by_upsert'), [0]);
    let id = 0;
    const live = new Map<bigint, { n: bigint; total: bigint }>();
    for (const c of changes(7, 80)) {
      retract.source.chunk(c);
      upsert.source.chunk(c);
      for (let i = 0; i < c.rows.length; i++) {
        const [k, v] = (c.rows[i] as [number, number]).map(BigInt) as [bigint, bigint];
        const sign = c.kinds![i] === RowKind.DELETE ? -1n : 1n;
        const g = live.get(k) ?? { n: 0n, total: 0n };
        g.n += sign;
        g.total += sign * v;
        if (g.n === 0n) live.delete(k);
        else live.set(k, g);
      }
      id++;
      for (const f of [retract, upsert]) {
        f.source.barrier(id);
        await f.sink.commit(id, []);
      }
      const want = canon([...live].map(([k, g]) => [k, g.n, g.total]));
      expect(canon(await run('SELECT * FROM by_retract')), `step ${id}`).toEqual(want);
      expect(canon(await run('SELECT * FROM by_upsert')), `step ${id}`).toEqual(want);
    }
    expect(retract.kinds.has('-U')).toBe(true);
    expect(upsert.kinds.has('-U')).toBe(false);
    expect(upsert.kinds.has('+U')).toBe(true);
    expect(upsert.kinds.has('-D')).toBe(true);
  });

  it('writes the same table from a deduplication (ROW_NUMBER Top-N, rank 1) in upsert mode as in retract mode', async () => {
    const { db, run } = await openDb();
    await run('CREATE TABLE top_retract (k BIGINT, v BIGINT, PRIMARY KEY (k) NOT ENFORCED)');
    await run('CREATE TABLE top_upsert (k BIGINT, v BIGINT, PRIMARY KEY (k) NOT ENFORCED)');
    await run('CREATE TABLE top_appended (k BIGINT, v BIGINT, PRIMARY KEY (k) NOT ENFORCED)');
    // SELECT k, v FROM (SELECT k, v, ROW_NUMBER() OVER (PARTITION BY k ORDER BY v DESC) AS rn FROM events) WHERE rn <= 1
    const input = events();
    const window: WindowNode = {
      kind: 'window',
      input,
      calls: [{ fn: 'row_number', args: [], partitionBy: [col(0)], orderBy: [{ expr: col(1), desc: true, nullsFirst: true }], type: BIGINT }],
      schema: [...input.schema, { name: 'rn', type: BIGINT, nullable: false }],
    } as WindowNode;
    const rn = { kind: 'column' as const, index: 2, type: BIGINT };
    const topN: LogicalPlan = { kind: 'filter', input: window, predicate: { kind: 'call', fn: 'le', name: '<=', args: [rn, lit(1n, BIGINT)], type: BOOLEAN, volatile: false }, schema: window.schema };
    const plan = project(topN, [col(0), col(1)], ['k', 'v']);
    expect(upsertChainOf(plan, [0]).map((u) => u.node)).toEqual([plan, topN]);
    const table = (name: string): TableDefinition => db.catalog.lookup([name]) as unknown as TableDefinition;
    // Over a retracting input (stored tables read as changelogs); the retract form is what SUBSCRIBE runs.
    const retract = start(db, plan, table('top_retract'), undefined, 'changelog');
    const upsert = start(db, plan, table('top_upsert'), [0], 'changelog');
    // Over an insert-only input, as an INSERT job runs it (refused there without a sink keyed on k).
    const appended = start(db, plan, table('top_appended'), [0]);
    expect(() => start(db, plan, table('top_appended'), undefined)).toThrow(/Top-N/);
    const live: Row[] = [];
    const inserted = new Map<number, number>();
    let id = 0;
    for (const c of changes(11, 80)) {
      retract.source.chunk(c);
      upsert.source.chunk(c);
      const inserts = c.rows.filter((_, i) => c.kinds![i] === RowKind.INSERT);
      appended.source.chunk({ rows: inserts, kinds: null });
      for (const [k, v] of inserts as [number, number][]) inserted.set(k, Math.max(v, inserted.get(k) ?? -1));
      for (let i = 0; i < c.rows.length; i++) {
        if (c.kinds![i] === RowKind.DELETE) live.splice(live.indexOf(c.rows[i]!), 1);
        else live.push(c.rows[i]!);
      }
      id++;
      for (const f of [retract, upsert, appended]) {
        f.source.barrier(id);
        await f.sink.commit(id, []);
      }
      expect(canon(await run('SELECT * FROM top_appended')), `step ${id}`).toEqual(canon([...inserted].map(([k, v]) => [BigInt(k), BigInt(v)])));
      const top = new Map<number, number>();
      for (const [k, v] of live as [number, number][]) top.set(k, Math.max(v, top.get(k) ?? -1));
      const want = canon([...top].map(([k, v]) => [BigInt(k), BigInt(v)]));
      expect(canon(await run('SELECT * FROM top_retract')), `step ${id}`).toEqual(want);
      expect(canon(await run('SELECT * FROM top_upsert')), `step ${id}`).toEqual(want);
    }
    expect(retract.kinds.has('-U')).toBe(true);
    expect(upsert.kinds.has('-U')).toBe(false);
    expect(upsert.kinds.has('+U')).toBe(true);
    expect(appended.kinds.has('-U')).toBe(false);
  });

  it('keeps retract mode for a key wider than the group key, where each -U deletes the row it retracts', async () => {
    const { db, run } = await openDb();
    await run('CREATE TABLE counts (k BIGINT, n BIGINT, PRIMARY KEY (k, n) NOT ENFORCED)');
    // SELECT k, COUNT(*) AS n ... GROUP BY k into a table keyed (k, n): an update changes the key.
    const plan = project(perKey(), [col(0), col(1, BIGINT)], ['k', 'n']);
    expect(upsertChainOf(plan, [0, 1])).toEqual([]);
    const f = start(db, plan, db.catalog.lookup(['counts']) as unknown as TableDefinition, [0, 1]);
    const step = async (id: number, rows: Row[], kind: number = RowKind.INSERT): Promise<string[]> => {
      f.source.chunk({ rows, kinds: Uint8Array.from(rows.map(() => kind)) });
      f.source.barrier(id);
      await f.sink.commit(id, []);
      return canon(await run('SELECT * FROM counts'));
    };
    expect(await step(1, [[1, 1], [2, 1]])).toEqual(canon([[1n, 1n], [2n, 1n]]));
    expect(await step(2, [[1, 1]])).toEqual(canon([[1n, 2n], [2n, 1n]]));
    expect(await step(3, [[1, 5], [2, 1]])).toEqual(canon([[1n, 3n], [2n, 2n]]));
    expect(await step(4, [[1, 1], [2, 1], [2, 1]], RowKind.DELETE)).toEqual(canon([[1n, 2n]]));
    expect(f.kinds.has('-U')).toBe(true);
  });

  it('keeps retract mode under a filter (an update pair whose new row fails it becomes -D)', async () => {
    const { db, run } = await openDb();
    await run('CREATE TABLE few (k BIGINT, n BIGINT, PRIMARY KEY (k) NOT ENFORCED)');
    // SELECT k, n FROM (SELECT k, COUNT(*) AS n ... GROUP BY k) WHERE 3 > n
    const plan = project(filter(perKey(), gt(lit(3n, BIGINT), col(1, BIGINT))), [col(0), col(1, BIGINT)], ['k', 'n']);
    expect(upsertChainOf(plan, [0])).toEqual([]);
    const f = start(db, plan, db.catalog.lookup(['few']) as unknown as TableDefinition, [0]);
    const step = async (id: number, rows: Row[]): Promise<string[]> => {
      f.source.chunk({ rows, kinds: null });
      f.source.barrier(id);
      await f.sink.commit(id, []);
      return canon(await run('SELECT * FROM few'));
    };
    expect(await step(1, [[1, 1], [2, 1]])).toEqual(canon([[1n, 1n], [2n, 1n]]));
    expect(await step(2, [[1, 1]])).toEqual(canon([[1n, 2n], [2n, 1n]]));
    expect(await step(3, [[1, 1]])).toEqual(canon([[2n, 1n]]));
  });
});

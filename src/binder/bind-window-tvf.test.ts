/**
 * Window TVFs and legacy group windows: parsed SQL -> bound plan -> rows with
 * the real function library and compiler, over Flink's documented Bid table.
 */
import { describe, expect, it } from 'vitest';
import type { CatalogEntry, ColumnDefinition } from '../../catalog/relation.ts';
import { INT, STRING, decimal, timestamp, type Row, type SqlType } from '../../catalog/types.ts';
import { parseExpression, parseSql } from '../../grammar/parse.ts';
import { functions } from '../functions/functions.ts';
import { compileQuery } from '../compiler/compile.ts';
import { MemorySource, testContext as evalContext } from '../compiler/plan.test-helpers.ts';
import { explainPlan } from '../planner/explain.ts';
import { optimize } from '../optimizer/optimizer.ts';
import { castFunction } from '../values/cast.ts';
import { SqlError } from '../errors.ts';
import { bindQuery } from './binder.ts';
import { testContext } from './binder.test-helpers.ts';

const OPT = { disabledRules: [], fold: () => undefined };

function column(name: string, type: SqlType): ColumnDefinition {
  return { name, type, nullable: true, kind: 'physical' };
}

const BID: CatalogEntry = {
  kind: 'table',
  id: 20000,
  name: 'bid',
  schema: 'public',
  columns: [column('bidtime', timestamp(3)), column('price', decimal(10, 2)), column('item', STRING), column('supplier_id', STRING)],
  primaryKey: [],
  partitionedBy: [],
  watermark: { column: 'bidtime', expr: "`bidtime` - INTERVAL '1' SECOND" },
  options: {},
};

const { watermark: _bidWatermark, ...BID_NO_WATERMARK } = BID as Extract<CatalogEntry, { kind: 'table' }>;
const NUMS: CatalogEntry = { ...BID_NO_WATERMARK, id: 20001, name: 'nums', columns: [column('n', INT)] };

const us = (hh: number, mm: number): number => Date.UTC(2020, 3, 15, hh, mm) * 1000;
const hhmm = (v: unknown): string => new Date((v as number) / 1000).toISOString().slice(11, 16);

const ROWS: Record<number, Row[]> = {
  20000: [
    [us(8, 5), 400n, 'C', 'supplier1'],
    [us(8, 7), 200n, 'A', 'supplier1'],
    [us(8, 9), 500n, 'D', 'supplier2'],
    [us(8, 11), 300n, 'B', 'supplier2'],
    [us(8, 13), 100n, 'E', 'supplier1'],
    [us(8, 17), 600n, 'F', 'supplier2'],
  ],
  20001: [[1]],
};

function bind(sql: string) {
  const stmt = parseSql(sql)[0];
  if (stmt?.kind !== 'query-statement') throw new Error('not a query');
  const ctx = testContext({ functions, parseExpression, parseSql });
  return bindQuery(stmt.query, { ...ctx, lookup: (parts) => [BID, NUMS].find((t) => t.name === parts[parts.length - 1]) });
}

async function run(sql: string): Promise<Row[]> {
  const { plan } = bind(sql);
  const env = {
    ctx: evalContext,
    params: [],
    source: new MemorySource(ROWS),
    functions,
    cast: castFunction,
    signal: new AbortController().signal,
  };
  const out: Row[] = [];
  for await (const rows of compileQuery(plan, env).run()) out.push(...rows);
  return out;
}

function errorOf(sql: string): SqlError {
  try {
    bind(sql);
  } catch (err) {
    if (err instanceof SqlError) return err;
    throw err;
  }
  throw new Error('no error');
}

/** Window aggregates as `start-end total` (price cents summed). */
async function windowSums(sql: string): Promise<string[]> {
  const rows = await run(sql);
  return rows.map((r) => `${hhmm(r[0])}-${hhmm(r[1])} ${String(r[2])}`);
}

describe('window TVFs', () => {
  it('TUMBLE appends window_start, window_end, window_time', async () => {
    const { plan } = bind("SELECT * FROM TABLE(TUMBLE(TABLE Bid, DESCRIPTOR(bidtime), INTERVAL '10' MINUTES))");
    expect(plan.schema.map((c) => `${c.name}:${c.type.kind}`)).toEqual([
      'bidtime:TIMESTAMP',
      'price:DECIMAL',
      'item:VARCHAR',
      'supplier_id:VARCHAR',
      'window_start:TIMESTAMP',
      'window_end:TIMESTAMP',
      'window_time:TIMESTAMP',
    ]);
    const rows = await run("SELECT item, window_start, window_end, window_time FROM TABLE(TUMBLE(TABLE Bid, DESCRIPTOR(bidtime), INTERVAL '10' MINUTES))");
    expect(rows[0]).toEqual(['C', us(8, 0), us(8, 10), us(8, 10) - 1000]);
    expect(rows[5]).toEqual(['F', us(8, 10), us(8, 20), us(8, 20) - 1000]);
  });

  it('aggregates TUMBLE, HOP and CUMULATE windows as Flink documents', async () => {
    const agg = (tvf: string): Promise<string[]> =>
      windowSums(`SELECT window_start, window_end, SUM(price) FROM TABLE(${tvf}) GROUP BY window_start, window_end ORDER BY 1, 2`);
    expect(await agg("TUMBLE(TABLE Bid, DESCRIPTOR(bidtime), INTERVAL '10' MINUTES)")).toEqual(['08:00-08:10 1100', '08:10-08:20 1000']);
    expect(await agg("HOP(DATA => TABLE Bid, TIMECOL => DESCRIPTOR(bidtime), SLIDE => INTERVAL '5' MINUTES, SIZE => INTERVAL '10' MINUTES)")).toEqual([
      '08:00-08:10 1100',
      '08:05-08:15 1500',
      '08:10-08:20 1000',
      '08:15-08:25 600',
    ]);
    expect(await agg("CUMULATE(TABLE Bid, DESCRIPTOR(bidtime), INTERVAL '2' MINUTES, INTERVAL '10' MINUTES)")).toEqual([
      '08:00-08:06 400',
      '08:00-08:08 600',
      '08:00-08:10 1100',
      '08:10-08:12 300',
      '08:10-08:14 400',
      '08:10-08:16 400',
      '08:10-08:18 1000',
      '08:10-08:20 1000',
    ]);
    expect(await agg("TUMBLE(TABLE Bid, DESCRIPTOR(bidtime), INTERVAL '10' MINUTES, INTERVAL '1' MINUTES)")).toEqual([
      '08:01-08:11 1100',
      '08:11-08:21 1000',
    ]);
    expect(await agg("TUMBLE(TABLE Bid, DESCRIPTOR(bidtime), INTERVAL '10' MINUTES, -INTERVAL '6' MINUTES)")).toEqual([
      '08:04-08:14 1500',
      '08:14-08:24 600',
    ]);
    expect(await agg("SESSION(TABLE Bid, DESCRIPTOR(bidtime), INTERVAL '2' MINUTES)")).toEqual(['08:05-08:15 1500', '08:17-08:19 600']);
    expect(await agg("SESSION((SELECT * FROM Bid WHERE supplier_id = 'supplier2'), DESCRIPTOR(bidtime), INTERVAL '2' MINUTES)")).toEqual([
      '08:09-08:13 800',
      '08:17-08:19 600',
    ]);
  });

  it('takes named arguments, DATA first, `OFFSET` quoted', async () => {
    const rows = await run(
      'SELECT item, window_start, window_end FROM TABLE(TUMBLE(DATA => TABLE Bid, TIMECOL => DESCRIPTOR(bidtime), ' +
        "SIZE => INTERVAL '10' MINUTES, `OFFSET` => INTERVAL '1' MINUTES))",
    );
    expect(rows.map((r) => `${String(r[0])} ${hhmm(r[1])}-${hhmm(r[2])}`)).toEqual([
      'C 08:01-08:11',
      'A 08:01-08:11',
      'D 08:01-08:11',
      'B 08:11-08:21',
      'E 08:11-08:21',
      'F 08:11-08:21',
    ]);
    expect(await windowSums(
      "SELECT window_start, window_end, SUM(price) FROM TABLE(CUMULATE(DATA => TABLE Bid, TIMECOL => DESCRIPTOR(bidtime), STEP => INTERVAL '5' MINUTES, SIZE => INTERVAL '10' MINUTES)) GROUP BY window_start, window_end ORDER BY 1, 2",
    )).toEqual(['08:00-08:10 1100', '08:10-08:15 400', '08:10-08:20 1000']);
    expect(await windowSums(
      "SELECT window_start, window_end, SUM(price) FROM TABLE(SESSION(DATA => TABLE Bid, TIMECOL => DESCRIPTOR(bidtime), GAP => INTERVAL '2' MINUTES)) GROUP BY window_start, window_end ORDER BY 1",
    )).toEqual(['08:05-08:15 1500', '08:17-08:19 600']);
    expect(errorOf("SELECT * FROM TABLE(TUMBLE(TABLE Bid, TIMECOL => DESCRIPTOR(bidtime), TIMECOL => DESCRIPTOR(bidtime)))").code).toBe('42601');
  });

  it('explains the window node and pushes filters on input columns below it', () => {
    const { plan } = bind(
      "SELECT window_start, item FROM TABLE(HOP(TABLE Bid, DESCRIPTOR(bidtime), INTERVAL '5' MINUTES, INTERVAL '10' MINUTES)) WHERE item <> 'A'",
    );
    expect(explainPlan(plan)).toContain("WindowTvf HOP(time=bidtime, slide=");
    const optimized = explainPlan(optimize(plan, OPT));
    expect(optimized).toMatch(/WindowTvf HOP[^\n]*\n\s*Scan bid \(stored\) columns=\[bidtime, item\] filter=\(item <> 'A'\)/);
    // SESSION merges rows: a filter on a non-key column must stay above it.
    const session = bind(
      "SELECT window_start, item FROM TABLE(SESSION(TABLE Bid, DESCRIPTOR(bidtime), INTERVAL '2' MINUTES)) WHERE item <> 'A'",
    ).plan;
    expect(explainPlan(optimize(session, OPT))).toMatch(/Filter[^\n]*\n\s*WindowTvf SESSION/);
  });

  it('reports bad arguments', () => {
    expect(errorOf("SELECT * FROM TABLE(TUMBLE(TABLE Bid, DESCRIPTOR(price), INTERVAL '10' MINUTES))")).toMatchObject({
      code: '42804',
      hint: expect.stringContaining('TIMESTAMP'),
    });
    expect(errorOf("SELECT * FROM TABLE(TUMBLE(TABLE Bid, DESCRIPTOR(nope), INTERVAL '10' MINUTES))").code).toBe('42703');
    expect(errorOf("SELECT * FROM TABLE(HOP(TABLE Bid, DESCRIPTOR(bidtime), INTERVAL '3' MINUTES, INTERVAL '10' MINUTES))").code).toBe('22023');
    expect(errorOf("SELECT * FROM TABLE(TUMBLE(TABLE Bid, DESCRIPTOR(bidtime), INTERVAL '0' MINUTES))").code).toBe('22023');
    expect(errorOf('SELECT * FROM TABLE(TUMBLE(TABLE Bid, DESCRIPTOR(bidtime)))').code).toBe('42883');
    expect(errorOf('SELECT * FROM TABLE(TUMBLE(TABLE Bid, DESCRIPTOR(bidtime), 10))').code).toBe('42804');
    expect(errorOf("SELECT * FROM TABLE(TUMBLE(DATA => TABLE Bid, TIMECOL => DESCRIPTOR(bidtime), WIDTH => INTERVAL '1' MINUTE))").code).toBe('42P02');
  });
});

describe('legacy group windows', () => {
  it('GROUP BY TUMBLE with TUMBLE_START / _END / _ROWTIME', async () => {
    const rows = await run(
      "SELECT TUMBLE_START(bidtime, INTERVAL '10' MINUTE) AS s, TUMBLE_END(bidtime, INTERVAL '10' MINUTE), " +
        "TUMBLE_ROWTIME(bidtime, INTERVAL '10' MINUTE), SUM(price) FROM Bid GROUP BY TUMBLE(bidtime, INTERVAL '10' MINUTE) ORDER BY s",
    );
    expect(rows).toEqual([
      [us(8, 0), us(8, 10), us(8, 10) - 1000, 1100n],
      [us(8, 10), us(8, 20), us(8, 20) - 1000, 1000n],
    ]);
  });

  it('GROUP BY HOP with another key', async () => {
    const rows = await run(
      "SELECT supplier_id, HOP_START(bidtime, INTERVAL '5' MINUTE, INTERVAL '10' MINUTE) AS s, COUNT(*) FROM Bid " +
        "GROUP BY HOP(bidtime, INTERVAL '5' MINUTE, INTERVAL '10' MINUTE), supplier_id ORDER BY s, supplier_id",
    );
    expect(rows.map((r) => `${String(r[0])} ${hhmm(r[1])} ${String(r[2])}`)).toEqual([
      'supplier1 08:00 2',
      'supplier2 08:00 1',
      'supplier1 08:05 3',
      'supplier2 08:05 2',
      'supplier1 08:10 1',
      'supplier2 08:10 2',
      'supplier2 08:15 1',
    ]);
  });

  it('GROUP BY SESSION partitions sessions by the other keys', async () => {
    const rows = await run(
      "SELECT supplier_id, SESSION_START(bidtime, INTERVAL '2' MINUTE) AS s, SESSION_END(bidtime, INTERVAL '2' MINUTE), SUM(price) FROM Bid " +
        "GROUP BY supplier_id, SESSION(bidtime, INTERVAL '2' MINUTE) ORDER BY s",
    );
    expect(rows.map((r) => `${String(r[0])} ${hhmm(r[1])}-${hhmm(r[2])} ${String(r[3])}`)).toEqual([
      'supplier1 08:05-08:09 600',
      'supplier2 08:09-08:13 800',
      'supplier1 08:13-08:15 100',
      'supplier2 08:17-08:19 600',
    ]);
  });

  it('leaves nested queries to their own group window', async () => {
    const rows = await run(
      "SELECT n, (SELECT MAX(TUMBLE_END(bidtime, INTERVAL '10' MINUTE)) FROM (SELECT TUMBLE_END(bidtime, INTERVAL '10' MINUTE) AS e FROM Bid " +
        "GROUP BY TUMBLE(bidtime, INTERVAL '10' MINUTE)) w) FROM nums",
    ).catch((e: unknown) => e);
    expect(rows).toBeInstanceOf(SqlError);
    expect(await run("SELECT n, (SELECT MAX(e) FROM (SELECT TUMBLE_END(bidtime, INTERVAL '10' MINUTE) AS e FROM Bid GROUP BY TUMBLE(bidtime, INTERVAL '10' MINUTE)) w) FROM nums")).toEqual([
      [1, us(8, 20)],
    ]);
  });

  it('keeps the window columns out of *', () => {
    expect(errorOf("SELECT * FROM Bid GROUP BY TUMBLE(bidtime, INTERVAL '10' MINUTE)").code).toBe('42803');
  });

  it('requires auxiliary functions to match the group window', () => {
    expect(errorOf("SELECT TUMBLE_START(bidtime, INTERVAL '5' MINUTE) FROM Bid GROUP BY TUMBLE(bidtime, INTERVAL '10' MINUTE)").code).toBe('42803');
    expect(errorOf("SELECT TUMBLE_END(bidtime, INTERVAL '5' MINUTE) FROM Bid").code).toBe('42803');
    expect(errorOf("SELECT COUNT(*) FROM Bid GROUP BY TUMBLE(price, INTERVAL '5' MINUTE)").code).toBe('42804');
  });
});

/**
 * Transaction blocks over the wire (node-postgres), against an in-process
 * server so the test can watch the table's changelog:
 * - writes inside BEGIN are seen by their own session only, and by other
 *   sessions, materialized views and subscribers only at COMMIT, as one
 *   change of the table;
 * - ROLLBACK, an error followed by ROLLBACK, and a disconnect discard them;
 * - savepoints undo part of a block;
 * - two blocks writing the same row: the first COMMIT wins, the second fails
 *   with 40001 and stores nothing;
 * - cursors declared in a block without WITH HOLD close at COMMIT;
 * - several statements in one simple Query are one implicit transaction
 *   (the cases below give what PostgreSQL 15 gives).
 */
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startInProcessServer, type InProcessServer } from '../harness/in-process-server.ts';
import type { TableDefinition } from '../../catalog/relation.ts';
import type { Chunk } from '../../src/dataflow/chunk.ts';

let server: InProcessServer;
const open: pg.Client[] = [];

async function connect(): Promise<pg.Client> {
  const c = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'tester', database: 'millrace' });
  await c.connect();
  open.push(c);
  return c;
}

async function rows(c: pg.Client, sql: string): Promise<unknown[][]> {
  return (await c.query({ text: sql, rowMode: 'array' })).rows as unknown[][];
}

function table(name: string): TableDefinition {
  const rel = server.db.catalog.lookup([name]);
  if (rel?.kind !== 'table') throw new Error(`no table ${name}`);
  return rel as TableDefinition;
}

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() - started > ms) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
}

beforeAll(async () => {
  server = await startInProcessServer();
});

afterEach(async () => {
  while (open.length > 0) await open.pop()!.end().catch(() => undefined);
});

afterAll(async () => {
  await server?.stop();
});

describe('transaction blocks', () => {
  it('shows a block its own writes and others only what is committed', async () => {
    const a = await connect();
    const b = await connect();
    await a.query('CREATE TABLE acct (id INT PRIMARY KEY NOT ENFORCED, bal INT)');
    await a.query('INSERT INTO acct VALUES (1, 100), (2, 50)');
    await a.query('BEGIN');
    await a.query('UPDATE acct SET bal = bal - 30 WHERE id = 1');
    await a.query('UPDATE acct SET bal = bal + 30 WHERE id = 2');
    await a.query('INSERT INTO acct VALUES (3, 0)');
    await a.query('DELETE FROM acct WHERE id = 3');
    await a.query('INSERT INTO acct VALUES (4, 7)');
    expect(await rows(a, 'SELECT id, bal FROM acct ORDER BY id')).toEqual([[1, 70], [2, 80], [4, 7]]);
    expect(await rows(a, 'SELECT SUM(bal) FROM acct WHERE id IN (SELECT id FROM acct WHERE bal > 10)')).toEqual([[150]]);
    expect(await rows(b, 'SELECT id, bal FROM acct ORDER BY id')).toEqual([[1, 100], [2, 50]]);
    await a.query('COMMIT');
    expect(await rows(b, 'SELECT id, bal FROM acct ORDER BY id')).toEqual([[1, 70], [2, 80], [4, 7]]);
  });

  it('publishes a committed block as one change and nothing before COMMIT', async () => {
    const a = await connect();
    const b = await connect();
    await a.query('CREATE TABLE ev (k INT PRIMARY KEY NOT ENFORCED, n INT)');
    await a.query('INSERT INTO ev VALUES (1, 1), (2, 2)');
    await a.query('CREATE MATERIALIZED VIEW ev_total AS SELECT COUNT(*) AS c, SUM(n) AS s FROM ev');
    await until(() => rows(b, 'SELECT c, s FROM ev_total'), (r) => r.length === 1 && r[0]![0] === '2');
    const chunks: Chunk[] = [];
    const sub = await server.db.tables.subscribe(table('ev'), { changes: (chunk) => void chunks.push(chunk) });
    for await (const _ of sub.snapshot);
    await b.query("DECLARE watch CURSOR FOR SUBSCRIBE TO ev WITH (SNAPSHOT = false)");

    await a.query('BEGIN');
    await a.query('INSERT INTO ev VALUES (3, 30), (4, 40)');
    await a.query('UPDATE ev SET n = 10 WHERE k = 1');
    await a.query('DELETE FROM ev WHERE k = 2');
    await new Promise((r) => setTimeout(r, 200));
    expect(chunks).toEqual([]);
    expect(await rows(b, 'SELECT c, s FROM ev_total')).toEqual([['2', 3]]);
    expect(await rows(b, "FETCH ALL watch WITH (timeout = '100ms')")).toEqual([]);

    await a.query('COMMIT');
    expect(chunks.length).toBe(1);
    expect(chunks[0]!.rows.length).toBe(5);
    const total = await until(() => rows(b, 'SELECT c, s FROM ev_total'), (r) => r[0]![0] === '3');
    expect(total).toEqual([['3', 80]]);
    const seen: unknown[][] = [];
    for (let i = 0; i < 50 && seen.length < 5; i++) seen.push(...(await rows(b, "FETCH ALL watch WITH (timeout = '200ms')")));
    expect(seen.map((r) => r.join(' ')).sort()).toEqual(['+I 3 30', '+I 4 40', '+U 1 10', '-D 2 2', '-U 1 1']);
    sub.unsubscribe();
  });

  it('discards the block on ROLLBACK, after an error, and on disconnect', async () => {
    const a = await connect();
    await a.query('CREATE TABLE r (v INT NOT NULL)');
    await a.query('INSERT INTO r VALUES (1)');
    await a.query('BEGIN');
    await a.query('INSERT INTO r VALUES (2)');
    await a.query('ROLLBACK');
    expect(await rows(a, 'SELECT v FROM r')).toEqual([[1]]);

    // What SQLAlchemy does: an error, then ROLLBACK.
    await a.query('BEGIN');
    await a.query('DELETE FROM r');
    await expect(a.query('INSERT INTO r VALUES (NULL)')).rejects.toMatchObject({ code: '23502' });
    await expect(a.query('SELECT 1')).rejects.toMatchObject({ code: '25P02' });
    await a.query('ROLLBACK');
    expect(await rows(a, 'SELECT v FROM r')).toEqual([[1]]);

    // COMMIT of a failed block rolls back.
    await a.query('BEGIN');
    await a.query('INSERT INTO r VALUES (3)');
    await expect(a.query('SELECT 1/0')).rejects.toMatchObject({ code: '22012' });
    const commit = await a.query('COMMIT');
    expect(commit.command).toBe('ROLLBACK');
    expect(await rows(a, 'SELECT v FROM r')).toEqual([[1]]);

    const c = await connect();
    await c.query('BEGIN');
    await c.query('INSERT INTO r VALUES (4)');
    await c.end();
    await new Promise((r) => setTimeout(r, 100));
    expect(await rows(a, 'SELECT v FROM r')).toEqual([[1]]);
  });

  it('undoes the writes after a savepoint', async () => {
    const a = await connect();
    await a.query('CREATE TABLE sp (v INT)');
    await a.query('BEGIN');
    await a.query('INSERT INTO sp VALUES (1)');
    await a.query('SAVEPOINT one');
    await a.query('INSERT INTO sp VALUES (2)');
    await a.query('SAVEPOINT two');
    await a.query('DELETE FROM sp');
    await expect(a.query('SELECT nope FROM sp')).rejects.toMatchObject({ code: '42703' });
    await a.query('ROLLBACK TO SAVEPOINT two');
    expect(await rows(a, 'SELECT v FROM sp ORDER BY v')).toEqual([[1], [2]]);
    await a.query('ROLLBACK TO one');
    expect(await rows(a, 'SELECT v FROM sp ORDER BY v')).toEqual([[1]]);
    await expect(a.query('RELEASE SAVEPOINT two')).rejects.toMatchObject({ code: '3B001' });
    await a.query('ROLLBACK');
    await a.query('BEGIN');
    await a.query('INSERT INTO sp VALUES (5)');
    await a.query('SAVEPOINT s');
    await a.query('INSERT INTO sp VALUES (6)');
    await a.query('RELEASE s');
    await a.query('COMMIT');
    expect(await rows(a, 'SELECT v FROM sp ORDER BY v')).toEqual([[5], [6]]);
    await expect(a.query('SAVEPOINT x')).rejects.toMatchObject({ code: '25P01' });
  });

  it('lets the first COMMIT win when two blocks write the same row', async () => {
    const a = await connect();
    const b = await connect();
    await a.query('CREATE TABLE stock (item VARCHAR PRIMARY KEY NOT ENFORCED, qty INT)');
    await a.query("INSERT INTO stock VALUES ('x', 10), ('y', 10)");
    await a.query('BEGIN');
    await b.query('BEGIN');
    await a.query("UPDATE stock SET qty = qty - 1 WHERE item = 'x'");
    await b.query("UPDATE stock SET qty = qty - 2 WHERE item = 'x'");
    await b.query("UPDATE stock SET qty = qty - 2 WHERE item = 'y'");
    await a.query('COMMIT');
    await expect(b.query('COMMIT')).rejects.toMatchObject({ code: '40001' });
    // The failed COMMIT ended b's block and stored none of it.
    expect(await rows(b, 'SELECT item, qty FROM stock ORDER BY item')).toEqual([['x', 9], ['y', 10]]);
    // Blocks writing different rows both commit.
    await a.query('BEGIN');
    await b.query('BEGIN');
    await a.query("UPDATE stock SET qty = 1 WHERE item = 'x'");
    await b.query("UPDATE stock SET qty = 2 WHERE item = 'y'");
    await b.query('COMMIT');
    await a.query('COMMIT');
    expect(await rows(b, 'SELECT item, qty FROM stock ORDER BY item')).toEqual([['x', 1], ['y', 2]]);
  });

  it('commits writes to several tables in one go, each table one position', async () => {
    const a = await connect();
    await a.query('CREATE TABLE m1 (v INT)');
    await a.query('CREATE TABLE m2 (v INT)');
    const p1 = await server.db.tables.currentPosition(table('m1').id);
    const p2 = await server.db.tables.currentPosition(table('m2').id);
    await a.query('BEGIN');
    for (let i = 0; i < 3; i++) {
      await a.query('INSERT INTO m1 VALUES ($1)', [i]);
      await a.query('INSERT INTO m2 VALUES ($1)', [i]);
    }
    await a.query('COMMIT');
    expect(await server.db.tables.currentPosition(table('m1').id)).toBe(p1 + 1);
    expect(await server.db.tables.currentPosition(table('m2').id)).toBe(p2 + 1);
    expect(await rows(a, 'SELECT (SELECT COUNT(*) FROM m1), (SELECT COUNT(*) FROM m2)')).toEqual([['3', '3']]);
  });

  it('closes cursors declared in a block without WITH HOLD at COMMIT', async () => {
    const a = await connect();
    await a.query('CREATE TABLE cur (v INT)');
    await a.query('INSERT INTO cur VALUES (1), (2)');
    await a.query('BEGIN');
    await a.query('DECLARE plain CURSOR FOR SELECT v FROM cur ORDER BY v');
    await a.query('DECLARE held CURSOR WITH HOLD FOR SELECT v FROM cur ORDER BY v');
    expect(await rows(a, 'FETCH 1 FROM plain')).toEqual([[1]]);
    await a.query('COMMIT');
    await expect(a.query('FETCH 1 FROM plain')).rejects.toMatchObject({ code: '34000' });
    expect(await rows(a, 'FETCH 1 FROM held')).toEqual([[1]]);
    await a.query('CLOSE held');
  });

  it('runs the statements of one simple Query as one implicit transaction', async () => {
    const a = await connect();
    const warnings: string[] = [];
    a.on('notice', (n) => warnings.push(n.message ?? ''));
    const b = await connect();
    await a.query('CREATE TABLE imp (v INT)');
    const values = async (): Promise<unknown[][]> => rows(b, 'SELECT v FROM imp ORDER BY v');

    // An error discards the writes of every statement before it in the same Query.
    await expect(a.query('INSERT INTO imp VALUES (1); INSERT INTO imp VALUES (2); SELECT 1/0')).rejects.toMatchObject({ code: '22012' });
    expect(await values()).toEqual([]);
    // Later statements see the earlier ones' writes; other sessions see them all at the end.
    const [, counted] = (await a.query('INSERT INTO imp VALUES (3); SELECT COUNT(*) AS n FROM imp')) as unknown as pg.QueryResult[];
    expect(counted!.rows).toEqual([{ n: '1' }]);
    expect(await values()).toEqual([[3]]);
    // COMMIT inside it warns and stores what came before; what follows is a new implicit transaction.
    await expect(a.query('INSERT INTO imp VALUES (4); COMMIT; INSERT INTO imp VALUES (5); SELECT 1/0')).rejects.toMatchObject({ code: '22012' });
    expect(warnings).toContain('there is no transaction in progress');
    expect(await values()).toEqual([[3], [4]]);
    // ROLLBACK inside it discards what came before.
    await a.query('INSERT INTO imp VALUES (6); ROLLBACK; INSERT INTO imp VALUES (7)');
    expect(await values()).toEqual([[3], [4], [7]]);
    // SAVEPOINT needs a block: the error discards the Query's writes.
    await expect(a.query('INSERT INTO imp VALUES (8); SAVEPOINT s')).rejects.toMatchObject({ code: '25P01' });
    expect(await values()).toEqual([[3], [4], [7]]);
    // BEGIN inside it turns it into an ordinary block, still open after the Query.
    await a.query('INSERT INTO imp VALUES (9); BEGIN; INSERT INTO imp VALUES (10)');
    expect(await values()).toEqual([[3], [4], [7]]);
    await a.query('COMMIT');
    expect(await values()).toEqual([[3], [4], [7], [9], [10]]);
  });
});

/**
 * Change streams to a real psql, over the wire, against an in-process server
 * (so the test can see what the server still holds):
 * - `COPY (SUBSCRIBE ...) TO STDOUT` in a psql child process prints the
 *   current rows, then each change as another session commits it, while the
 *   statement is still running;
 * - Ctrl-C (SIGINT: psql sends a CancelRequest) ends it with 57014's message
 *   and frees the subscription on the stored table; a disconnect does too.
 * - a continuous SELECT over an endless datagen table delivers closed windows
 *   through node-postgres and ends at its LIMIT.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInProcessServer, type InProcessServer } from '../harness/in-process-server.ts';
import type { TableDefinition } from '../../catalog/relation.ts';
import { WireClient, dataRow, msg, types } from '../../src/server/wire-client.test-helpers.ts';

let server: InProcessServer;
let db: InProcessServer['db'];
let port: number;
let client: pg.Client;

beforeAll(async () => {
  server = await startInProcessServer();
  db = server.db;
  port = server.port;
  client = new pg.Client({ host: '127.0.0.1', port, user: 'tester', database: 'millrace' });
  await client.connect();
  await client.query('CREATE TABLE orders (id INT, item VARCHAR(10), qty INT)');
  await client.query("INSERT INTO orders VALUES (1, 'apple', 2), (2, 'pear', 1)");
});

afterAll(async () => {
  await client?.end().catch(() => undefined);
  await server?.stop();
});

/** psql with unbuffered stdout, so every line it gets reaches us at once. */
function psql(sql: string): ChildProcessWithoutNullStreams {
  return spawn('stdbuf', ['-oL', 'psql', '-X', '-h', '127.0.0.1', '-p', String(port), '-U', 'tester', '-d', 'millrace', '-c', sql], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

function waitFor(check: () => boolean, what: string, ms = 20_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = (): void => {
      if (check()) resolve();
      else if (Date.now() - started > ms) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(tick, 25);
    };
    tick();
  });
}

function ordersTable(): TableDefinition {
  return db.catalog.lookup(['orders']) as TableDefinition;
}

describe('SUBSCRIBE to psql', () => {
  it('streams current rows, then each committed change, and Ctrl-C frees it', async () => {
    const child = psql("COPY (SUBSCRIBE TO (SELECT item, sum(qty) AS total FROM orders GROUP BY item)) TO STDOUT");
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await waitFor(() => out.includes('+I\tpear\t1'), 'the snapshot rows');
    expect(out.split('\n').filter(Boolean).sort()).toEqual(['+I\tapple\t2', '+I\tpear\t1']);
    expect(db.tables.hasSubscribers(ordersTable().id)).toBe(true);

    await client.query("INSERT INTO orders VALUES (3, 'apple', 5)");
    await waitFor(() => out.includes('+U\tapple\t7'), 'the update');
    expect(out).toContain('-U\tapple\t2\n+U\tapple\t7\n');
    await client.query("DELETE FROM orders WHERE item = 'pear'");
    await waitFor(() => out.includes('-D\tpear\t1'), 'the delete');

    child.kill('SIGINT');
    const code = await exited;
    expect(code).not.toBe(0);
    expect(err).toMatch(/canceling statement due to user request/);
    await waitFor(() => !db.tables.hasSubscribers(ordersTable().id), 'the subscription to be freed');
  });

  it('frees the subscription when the client disconnects', async () => {
    const child = psql('COPY (SUBSCRIBE orders) TO STDOUT');
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await waitFor(() => out.includes('apple'), 'the snapshot rows');
    expect(db.tables.hasSubscribers(ordersTable().id)).toBe(true);
    child.kill('SIGKILL');
    await waitFor(() => !db.tables.hasSubscribers(ordersTable().id), 'the subscription to be freed');
  });

  it('frees a SUBSCRIBE cursor whose FETCH is waiting when the client disconnects', async () => {
    const child = spawn('psql', ['-X', '-h', '127.0.0.1', '-p', String(port), '-U', 'tester', '-d', 'millrace'], { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.write('DECLARE w CURSOR FOR SUBSCRIBE TO orders WITH (SNAPSHOT = false);\nFETCH 1 w;\n');
    await waitFor(() => db.tables.hasSubscribers(ordersTable().id), 'the subscription');
    await new Promise((r) => setTimeout(r, 200));
    child.kill('SIGKILL');
    await waitFor(() => !db.tables.hasSubscribers(ordersTable().id), 'the subscription to be freed');
  });

  it('frees a SUBSCRIBE cursor at CLOSE', async () => {
    const other = new pg.Client({ host: '127.0.0.1', port, user: 'tester', database: 'millrace' });
    await other.connect();
    try {
      await other.query('DECLARE w CURSOR FOR SUBSCRIBE TO orders WITH (SNAPSHOT = false)');
      await other.query("FETCH ALL w WITH (timeout = '50ms')");
      expect(db.tables.hasSubscribers(ordersTable().id)).toBe(true);
      await other.query('CLOSE w');
      await waitFor(() => !db.tables.hasSubscribers(ordersTable().id), 'the subscription to be freed');
    } finally {
      await other.end();
    }
  });

  it('delivers windows of an endless source as they close, through a driver, until LIMIT', async () => {
    await client.query(
      "CREATE TABLE clicks (user_id INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '0.1' SECOND) " +
        "WITH ('connector' = 'datagen', 'rows-per-second' = '500', 'fields.user_id.min' = '1', 'fields.user_id.max' = '3', 'fields.ts.max-past' = '0')",
    );
    const r = await client.query(
      "SELECT window_start, window_end, user_id, count(*) AS n FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '0.2' SECOND)) " +
        'GROUP BY window_start, window_end, user_id LIMIT 4',
    );
    expect(r.rows).toHaveLength(4);
    for (const row of r.rows as { window_start: Date; window_end: Date; user_id: number; n: string }[]) {
      expect(row.window_end.getTime() - row.window_start.getTime()).toBe(200);
      expect(Number(row.n)).toBeGreaterThan(0);
      expect([1, 2, 3]).toContain(row.user_id);
    }
  });

  it('fires processing-time windows (a PROCTIME() column) by the wall clock', async () => {
    await client.query("CREATE TABLE taps (user_id INT, pt AS PROCTIME()) WITH ('connector' = 'datagen', 'rows-per-second' = '200', 'fields.user_id.min' = '1', 'fields.user_id.max' = '2')");
    const started = Date.now();
    const r = await client.query(
      "SELECT window_start, window_end, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE taps, DESCRIPTOR(pt), INTERVAL '0.2' SECOND)) GROUP BY window_start, window_end LIMIT 3",
    );
    expect(r.rows).toHaveLength(3);
    for (const row of r.rows as { window_start: Date; window_end: Date; n: string }[]) {
      expect(row.window_end.getTime() - row.window_start.getTime()).toBe(200);
      // Windows close on the clock: none of them ends after the query returned.
      expect(row.window_end.getTime()).toBeLessThanOrEqual(Date.now() + 1);
      expect(row.window_end.getTime()).toBeGreaterThan(started - 1000);
    }
  });

  it('hands a subscription to a driver in row-limited Executes (PortalSuspended), waiting for new changes', async () => {
    const { client: wire } = await WireClient.ready(port);
    wire.send(msg.parse('', 'SUBSCRIBE orders'), msg.bind('sub', ''), msg.execute('sub', 1), msg.flush());
    let out = await wire.readUntil('s');
    expect(types(out)).toBe('12Ds');
    const first = dataRow(out[2]!);
    expect(first[0]).toBe('+I');
    // An Execute returns once its row limit is reached: the second current row, then (after the
    // INSERT below) the change.
    wire.send(msg.execute('sub', 1), msg.flush());
    out = await wire.readUntil('s');
    expect(types(out)).toBe('Ds');
    wire.send(msg.execute('sub', 1), msg.flush());
    await new Promise((r) => setTimeout(r, 100));
    await client.query("INSERT INTO orders VALUES (9, 'plum', 4)");
    out = await wire.readUntil('s');
    expect(out.filter((m) => m.type === 'D').map(dataRow)).toEqual([['+I', '9', 'plum', '4']]);
    wire.close();
    await waitFor(() => !db.tables.hasSubscribers(ordersTable().id), 'the subscription to be freed');
  });

  it('joins two endless streams within a time interval', async () => {
    await client.query(
      "CREATE TABLE views (page INT, vt TIMESTAMP(3), WATERMARK FOR vt AS vt - INTERVAL '0.1' SECOND) " +
        "WITH ('connector' = 'datagen', 'rows-per-second' = '300', 'fields.page.min' = '1', 'fields.page.max' = '5', 'fields.vt.max-past' = '0')",
    );
    await client.query(
      "CREATE TABLE buys (page INT, bt TIMESTAMP(3), WATERMARK FOR bt AS bt - INTERVAL '0.1' SECOND) " +
        "WITH ('connector' = 'datagen', 'rows-per-second' = '300', 'fields.page.min' = '1', 'fields.page.max' = '5', 'fields.bt.max-past' = '0')",
    );
    const r = await client.query(
      "SELECT v.page, v.vt, b.bt FROM views v JOIN buys b ON v.page = b.page AND b.bt BETWEEN v.vt AND v.vt + INTERVAL '0.5' SECOND LIMIT 20",
    );
    expect(r.rows).toHaveLength(20);
    for (const row of r.rows as { page: number; vt: Date; bt: Date }[]) {
      const gap = row.bt.getTime() - row.vt.getTime();
      expect(gap).toBeGreaterThanOrEqual(0);
      expect(gap).toBeLessThanOrEqual(500);
    }
  });
});

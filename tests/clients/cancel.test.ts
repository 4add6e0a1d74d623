/**
 * Cancelling a running statement the way drivers do it (a CancelRequest on a second connection with
 * the backend's pid and secret key, as psql sends on Ctrl-C): an endless query over an unbounded
 * datagen table stops with 57014, the connection stays usable, and a cancel with a wrong key does
 * nothing. Also checks that LIMIT ends an endless query by itself, and that statement_timeout
 * cancels a statement that runs longer (57014, "due to statement timeout"), as PostgreSQL does.
 * A FETCH waiting on a SUBSCRIBE cursor ends the same ways, and the rows it had taken before it was
 * interrupted are returned by the next FETCH.
 */
import net from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient } from '../harness/pg-client.ts';
import { acquireServer, type AcquiredServer } from '../harness/target.ts';

const CANCEL_REQUEST_CODE = 80877102;

function sendCancel(host: string, port: number, pid: number, secret: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, host, () => {
      const msg = Buffer.alloc(16);
      msg.writeInt32BE(16, 0);
      msg.writeInt32BE(CANCEL_REQUEST_CODE, 4);
      msg.writeInt32BE(pid, 8);
      msg.writeInt32BE(secret, 12);
      socket.end(msg);
    });
    socket.on('close', () => resolve());
    socket.on('error', reject);
  });
}

/** The BackendKeyData node-postgres received at startup. */
function backendKey(client: pg.Client): { pid: number; secret: number } {
  const c = client as unknown as { processID: number; secretKey: number };
  return { pid: c.processID, secret: c.secretKey };
}

describe('cancel', () => {
  let server: AcquiredServer;
  let client: pg.Client;
  beforeAll(async () => {
    server = await acquireServer();
    client = await connectClient(server);
    await client.query(`CREATE TABLE endless (id BIGINT, v INT) WITH ('connector' = 'datagen', 'rows-per-second' = '2000')`);
  });
  afterAll(async () => {
    await client?.end().catch(() => undefined);
    await server?.release();
  });

  it('ends an endless query with LIMIT', async () => {
    const r = await client.query('SELECT id, v FROM endless LIMIT 5');
    expect(r.rows).toHaveLength(5);
  });

  it('stops an endless query on CancelRequest with 57014 and keeps the connection', async () => {
    const { pid, secret } = backendKey(client);
    let settled = false;
    const running = client.query('SELECT id FROM endless').then(
      () => null,
      (err: unknown) => err as { code?: string; message: string },
    );
    void running.finally(() => {
      settled = true;
    });
    await new Promise((r) => setTimeout(r, 500));
    // A wrong secret must not cancel anything.
    await sendCancel(server.host, server.port, pid, (secret ^ 0x5a5a5a5a) | 0);
    await new Promise((r) => setTimeout(r, 300));
    expect(settled).toBe(false);
    await sendCancel(server.host, server.port, pid, secret);
    const err = await running;
    expect(err).not.toBeNull();
    expect(err?.code).toBe('57014');
    expect(err?.message).toMatch(/cancel/i);
    const after = await client.query('SELECT 1 AS one');
    expect(after.rows).toEqual([{ one: '1' }]);
  });

  it('cancels statements running longer than statement_timeout, in both protocols', async () => {
    await client.query("SET statement_timeout = '300ms'");
    expect((await client.query('SHOW statement_timeout')).rows).toEqual([{ statement_timeout: '300ms' }]);
    const started = Date.now();
    await expect(client.query('SELECT id FROM endless')).rejects.toMatchObject({ code: '57014', message: 'canceling statement due to statement timeout' });
    await expect(client.query('SELECT id FROM endless WHERE v > $1', [0])).rejects.toMatchObject({ code: '57014', message: 'canceling statement due to statement timeout' });
    await expect(client.query('SELECT pg_sleep(5)')).rejects.toMatchObject({ code: '57014' });
    expect(Date.now() - started).toBeLessThan(4000);
    // Statements shorter than the limit are not affected, and the connection stays usable.
    expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: '1' }]);
    await client.query('SET statement_timeout = 120000');
    expect((await client.query('SHOW statement_timeout')).rows).toEqual([{ statement_timeout: '2min' }]);
    await expect(client.query("SET statement_timeout = 'soon'")).rejects.toMatchObject({ code: '22023' });
    await client.query('SET statement_timeout = 0');
    expect((await client.query('SHOW statement_timeout')).rows).toEqual([{ statement_timeout: '0' }]);
  });

  it('ends a FETCH waiting on a SUBSCRIBE cursor on CancelRequest and statement_timeout, losing no rows', async () => {
    const writer = await connectClient(server);
    try {
      await client.query('CREATE TABLE fed (v INT)');
      await client.query('DECLARE c CURSOR FOR SUBSCRIBE TO fed WITH (SNAPSHOT = false)');
      const { pid, secret } = backendKey(client);
      // FETCH 3 waits for three rows; two arrive, then Ctrl-C.
      const waiting = client.query('FETCH 3 c').then(
        () => null,
        (err: unknown) => err as { code?: string; message: string },
      );
      await new Promise((r) => setTimeout(r, 200));
      await writer.query('INSERT INTO fed VALUES (1), (2)');
      await new Promise((r) => setTimeout(r, 300));
      await sendCancel(server.host, server.port, pid, secret);
      expect(await waiting).toMatchObject({ code: '57014', message: 'canceling statement due to user request' });

      await client.query("SET statement_timeout = '300ms'");
      const started = Date.now();
      await expect(client.query('FETCH 5 c')).rejects.toMatchObject({ code: '57014', message: 'canceling statement due to statement timeout' });
      expect(Date.now() - started).toBeLessThan(3000);
      await client.query('SET statement_timeout = 0');

      // The two rows taken by the interrupted FETCHes are still there, before the next one.
      await writer.query('INSERT INTO fed VALUES (3)');
      const r = await client.query("FETCH ALL c WITH (timeout = '500ms')");
      expect(r.rows.map((row: { v: string }) => Number(row.v))).toEqual([1, 2, 3]);
      expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: '1' }]);
      await client.query('CLOSE c');
    } finally {
      await writer.end().catch(() => undefined);
    }
  }, 20_000);
});

/**
 * pg_sleep over the wire: a sleeping statement takes its time without holding up the server (a second
 * connection is answered meanwhile), sleeps add up over rows, a CancelRequest (psql's Ctrl-C) ends it
 * with 57014 and leaves the connection usable, and the result is PostgreSQL's void (the empty string).
 * Runs against PostgreSQL too (MILLRACE_CLIENT_TARGET).
 */
import net from 'node:net';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient } from '../harness/pg-client.ts';
import { acquireServer, type AcquiredServer } from '../harness/target.ts';

const CANCEL_REQUEST_CODE = 80877102;

/** Sends a CancelRequest (Int32 length 16, Int32 80877102, Int32 pid, Int32 secret) on a new connection. */
function sendCancel(host: string, port: number, client: pg.Client): Promise<void> {
  const { processID, secretKey } = client as unknown as { processID: number; secretKey: number };
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, host, () => {
      const msg = Buffer.alloc(16);
      msg.writeInt32BE(16, 0);
      msg.writeInt32BE(CANCEL_REQUEST_CODE, 4);
      msg.writeInt32BE(processID, 8);
      msg.writeInt32BE(secretKey, 12);
      socket.end(msg);
    });
    socket.on('close', () => resolve());
    socket.on('error', reject);
  });
}

async function timed<T>(f: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await f();
  return { value, ms: performance.now() - started };
}

describe('pg_sleep', () => {
  let server: AcquiredServer;
  let sleeper: pg.Client;
  let other: pg.Client;
  beforeAll(async () => {
    server = await acquireServer();
    sleeper = await connectClient(server);
    other = await connectClient(server);
  });
  afterAll(async () => {
    await sleeper?.end().catch(() => undefined);
    await other?.end().catch(() => undefined);
    await server?.release();
  });

  it('returns one empty (void) value named pg_sleep after the time has passed', async () => {
    const { value: r, ms } = await timed(() => sleeper.query('SELECT pg_sleep(0.3)'));
    expect(r.fields.map((f) => f.name)).toEqual(['pg_sleep']);
    expect(r.rows).toEqual([{ pg_sleep: '' }]);
    expect(ms).toBeGreaterThanOrEqual(290);
    expect(ms).toBeLessThan(3000);
  });

  it('sleeps once per row', async () => {
    const { value: r, ms } = await timed(() => sleeper.query('SELECT g, pg_sleep(0.1) FROM generate_series(1, 3) AS t(g)'));
    expect(r.rows.map((x: Record<string, unknown>) => x['g'])).toEqual(['1', '2', '3']);
    expect(ms).toBeGreaterThanOrEqual(290);
    expect(ms).toBeLessThan(3000);
  });

  it('pg_sleep_for and pg_sleep_until sleep too, with parameters', async () => {
    const forMs = (await timed(() => sleeper.query('SELECT pg_sleep_for($1::interval)', ['250 milliseconds']))).ms;
    expect(forMs).toBeGreaterThanOrEqual(240);
    const untilMs = (await timed(() => sleeper.query("SELECT pg_sleep_until(clock_timestamp() + interval '0.25 seconds')"))).ms;
    expect(untilMs).toBeGreaterThanOrEqual(240);
    expect(forMs + untilMs).toBeLessThan(6000);
  });

  it('lets another connection be answered while one sleeps', async () => {
    let sleepDone = false;
    const sleeping = sleeper.query('SELECT pg_sleep(1.5)').then(() => {
      sleepDone = true;
    });
    await new Promise((r) => setTimeout(r, 100));
    const { value: r, ms } = await timed(() => other.query('SELECT 41 + 1 AS answer'));
    expect(r.rows).toEqual([{ answer: '42' }]);
    expect(ms).toBeLessThan(1000);
    expect(sleepDone).toBe(false);
    await sleeping;
  });

  it('ends on CancelRequest with 57014 and keeps the connection usable', async () => {
    const started = performance.now();
    const running = sleeper.query('SELECT pg_sleep(60)').then(
      () => null,
      (err: unknown) => err as { code?: string; message: string },
    );
    await new Promise((r) => setTimeout(r, 300));
    await sendCancel(server.host, server.port, sleeper);
    const err = await running;
    expect(err?.code).toBe('57014');
    expect(err?.message).toBe('canceling statement due to user request');
    expect(performance.now() - started).toBeLessThan(10_000);
    const after = await sleeper.query('SELECT 1 AS one');
    expect(after.rows).toEqual([{ one: '1' }]);
  });
});

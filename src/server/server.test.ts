import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgServer } from './server.ts';
import { fakeSessions } from './fake-session.test-helpers.ts';
import { dataRow, fields, msg, types, WireClient } from './wire-client.test-helpers.ts';

const run = promisify(execFile);

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('PgServer', () => {
  const { factory, stats } = fakeSessions();
  const logs: string[] = [];
  const server = new PgServer({
    sessions: factory,
    host: '127.0.0.1',
    port: 0,
    maxMessageBytes: 4096,
    log: (m) => logs.push(m),
  });
  let port = 0;
  beforeAll(async () => {
    port = (await server.start()).port;
  });
  afterAll(async () => {
    await server.stop();
  });

  it('cancels a running statement through CancelRequest with 57014', async () => {
    const { client, startup } = await WireClient.ready(port);
    const key = startup.find((m) => m.type === 'K')!;
    const pid = key.body.readInt32BE(0);
    const secret = key.body.readInt32BE(4);
    const started = stats.slowStarted;
    client.send(msg.query('SLOW'));
    await until(() => stats.slowStarted > started, 'SLOW to start');
    // The RowDescription is flushed while the statement waits for rows.
    expect(types(await client.readUntil('T'))).toBe('T');

    const wrong = await WireClient.connect(port);
    wrong.send(msg.cancel(pid, secret ^ 1));
    expect(await wrong.readToEnd()).toEqual([]);

    const cancel = await WireClient.connect(port);
    cancel.send(msg.cancel(pid, secret));
    expect(await cancel.readToEnd()).toEqual([]);
    const out = await client.readUntil('Z');
    expect(types(out)).toBe('EZ');
    expect(fields(out[0]!)).toMatchObject({ C: '57014', S: 'ERROR' });
    client.send(msg.query('SELECT 1'));
    expect(types(await client.readUntil('Z'))).toBe('TDCZ');
    client.close();
  });

  it('cancels a running portal of the extended protocol, and ignores a cancel while idle', async () => {
    const { client, startup } = await WireClient.ready(port);
    const key = startup.find((m) => m.type === 'K')!;
    const cancelNow = async (): Promise<void> => {
      const cancel = await WireClient.connect(port);
      cancel.send(msg.cancel(key.body.readInt32BE(0), key.body.readInt32BE(4)));
      await cancel.readToEnd();
    };
    await cancelNow();
    client.send(msg.query('SELECT 1'));
    expect(types(await client.readUntil('Z'))).toBe('TDCZ');

    const started = stats.slowStarted;
    client.send(msg.parse('', 'SLOW'), msg.bind('', ''), msg.execute(''), msg.sync());
    await until(() => stats.slowStarted > started, 'SLOW to start');
    await cancelNow();
    const out = await client.readUntil('Z');
    expect(types(out)).toBe('12EZ');
    expect(fields(out[2]!)).toMatchObject({ C: '57014' });
    client.close();
  });

  it('cancels a running statement through the pg client', async () => {
    const client = new pg.Client({ host: '127.0.0.1', port, user: 'tester', database: 'millrace' });
    await client.connect();
    const started = stats.slowStarted;
    const slow = client.query('SLOW').then(
      () => null,
      (e: unknown) => e as { code: string },
    );
    await until(() => stats.slowStarted > started, 'SLOW to start');
    const other = new pg.Client({ host: '127.0.0.1', port, user: 'tester', database: 'millrace' });
    await other.connect();
    // One connection's slow query does not block another's.
    expect((await other.query('SELECT 2')).rowCount).toBe(2);
    await other.end();
    // pg's own cancel path: a new connection sending CancelRequest with the key.
    const con = client as unknown as { processID: number; secretKey: number };
    const cancel = await WireClient.connect(port);
    cancel.send(msg.cancel(con.processID, con.secretKey));
    await cancel.readToEnd();
    expect(await slow).toMatchObject({ code: '57014' });
    await client.end();
  });

  it('survives garbage bytes with a FATAL 08P01 and keeps serving', async () => {
    const garbage = await WireClient.connect(port);
    garbage.send(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    const out = await garbage.readToEnd();
    expect(types(out)).toBe('E');
    expect(fields(out[0]!)).toMatchObject({ S: 'FATAL', C: '08P01' });

    const { client } = await WireClient.ready(port);
    client.send(Buffer.from([0x51, 0xff, 0xff, 0xff, 0xff]));
    const broken = await client.readToEnd();
    expect(fields(broken.at(-1)!)).toMatchObject({ S: 'FATAL', C: '08P01' });

    const ok = await WireClient.ready(port);
    ok.client.send(msg.query('SELECT 1'));
    expect(types(await ok.client.readUntil('Z'))).toBe('TDCZ');
    ok.client.close();
  });

  it('survives random bytes and truncated messages', async () => {
    let x = 7;
    const random = (n: number): Buffer => {
      const out = Buffer.alloc(n);
      for (let i = 0; i < n; i++) {
        x ^= x << 13;
        x >>>= 0;
        x ^= x >>> 17;
        x ^= x << 5;
        x >>>= 0;
        out[i] = x & 0xff;
      }
      return out;
    };
    for (let round = 0; round < 20; round++) {
      const c = await WireClient.connect(port);
      c.send(random(64 + round * 40));
      setTimeout(() => c.close(), 30);
      await c.readToEnd();
    }
    const truncated = await WireClient.ready(port);
    truncated.client.send(msg.query('SELECT 1').subarray(0, 7));
    await new Promise((r) => setTimeout(r, 30));
    truncated.client.close();
    const ok = await WireClient.ready(port);
    ok.client.send(msg.query('SELECT 2'));
    expect(types(await ok.client.readUntil('Z'))).toBe('TDDCZ');
    ok.client.close();
  });

  it('ends the connection on an unknown message type', async () => {
    const { client } = await WireClient.ready(port);
    client.send(Buffer.from([0x7a, 0, 0, 0, 4]));
    const out = await client.readToEnd();
    expect(types(out)).toBe('E');
    expect(fields(out[0]!)).toMatchObject({ S: 'FATAL', C: '08P01', M: 'invalid frontend message type 122' });
  });

  it('refuses a message above maxMessageBytes with 54000 and closes', async () => {
    const { client } = await WireClient.ready(port);
    client.send(msg.query(`SELECT 1 ${'x'.repeat(5000)}`));
    const out = await client.readToEnd();
    expect(types(out)).toBe('E');
    expect(fields(out[0]!)).toMatchObject({ S: 'FATAL', C: '54000' });
  });

  it('aborts the running statement and closes the session when the client disconnects', async () => {
    const { client } = await WireClient.ready(port);
    const aborted = stats.slowAborted;
    const closed = stats.closed;
    const started = stats.slowStarted;
    client.send(msg.query('SLOW'));
    await until(() => stats.slowStarted > started, 'SLOW to start');
    client.close();
    await until(() => stats.slowAborted > aborted && stats.closed > closed, 'abort and close');
  });

  it('answers psql', async () => {
    const { stdout } = await run('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'x', '-d', 'millrace', '-X', '-A', '-c', 'SELECT 3'], {
      env: { ...process.env, PGCONNECT_TIMEOUT: '5', PGSSLMODE: 'prefer' },
    });
    expect(stdout.trim().split('\n')).toEqual(['n', '1', '2', '3', '(3 rows)']);
  });

  it('did not log unexpected failures', () => {
    expect(logs.filter((l) => !l.startsWith('connection error'))).toEqual([]);
  });
});

describe('PgServer.stop', () => {
  it('closes the listener and every connection, aborting running statements', async () => {
    const { factory, stats } = fakeSessions();
    const server = new PgServer({ sessions: factory, host: '127.0.0.1', port: 0 });
    const { port } = await server.start();
    const idle = await WireClient.ready(port);
    const busy = await WireClient.ready(port);
    busy.client.send(msg.query('SLOW'));
    await until(() => stats.slowStarted === 1, 'SLOW to start');
    await server.stop();
    expect(stats.slowAborted).toBe(1);
    expect(stats.closed).toBe(2);
    const idleOut = await idle.client.readToEnd();
    expect(fields(idleOut.at(-1)!)).toMatchObject({ S: 'FATAL', C: '57P01' });
    await busy.client.readToEnd();
    await expect(WireClient.connect(port)).rejects.toThrow();
  });

});

describe('backpressure', () => {
  it('stops producing rows while the client does not read, and resumes when it does', async () => {
    const { factory, stats } = fakeSessions();
    const server = new PgServer({ sessions: factory, host: '127.0.0.1', port: 0 });
    const { port } = await server.start();
    const { client } = await WireClient.ready(port);
    client.socket.pause();
    client.send(msg.query('FOREVER'));
    await until(() => stats.produced > 0, 'rows');
    // Socket buffers absorb some rows; then production must stop altogether.
    let stalled = -1;
    for (let i = 0; i < 40 && stats.produced !== stalled; i++) {
      stalled = stats.produced;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(stats.produced).toBe(stalled);
    expect(stalled).toBeLessThan(5_000_000);
    client.socket.resume();
    await until(() => stats.produced > stalled + 100_000, 'rows to flow again');
    client.close();
    await server.stop();
  });

  it('keeps the data rows flowing to a client that reads slowly', async () => {
    const { factory } = fakeSessions();
    const server = new PgServer({ sessions: factory, host: '127.0.0.1', port: 0 });
    const { port } = await server.start();
    const { client } = await WireClient.ready(port);
    client.socket.pause();
    client.send(msg.query('SELECT 200000'));
    await new Promise((r) => setTimeout(r, 100));
    client.socket.resume();
    const out = await client.readUntil('Z');
    const rows = out.filter((m) => m.type === 'D');
    expect(rows).toHaveLength(200000);
    expect(dataRow(rows[199999]!)).toEqual(['200000']);
    client.close();
    await server.stop();
  });
});

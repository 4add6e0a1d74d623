/**
 * Robustness of the wire-protocol front end: raw sockets send random bytes, a startup packet with a
 * huge length header, a truncated startup packet, a truncated Query message after a good startup, and
 * disconnect in the middle of a query. After each, a fresh client runs `SELECT 1` and the server
 * process is still alive. With MILLRACE_CLIENT_TARGET set, runs against that server (no liveness check
 * of a process we do not own).
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withClient } from '../harness/pg-client.ts';
import { startServer, type RunningServer } from '../harness/server-process.ts';
import { externalTarget } from '../harness/target.ts';

/** Startup message: Int32 length, Int32 protocol 3.0 (196608), then name/value C strings and a final NUL. */
function startupMessage(params: Record<string, string>): Buffer {
  const body = Buffer.concat([...Object.entries(params).flatMap(([k, v]) => [Buffer.from(`${k}\0${v}\0`)]), Buffer.from([0])]);
  const head = Buffer.alloc(8);
  head.writeInt32BE(8 + body.length, 0);
  head.writeInt32BE(196608, 4);
  return Buffer.concat([head, body]);
}

/** Query message: Byte1('Q'), Int32 length (including itself), the SQL as a C string. */
function queryMessage(sql: string): Buffer {
  const text = Buffer.from(`${sql}\0`);
  const head = Buffer.alloc(5);
  head.write('Q', 0);
  head.writeInt32BE(4 + text.length, 1);
  return Buffer.concat([head, text]);
}

/** Deterministic pseudo-random bytes (xorshift32), so a failure can be reproduced. */
function randomBytes(n: number, seed: number): Buffer {
  const out = Buffer.alloc(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

interface Exchange {
  /** Writes chunks in order, waiting `pauseMs` between them, then closes after `lingerMs`. */
  readonly chunks: readonly Buffer[];
  readonly pauseMs?: number;
  readonly lingerMs?: number;
}

function exchange(target: { host: string; port: number }, ex: Exchange): Promise<Buffer> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: target.host, port: target.port });
    const received: Buffer[] = [];
    socket.on('data', (d) => received.push(d));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(Buffer.concat(received)));
    socket.on('connect', async () => {
      for (const chunk of ex.chunks) {
        socket.write(chunk);
        await new Promise((r) => setTimeout(r, ex.pauseMs ?? 50));
      }
      setTimeout(() => socket.destroy(), ex.lingerMs ?? 200);
    });
  });
}

describe('protocol garbage', () => {
  const ext = externalTarget();
  let server: RunningServer | undefined;
  let target: { host: string; port: number };
  beforeAll(async () => {
    if (ext === null) {
      server = await startServer();
      target = server;
    } else {
      target = ext;
    }
  });
  afterAll(async () => {
    await server?.stop();
  });

  async function stillServes(): Promise<void> {
    const rows = await withClient(target, async (c) => (await c.query({ text: 'SELECT 1', rowMode: 'array' })).rows);
    expect(rows).toEqual([['1']]);
    if (server !== undefined) expect(server.isAlive()).toBe(true);
  }

  it('survives random bytes', async () => {
    for (const seed of [1, 2, 3, 42, 1234]) {
      await exchange(target, { chunks: [randomBytes(512, seed)] });
    }
    await stillServes();
  });

  it('survives a huge length header', async () => {
    const head = Buffer.alloc(8);
    head.writeInt32BE(0x7fffffff, 0);
    head.writeInt32BE(196608, 4);
    await exchange(target, { chunks: [head, randomBytes(64, 7)] });
    const negative = Buffer.alloc(8);
    negative.writeInt32BE(-5, 0);
    await exchange(target, { chunks: [negative] });
    await stillServes();
  });

  it('survives a truncated startup packet', async () => {
    const full = startupMessage({ user: 'tester', database: 'millrace' });
    await exchange(target, { chunks: [full.subarray(0, 11)] });
    await exchange(target, { chunks: [full.subarray(0, 3)] });
    await stillServes();
  });

  it('survives a truncated query message', async () => {
    const q = queryMessage('SELECT 1');
    const reply = await exchange(target, { chunks: [startupMessage({ user: 'tester', database: 'millrace' }), q.subarray(0, 7)], pauseMs: 150 });
    // The startup itself succeeded: the server sent AuthenticationOk ('R') first.
    expect(reply[0]).toBe('R'.charCodeAt(0));
    // A message with a length header far beyond what follows, after a good startup.
    const bad = Buffer.from([0x51, 0x7f, 0xff, 0xff, 0xff, 0x53]);
    await exchange(target, { chunks: [startupMessage({ user: 'tester', database: 'millrace' }), bad], pauseMs: 150 });
    await stillServes();
  });

  it('survives a client disconnecting mid-query', async () => {
    const q = queryMessage('SELECT COUNT(*) FROM (SELECT 1 AS x UNION ALL SELECT 2 UNION ALL SELECT 3) AS t');
    await exchange(target, { chunks: [startupMessage({ user: 'tester', database: 'millrace' }), q], pauseMs: 100, lingerMs: 0 });
    await exchange(target, { chunks: [startupMessage({ user: 'tester', database: 'millrace' }), q, q, q], pauseMs: 0, lingerMs: 0 });
    await stillServes();
  });
});

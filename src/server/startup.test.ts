import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqlError } from '../errors.ts';
import { PgServer } from './server.ts';
import { parseStartupMessage } from './startup.ts';
import { fakeSessions } from './fake-session.test-helpers.ts';
import { fields, msg, parameterStatuses, types, WireClient } from './wire-client.test-helpers.ts';

function body(...pairs: string[]): Buffer {
  return Buffer.from(pairs.map((p) => `${p}\0`).join('') + '\0', 'utf8');
}

describe('parseStartupMessage', () => {
  it('reads the parameters and defaults database to user', () => {
    const r = parseStartupMessage(196608, body('user', 'ann', 'application_name', 'psql'));
    expect([...r.params]).toEqual([
      ['user', 'ann'],
      ['application_name', 'psql'],
      ['database', 'ann'],
    ]);
    expect(r.minorVersion).toBe(0);
  });

  it('separates _pq_ protocol options', () => {
    const r = parseStartupMessage(196610, body('user', 'ann', '_pq_.foo', 'x'));
    expect(r.protocolOptions).toEqual(['_pq_.foo']);
    expect(r.minorVersion).toBe(2);
    expect(r.params.has('_pq_.foo')).toBe(false);
  });

  it('refuses protocol 2.0 with 0A000', () => {
    const err = (() => {
      try {
        parseStartupMessage(2 << 16, body('user', 'ann'));
      } catch (e) {
        return e as SqlError;
      }
      return null;
    })();
    expect(err?.code).toBe('0A000');
    expect(err?.message).toBe('unsupported frontend protocol 2.0: server supports 3.0 to 3.0');
    expect(err?.severity).toBe('FATAL');
  });

  it('rejects a packet without terminator or without user', () => {
    expect(() => parseStartupMessage(196608, Buffer.from('user\0ann\0', 'utf8'))).toThrow(/terminator/);
    expect(() => parseStartupMessage(196608, Buffer.from('user\0\0', 'utf8'))).toThrow(/terminator/);
    expect(() => parseStartupMessage(196608, body('database', 'd'))).toThrow(/no PostgreSQL user name/);
  });
});

describe('startup over the wire', () => {
  const { factory, stats } = fakeSessions();
  const server = new PgServer({ sessions: factory, host: '127.0.0.1', port: 0 });
  let port = 0;
  beforeAll(async () => {
    port = (await server.start()).port;
  });
  afterAll(async () => {
    await server.stop();
  });

  it('answers SSLRequest and GSSENCRequest with N, then starts up', async () => {
    const client = await WireClient.connect(port);
    client.expectSslAnswer();
    client.send(msg.sslRequest());
    const ssl = await client.next();
    expect(ssl?.body.toString()).toBe('N');
    client.expectSslAnswer();
    client.send(msg.gssencRequest());
    expect((await client.next())?.body.toString()).toBe('N');
    client.send(msg.startup({ user: 'tester', database: 'millrace', application_name: 'wire' }));
    const startup = await client.readUntil('Z');
    expect(types(startup)).toMatch(/^RS+KZ$/);
    expect(startup[0]!.body.readInt32BE(0)).toBe(0);
    const reported = parameterStatuses(startup);
    expect(reported.get('TimeZone')).toBe('UTC');
    expect(reported.get('application_name')).toBe('wire');
    expect(reported.get('client_encoding')).toBe('UTF8');
    expect(startup.at(-1)!.body.toString()).toBe('I');
    expect(stats.startups.at(-1)?.get('application_name')).toBe('wire');
    client.close();
  });

  it('gives every connection its own pid', async () => {
    const a = await WireClient.ready(port);
    const b = await WireClient.ready(port);
    const pidOf = (ms: typeof a.startup): number => ms.find((m) => m.type === 'K')!.body.readInt32BE(0);
    expect(pidOf(a.startup)).not.toBe(pidOf(b.startup));
    a.client.close();
    b.client.close();
  });

  it("reports the session's own pid in BackendKeyData when it is free", async () => {
    const pidOf = async (): Promise<[number, WireClient]> => {
      const client = await WireClient.connect(port);
      client.send(msg.startup({ user: 'pid42' }));
      const out = await client.readUntil('Z');
      return [out.find((m) => m.type === 'K')!.body.readInt32BE(0), client];
    };
    const [first, a] = await pidOf();
    const [second, b] = await pidOf();
    expect(first).toBe(42);
    expect(second).not.toBe(42);
    a.close();
    b.close();
  });

  it('negotiates protocol 3.2 down to 3.0', async () => {
    const client = await WireClient.connect(port);
    client.send(msg.startup({ user: 'tester', '_pq_.x': '1' }, (3 << 16) | 2));
    const startup = await client.readUntil('Z');
    expect(startup[0]!.type).toBe('v');
    expect(startup[0]!.body.readInt32BE(0)).toBe(0);
    expect(startup[0]!.body.readInt32BE(4)).toBe(1);
    expect(startup[0]!.body.toString('utf8', 8)).toBe('_pq_.x\0');
    expect(startup[1]!.type).toBe('R');
    client.close();
  });

  it('rejects protocol 2.0 with a FATAL error and closes', async () => {
    const client = await WireClient.connect(port);
    client.send(msg.startup({ user: 'tester' }, 2 << 16));
    const out = await client.readToEnd();
    expect(types(out)).toBe('E');
    expect(fields(out[0]!)).toMatchObject({ S: 'FATAL', C: '0A000' });
  });

  it('turns an openSession failure into a FATAL error', async () => {
    const client = await WireClient.connect(port);
    client.send(msg.startup({ user: 'tester', database: 'nope' }));
    const out = await client.readToEnd();
    expect(types(out)).toBe('E');
    expect(fields(out[0]!)).toMatchObject({ S: 'FATAL', C: '3D000', M: 'database "nope" does not exist' });
  });

  it('closes the session on Terminate', async () => {
    const closedBefore = stats.closed;
    const { client } = await WireClient.ready(port);
    client.send(msg.terminate());
    expect(await client.readToEnd()).toEqual([]);
    expect(stats.closed).toBe(closedBefore + 1);
  });
});

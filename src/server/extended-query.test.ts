import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgServer } from './server.ts';
import { fakeSessions } from './fake-session.test-helpers.ts';
import {
  cstring,
  dataRow,
  dataRowBytes,
  fields,
  msg,
  rowDescription,
  types,
  WireClient,
} from './wire-client.test-helpers.ts';

describe('extended query', () => {
  const { factory } = fakeSessions();
  const server = new PgServer({ sessions: factory, host: '127.0.0.1', port: 0 });
  let port = 0;
  beforeAll(async () => {
    port = (await server.start()).port;
  });
  afterAll(async () => {
    await server.stop();
  });

  it('runs parse / bind / describe / execute / sync', async () => {
    const { client } = await WireClient.ready(port);
    client.send(msg.parse('', 'SELECT 2'), msg.bind('', ''), msg.describe('P', ''), msg.execute(''), msg.sync());
    const out = await client.readUntil('Z');
    expect(types(out)).toBe('12TDDCZ');
    expect(out.filter((m) => m.type === 'D').map(dataRow)).toEqual([['1'], ['2']]);
    expect(cstring(out[5]!)).toBe('SELECT 2');
    client.close();
  });

  it('describes a statement with its parameter types and text result formats', async () => {
    const { client } = await WireClient.ready(port);
    client.send(msg.parse('s1', 'ECHO $1'), msg.describe('S', 's1'), msg.parse('s2', 'INSERT'), msg.describe('S', 's2'));
    client.send(msg.sync());
    const out = await client.readUntil('Z');
    expect(types(out)).toBe('1tT1tnZ');
    expect(out[1]!.body.readInt16BE(0)).toBe(1);
    expect(out[1]!.body.readInt32BE(2)).toBe(23);
    expect(rowDescription(out[2]!)).toEqual([{ name: 'echo', oid: 23, format: 0 }]);
    expect(out[4]!.body.readInt16BE(0)).toBe(0);
    client.close();
  });

  it('suspends a portal at the row limit and resumes it on the next Execute', async () => {
    const { client } = await WireClient.ready(port);
    client.send(msg.parse('', 'SELECT 5'), msg.bind('c1', ''), msg.execute('c1', 2), msg.flush());
    let out = await client.readUntil('s');
    expect(types(out)).toBe('12DDs');
    expect(out.filter((m) => m.type === 'D').map(dataRow)).toEqual([['1'], ['2']]);
    client.send(msg.execute('c1', 3), msg.flush());
    out = await client.readUntil('s');
    expect(out.filter((m) => m.type === 'D').map(dataRow)).toEqual([['3'], ['4'], ['5']]);
    client.send(msg.execute('c1', 3), msg.flush());
    out = await client.readUntil('C');
    expect(types(out)).toBe('C');
    expect(cstring(out[0]!)).toBe('SELECT 0');
    client.send(msg.execute('c1', 0), msg.sync());
    out = await client.readUntil('Z');
    expect(types(out)).toBe('CZ');
    expect(cstring(out[0]!)).toBe('SELECT 0');
    // Outside a transaction block the portal is gone after Sync.
    client.send(msg.execute('c1', 0), msg.sync());
    out = await client.readUntil('Z');
    expect(types(out)).toBe('EZ');
    expect(fields(out[0]!)).toMatchObject({ C: '34000' });
    client.close();
  });

  it('counts only the rows of the last Execute in the tag of a suspended portal', async () => {
    const { client } = await WireClient.ready(port);
    client.send(msg.parse('', 'SELECT 3'), msg.bind('', ''), msg.execute('', 2), msg.execute('', 0), msg.sync());
    const out = await client.readUntil('Z');
    expect(types(out)).toBe('12DDsDCZ');
    expect(cstring(out[6]!)).toBe('SELECT 1');
    client.close();
  });

  it('keeps portals across Sync inside a transaction block', async () => {
    const { client } = await WireClient.ready(port);
    client.send(msg.query('BEGIN'));
    await client.readUntil('Z');
    client.send(msg.parse('', 'SELECT 3'), msg.bind('c', ''), msg.execute('c', 1), msg.sync());
    let out = await client.readUntil('Z');
    expect(types(out)).toBe('12DsZ');
    expect(out.at(-1)!.body.toString()).toBe('T');
    client.send(msg.execute('c', 0), msg.sync());
    out = await client.readUntil('Z');
    expect(types(out)).toBe('DDCZ');
    client.close();
  });

  it('skips to Sync after an error', async () => {
    const { client } = await WireClient.ready(port);
    client.send(
      msg.parse('', 'BAD'),
      msg.bind('', ''),
      msg.execute(''),
      msg.query('SELECT 1'),
      msg.sync(),
      msg.parse('', 'SELECT 1'),
      msg.bind('', ''),
      msg.execute(''),
      msg.sync(),
    );
    const out = await client.readUntil('Z');
    expect(types(out)).toBe('EZ');
    expect(fields(out[0]!)).toMatchObject({ C: '42601', P: '1' });
    expect(types(await client.readUntil('Z'))).toBe('12DCZ');
    client.close();
  });

  it('sends the ErrorResponse before Sync arrives', async () => {
    const { client } = await WireClient.ready(port);
    client.send(msg.parse('', 'SELECT 1'), msg.bind('', 'missing'), msg.flush());
    const out = await client.readUntil('E');
    expect(types(out)).toBe('1E');
    expect(fields(out[1]!)).toMatchObject({ C: '26000', M: 'prepared statement "missing" does not exist' });
    client.send(msg.sync());
    expect(types(await client.readUntil('Z'))).toBe('Z');
    client.close();
  });

  it('refuses a duplicate named statement but replaces the unnamed one', async () => {
    const { client } = await WireClient.ready(port);
    client.send(msg.parse('', 'SELECT 1'), msg.parse('', 'SELECT 2'), msg.parse('x', 'SELECT 1'));
    client.send(msg.parse('x', 'SELECT 1'), msg.sync());
    const out = await client.readUntil('Z');
    expect(types(out)).toBe('111EZ');
    expect(fields(out[3]!)).toMatchObject({ C: '42P05' });
    client.send(msg.close('S', 'x'), msg.close('S', 'never'), msg.parse('x', 'SELECT 2'), msg.sync());
    expect(types(await client.readUntil('Z'))).toBe('331Z');
    client.send(msg.bind('', 'x'), msg.execute(''), msg.sync());
    expect(types(await client.readUntil('Z'))).toBe('2DDCZ');
    client.close();
  });

  it('returns int4 in binary for columns bound with format 1 and decodes binary parameters', async () => {
    const { client } = await WireClient.ready(port);
    client.send(
      msg.parse('e', 'ECHO $1', [23]),
      msg.bind('', 'e', [msg.int32(-123456)], [1], [1]),
      msg.describe('P', ''),
      msg.execute(''),
      msg.bind('', 'e', [Buffer.from('77')], [], []),
      msg.execute(''),
      msg.sync(),
    );
    const out = await client.readUntil('Z');
    expect(types(out)).toBe('12TDC2DCZ');
    expect(rowDescription(out[2]!)).toEqual([{ name: 'echo', oid: 23, format: 1 }]);
    const bytes = dataRowBytes(out[3]!)[0]!;
    expect(bytes.length).toBe(4);
    expect(bytes.readInt32BE(0)).toBe(-123456);
    expect(dataRow(out[6]!)).toEqual(['77']);
    client.close();
  });

  it('applies per-column result formats and rejects a mismatched count', async () => {
    const { client } = await WireClient.ready(port);
    client.send(msg.parse('', 'MIXED'), msg.bind('', '', [], [], [1, 0, 1]), msg.execute(''), msg.sync());
    let out = await client.readUntil('Z');
    expect(types(out)).toBe('12DDCZ');
    const [i, s, b] = dataRowBytes(out[2]!);
    expect(i!.readInt32BE(0)).toBe(1);
    expect(s!.toString()).toBe('a');
    expect([...b!]).toEqual([1]);
    client.send(msg.bind('', '', [], [], [1, 0]), msg.sync());
    out = await client.readUntil('Z');
    expect(types(out)).toBe('EZ');
    expect(fields(out[0]!)).toMatchObject({ C: '08P01' });
    client.close();
  });

  it('checks the parameter count', async () => {
    const { client } = await WireClient.ready(port);
    client.send(msg.parse('', 'ECHO $1'), msg.bind('', ''), msg.sync());
    const out = await client.readUntil('Z');
    expect(types(out)).toBe('1EZ');
    expect(fields(out[1]!).M).toBe('bind message supplies 0 parameters, but prepared statement "" requires 1');
    client.close();
  });

  it('answers an empty statement with EmptyQueryResponse and NoData', async () => {
    const { client } = await WireClient.ready(port);
    client.send(msg.parse('', ''), msg.bind('', ''), msg.describe('P', ''), msg.execute(''), msg.sync());
    expect(types(await client.readUntil('Z'))).toBe('12nIZ');
    client.close();
  });

  it('closes portals and reports unknown ones with 34000', async () => {
    const { client } = await WireClient.ready(port);
    client.send(msg.parse('', 'SELECT 3'), msg.bind('p', ''), msg.close('P', 'p'), msg.describe('P', 'p'), msg.sync());
    const out = await client.readUntil('Z');
    expect(types(out)).toBe('123EZ');
    expect(fields(out[3]!)).toMatchObject({ C: '34000', M: 'portal "p" does not exist' });
    client.send(msg.bind('p', ''), msg.bind('p', ''), msg.sync());
    const dup = await client.readUntil('Z');
    expect(types(dup)).toBe('2EZ');
    expect(fields(dup[1]!)).toMatchObject({ C: '42P03' });
    client.close();
  });

  it('ends the connection when Execute fails with a FATAL error', async () => {
    const { client } = await WireClient.ready(port);
    client.send(msg.parse('', 'DIE'), msg.bind('', ''), msg.execute(''), msg.sync());
    const out = await client.readToEnd();
    expect(types(out)).toBe('12E');
    expect(fields(out[2]!)).toMatchObject({ S: 'FATAL', C: '57P01' });
  });

  it('refuses more than one statement in Parse', async () => {
    const { client } = await WireClient.ready(port);
    client.send(msg.parse('', 'SELECT 1; SELECT 2'), msg.sync());
    const out = await client.readUntil('Z');
    expect(types(out)).toBe('EZ');
    expect(fields(out[0]!)).toMatchObject({ C: '42601' });
    client.close();
  });

  it('reports a malformed message as 08P01 and skips to Sync', async () => {
    const { client } = await WireClient.ready(port);
    const truncatedBind = Buffer.from([0x42, 0, 0, 0, 6, 0, 0]);
    client.send(truncatedBind, msg.execute(''), msg.sync());
    const out = await client.readUntil('Z');
    expect(types(out)).toBe('EZ');
    expect(fields(out[0]!)).toMatchObject({ S: 'ERROR', C: '08P01' });
    client.close();
  });

  it('serves parameterized queries of the pg client', async () => {
    const client = new pg.Client({ host: '127.0.0.1', port, user: 'tester', database: 'millrace' });
    await client.connect();
    const res = await client.query('ECHO $1', [42]);
    expect(res.rows).toEqual([{ echo: 42 }]);
    const named = await client.query({ name: 'echo', text: 'ECHO $1', values: [7] });
    expect(named.rows).toEqual([{ echo: 7 }]);
    const again = await client.query({ name: 'echo', text: 'ECHO $1', values: [8] });
    expect(again.rows).toEqual([{ echo: 8 }]);
    await expect(client.query('FAIL', [])).rejects.toMatchObject({ code: '22012' });
    // `binary` asks for binary results; @types/pg does not declare it.
    const bin = await client.query({ text: 'ECHO $1', values: [5], binary: true } as pg.QueryConfig);
    expect(bin.rows).toEqual([{ echo: 5 }]);
    await client.end();
  });
});

import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgServer } from './server.ts';
import { fakeSessions } from './fake-session.test-helpers.ts';
import { cstring, dataRow, fields, msg, parameterStatuses, rowDescription, types, WireClient } from './wire-client.test-helpers.ts';

describe('simple query', () => {
  const { factory } = fakeSessions();
  const server = new PgServer({ sessions: factory, host: '127.0.0.1', port: 0 });
  let port = 0;
  beforeAll(async () => {
    port = (await server.start()).port;
  });
  afterAll(async () => {
    await server.stop();
  });

  async function pgClient(): Promise<pg.Client> {
    const client = new pg.Client({ host: '127.0.0.1', port, user: 'tester', database: 'millrace' });
    await client.connect();
    return client;
  }

  it('runs a query through the pg client', async () => {
    const client = await pgClient();
    const res = await client.query('SELECT 3');
    expect(res.rows).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(res.command).toBe('SELECT');
    expect(res.rowCount).toBe(3);
    const mixed = await client.query('MIXED');
    expect(mixed.rows).toEqual([
      { i: 1, s: 'a', b: true },
      { i: 2, s: null, b: false },
    ]);
    await client.end();
  });

  it('runs every statement of a script with one ReadyForQuery', async () => {
    const { client } = await WireClient.ready(port);
    client.send(msg.query('SELECT 2; INSERT; SELECT 1'));
    const out = await client.readUntil('Z');
    expect(types(out)).toBe('TDDCCTDCZ');
    expect(rowDescription(out[0]!)).toEqual([{ name: 'n', oid: 23, format: 0 }]);
    expect(out.filter((m) => m.type === 'D').map(dataRow)).toEqual([['1'], ['2'], ['1']]);
    expect(out.filter((m) => m.type === 'C').map(cstring)).toEqual(['SELECT 2', 'INSERT 0 1', 'SELECT 1']);
    expect(out.at(-1)!.body.toString()).toBe('I');
    client.close();
  });

  it('streams many rows in batches', async () => {
    const { client } = await WireClient.ready(port);
    client.send(msg.query('SELECT 5000'));
    const out = await client.readUntil('Z');
    const rows = out.filter((m) => m.type === 'D');
    expect(rows).toHaveLength(5000);
    expect(dataRow(rows[4999]!)).toEqual(['5000']);
    expect(cstring(out.at(-2)!)).toBe('SELECT 5000');
    client.close();
  });

  it('answers an empty or comment-only query with EmptyQueryResponse', async () => {
    const { client } = await WireClient.ready(port);
    client.send(msg.query(''));
    expect(types(await client.readUntil('Z'))).toBe('IZ');
    client.send(msg.query(' ; -- ping'));
    expect(types(await client.readUntil('Z'))).toBe('IZ');
    client.close();
  });

  it('reports a syntax error with a 1-based position and runs nothing', async () => {
    const { client } = await WireClient.ready(port);
    client.send(msg.query('INSERT; BAD'));
    const out = await client.readUntil('Z');
    expect(types(out)).toBe('EZ');
    expect(fields(out[0]!)).toMatchObject({ S: 'ERROR', V: 'ERROR', C: '42601', P: '9' });
    client.close();
  });

  it('stops the script at the first runtime error', async () => {
    const { client } = await WireClient.ready(port);
    client.send(msg.query('SELECT 1; FAIL; SELECT 2'));
    const out = await client.readUntil('Z');
    expect(types(out)).toBe('TDCEZ');
    expect(fields(out[3]!)).toMatchObject({ C: '22012', M: 'division by zero' });
    client.send(msg.query('SELECT 1'));
    expect(types(await client.readUntil('Z'))).toBe('TDCZ');
    client.close();
  });

  it('ends the connection when a statement fails with a FATAL error', async () => {
    const { client } = await WireClient.ready(port);
    client.send(msg.query('SELECT 1; DIE; SELECT 2'));
    const out = await client.readToEnd();
    expect(types(out)).toBe('TDCE');
    expect(fields(out[3]!)).toMatchObject({ S: 'FATAL', C: '57P01' });
  });

  it('sends notices before CommandComplete and the transaction status in ReadyForQuery', async () => {
    const { client } = await WireClient.ready(port);
    client.send(msg.query('BEGIN; NOTE'));
    const out = await client.readUntil('Z');
    expect(types(out)).toBe('CNCZ');
    expect(fields(out[1]!)).toMatchObject({ S: 'NOTICE', C: '00000', M: 'a note' });
    expect(out.at(-1)!.body.toString()).toBe('T');
    client.send(msg.query('COMMIT'));
    expect((await client.readUntil('Z')).at(-1)!.body.toString()).toBe('I');
    client.close();
  });

  it('reports changed parameters after SET and formats timestamptz in the new zone', async () => {
    const { client } = await WireClient.ready(port);
    client.send(msg.query('TS'));
    expect(dataRow((await client.readUntil('Z'))[1]!)).toEqual(['1970-01-01 00:00:00+00']);
    client.send(msg.query('SET TimeZone = Asia/Tokyo'));
    const out = await client.readUntil('Z');
    expect(types(out)).toBe('SCZ');
    expect([...parameterStatuses(out)]).toEqual([['TimeZone', 'Asia/Tokyo']]);
    client.send(msg.query('TS'));
    expect(dataRow((await client.readUntil('Z'))[1]!)).toEqual(['1970-01-01 09:00:00+09']);
    client.close();
  });

  it('surfaces errors to the pg client with their SQLSTATE and position', async () => {
    const client = await pgClient();
    const err = await client.query('BAD').then(
      () => null,
      (e: unknown) => e as { code: string; position: string; severity: string },
    );
    expect(err).toMatchObject({ code: '42601', position: '1', severity: 'ERROR' });
    expect((await client.query('SELECT 1')).rows).toEqual([{ n: 1 }]);
    await client.end();
  });
});

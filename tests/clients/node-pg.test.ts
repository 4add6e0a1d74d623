/**
 * node-postgres (`pg`) against millrace with its default type parsers: parameterized queries over the
 * extended protocol, typed results (int, bigint, numeric, text, bool, timestamp, date, null), named
 * prepared statements reused across executions, and a failing statement after which the same
 * connection keeps working.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient } from '../harness/pg-client.ts';
import { acquireServer, type AcquiredServer } from '../harness/target.ts';

describe('node-postgres', () => {
  let server: AcquiredServer;
  let client: pg.Client;
  beforeAll(async () => {
    server = await acquireServer();
    client = await connectClient(server, { rawText: false });
    await client.query('DROP TABLE IF EXISTS np_events');
    await client.query('CREATE TABLE np_events (id INT, big BIGINT, price DECIMAL(10, 2), name VARCHAR(20), ok BOOLEAN, at TIMESTAMP(3), day DATE)');
  });
  afterAll(async () => {
    await client?.end().catch(() => undefined);
    await server?.release();
  });

  it('inserts with parameters and reads typed values back', async () => {
    const insert = 'INSERT INTO np_events VALUES ($1, $2, $3, $4, $5, $6, $7)';
    const r1 = await client.query(insert, [1, '9007199254740993', '12.50', 'first', true, '2024-01-02 03:04:05.678', '2024-01-02']);
    expect(r1.rowCount).toBe(1);
    await client.query(insert, [2, null, null, null, null, null, null]);
    const res = await client.query('SELECT id, big, price, name, ok, at, day FROM np_events WHERE id = $1', [1]);
    expect(res.rows).toHaveLength(1);
    const row = res.rows[0] as Record<string, unknown>;
    expect(row['id']).toBe(1);
    // pg returns int8 and numeric as strings so no precision is lost.
    expect(row['big']).toBe('9007199254740993');
    expect(row['price']).toBe('12.50');
    expect(row['name']).toBe('first');
    expect(row['ok']).toBe(true);
    // timestamp without time zone is parsed as local time by pg.
    expect(row['at']).toBeInstanceOf(Date);
    const at = row['at'] as Date;
    expect([at.getFullYear(), at.getMonth() + 1, at.getDate(), at.getHours(), at.getMinutes(), at.getSeconds(), at.getMilliseconds()]).toEqual([2024, 1, 2, 3, 4, 5, 678]);
    expect(row['day']).toBeInstanceOf(Date);
    const day = row['day'] as Date;
    expect([day.getFullYear(), day.getMonth() + 1, day.getDate()]).toEqual([2024, 1, 2]);

    const nulls = await client.query('SELECT id, big, price, name, ok, at, day FROM np_events WHERE id = $1', [2]);
    expect(nulls.rows[0]).toEqual({ id: 2, big: null, price: null, name: null, ok: null, at: null, day: null });
  });

  it('round-trips numeric parameters with their own scale', async () => {
    const res = await client.query('SELECT $1::numeric AS n, $1::numeric * 2 AS m, $2::numeric AS z', ['12.345', '1.50']);
    expect(res.rows).toEqual([{ n: '12.345', m: '24.690', z: '1.50' }]);
    expect(res.fields.map((f) => [f.name, f.dataTypeID, f.dataTypeModifier])).toEqual([
      ['n', 1700, -1],
      ['m', 1700, -1],
      ['z', 1700, -1],
    ]);
    await client.query('DROP TABLE IF EXISTS np_numeric');
    await client.query('CREATE TABLE np_numeric (id INT, x NUMERIC)');
    await client.query('INSERT INTO np_numeric VALUES ($1, $2), ($3, $4)', [1, '12.345', 2, '1.5']);
    const rows = await client.query('SELECT id, x FROM np_numeric ORDER BY id');
    expect(rows.rows).toEqual([
      { id: 1, x: '12.345' },
      { id: 2, x: '1.5' },
    ]);
    await client.query('DROP TABLE np_numeric');
  });

  it('reports column metadata for results', async () => {
    const res = await client.query('SELECT id, name FROM np_events WHERE id = $1', [1]);
    expect(res.fields.map((f) => [f.name, f.dataTypeID])).toEqual([
      ['id', 23],
      ['name', 1043],
    ]);
  });

  it('binds parameters in expressions and WHERE', async () => {
    const res = await client.query('SELECT CAST($1 AS INT) + 1 AS n, CAST($2 AS VARCHAR(10)) || \'!\' AS s', [41, 'hi']);
    expect(res.rows).toEqual([{ n: 42, s: 'hi!' }]);
    const none = await client.query('SELECT id FROM np_events WHERE name = $1', ['nobody']);
    expect(none.rows).toEqual([]);
  });

  it('reuses a named prepared statement', async () => {
    const results: unknown[] = [];
    for (let i = 10; i < 15; i++) {
      await client.query({ name: 'np_insert', text: 'INSERT INTO np_events (id, name) VALUES ($1, $2)', values: [i, `row${i}`] });
    }
    for (let i = 10; i < 15; i++) {
      const r = await client.query({ name: 'np_select', text: 'SELECT name FROM np_events WHERE id = $1', values: [i] });
      results.push(r.rows[0]?.name);
    }
    expect(results).toEqual(['row10', 'row11', 'row12', 'row13', 'row14']);
  });

  it('keeps the connection usable after an error', async () => {
    await expect(client.query('SELECT * FROM no_such_table')).rejects.toMatchObject({ code: '42P01' });
    await expect(client.query('SELECT 1 / CAST($1 AS INT)', [0])).rejects.toMatchObject({ code: '22012' });
    const res = await client.query('SELECT CAST(COUNT(*) AS INT) AS n FROM np_events');
    expect(res.rows).toEqual([{ n: 7 }]);
  });
});

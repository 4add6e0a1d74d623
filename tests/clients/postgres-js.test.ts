/**
 * postgres.js (`postgres` on npm) against millrace: on connect it reads pg_type's array types
 * (typcategory 'A'); tagged-template queries are prepared as named statements, described (Describe S
 * for parameter types) and executed over the extended protocol. Checks parameters, typed results
 * (int, bigint, numeric, text, bool, timestamp, date, int[]), sql.begin commit and rollback, a
 * cursor read in batches through Execute row limits, COPY in and out through its streams, and that
 * the connection stays usable after an error.
 */
import { pipeline } from 'node:stream/promises';
import { Readable, Writable } from 'node:stream';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireServer, type AcquiredServer } from '../harness/target.ts';

describe('postgres.js', () => {
  let server: AcquiredServer;
  let sql: postgres.Sql;
  beforeAll(async () => {
    server = await acquireServer();
    sql = postgres({ host: server.host, port: server.port, database: 'millrace', username: 'tester', max: 1, onnotice: () => undefined, connect_timeout: 10 });
    await sql`DROP TABLE IF EXISTS pjs_items`;
    await sql`CREATE TABLE pjs_items (id INT, big BIGINT, price DECIMAL(10, 2), name VARCHAR(20), ok BOOLEAN, at TIMESTAMP(3), day DATE, tags INT[])`;
  });
  afterAll(async () => {
    await sql?.end({ timeout: 5 }).catch(() => undefined);
    await server?.release();
  });

  it('inserts with template parameters and reads typed values back', async () => {
    const r = await sql`INSERT INTO pjs_items (id, big, price, name, ok, at, day) VALUES (${1}, ${'9007199254740993'}, ${'12.50'}, ${"it's"}, ${true}, ${'2024-01-02 03:04:05.678'}, ${'2024-01-02'})`;
    expect([r.count, r.command]).toEqual([1, 'INSERT']);
    await sql`INSERT INTO pjs_items (id) VALUES (${2})`;
    const rows = await sql`SELECT id, big, price, name, ok, at, day FROM pjs_items WHERE id = ${1}`;
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(row['id']).toBe(1);
    expect(row['big']).toBe('9007199254740993');
    expect(row['price']).toBe('12.50');
    expect(row['name']).toBe("it's");
    expect(row['ok']).toBe(true);
    const at = row['at'] as Date;
    expect(at).toBeInstanceOf(Date);
    expect([at.getFullYear(), at.getMonth() + 1, at.getDate(), at.getHours(), at.getMinutes(), at.getSeconds(), at.getMilliseconds()]).toEqual([2024, 1, 2, 3, 4, 5, 678]);
    expect(row['day']).toBeInstanceOf(Date);
    const nulls = await sql`SELECT id, big, price, name, ok, at, day FROM pjs_items WHERE id = ${2}`;
    expect(nulls[0]).toEqual({ id: 2, big: null, price: null, name: null, ok: null, at: null, day: null });
    expect(rows.columns.map((c) => [c.name, c.type])).toEqual([
      ['id', 23],
      ['big', 20],
      ['price', 1700],
      ['name', 1043],
      ['ok', 16],
      ['at', 1114],
      ['day', 1082],
    ]);
  });

  it('reads arrays and binds values in expressions', async () => {
    const [r] = await sql`SELECT ARRAY[1, 2, 3] AS a, CAST(${41} AS INT) + 1 AS n, ${'hi'} || '!' AS s`;
    expect(r).toEqual({ a: [1, 2, 3], n: 42, s: 'hi!' });
    const none = await sql`SELECT id FROM pjs_items WHERE name = ${'nobody'}`;
    expect(none.count).toBe(0);
  });

  // postgres.js serializes a parameter by the type the server describes for it: INSERT INTO t
  // VALUES ($1, ...) parameters take the target columns' types (int4[] for tags), as in PostgreSQL.
  it('binds a JS array to an INT[] column', async () => {
    await sql`INSERT INTO pjs_items (id, tags) VALUES (${3}, ${[1, 2]})`;
    const [r] = await sql`SELECT tags FROM pjs_items WHERE id = ${3}`;
    expect(r).toEqual({ tags: [1, 2] });
  });

  // Whether ROLLBACK undoes writes is not part of millrace's contract yet (docs/sql-reference.md,
  // "Transactions"): only that sql.begin ends the transaction and rethrows is checked.
  it('commits sql.begin and ends the transaction when the callback throws', async () => {
    await sql.begin(async (tx) => {
      await tx`INSERT INTO pjs_items (id, name) VALUES (${10}, ${'kept'})`;
    });
    await expect(
      sql.begin(async (tx) => {
        await tx`INSERT INTO pjs_items (id, name) VALUES (${11}, ${'dropped'})`;
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const rows = await sql`SELECT id, name FROM pjs_items WHERE id = ${10}`;
    expect([...rows]).toEqual([{ id: 10, name: 'kept' }]);
    const [state] = await sql`SELECT 1 AS ok`;
    expect(state).toEqual({ ok: 1 });
  });

  it('reads a cursor in batches', async () => {
    const batches: number[][] = [];
    for await (const rows of sql`SELECT id FROM pjs_items WHERE id IN (1, 2, 10) ORDER BY id`.cursor(2)) {
      batches.push(rows.map((r) => r['id'] as number));
    }
    expect(batches).toEqual([[1, 2], [10]]);
  });

  it('copies rows in and out through COPY streams', async () => {
    await sql`DROP TABLE IF EXISTS pjs_copy`;
    await sql`CREATE TABLE pjs_copy (id INT, name TEXT)`;
    const writable = await sql`COPY pjs_copy FROM STDIN`.writable();
    await pipeline(Readable.from(['1\tone\n', '2\t\\N\n3\tth', 'ree\n']), writable);
    const [count] = await sql`SELECT COUNT(*) AS n FROM pjs_copy`;
    expect(count).toEqual({ n: '3' });
    const readable = await sql`COPY (SELECT id, name FROM pjs_copy ORDER BY id) TO STDOUT (FORMAT csv)`.readable();
    let text = '';
    await pipeline(
      readable,
      new Writable({
        write(chunk: Buffer, _enc, done) {
          text += chunk.toString('utf8');
          done();
        },
      }),
    );
    expect(text).toBe('1,one\n2,\n3,three\n');
  });

  it('reports the SQLSTATE of an error and keeps the connection usable', async () => {
    await expect(sql`SELECT * FROM no_such_table WHERE id = ${1}`).rejects.toMatchObject({ code: '42P01' });
    const [r] = await sql`SELECT CAST(${1} AS INT) AS one`;
    expect(r).toEqual({ one: 1 });
  });
});

/**
 * SQL cursors (DECLARE) as protocol portals and pg_cursors, against the real
 * engine: Describe / Execute / Close of portal `c` reach the cursor `c`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInProcessServer, type InProcessServer } from '../../tests/harness/in-process-server.ts';
import { cstring, dataRow, fields, msg, rowDescription, types, WireClient } from './wire-client.test-helpers.ts';

describe('SQL cursors as portals', () => {
  let server: InProcessServer;
  beforeAll(async () => {
    server = await startInProcessServer();
    const { client } = await WireClient.ready(server.port);
    client.send(msg.query("CREATE TABLE items (id INT, name VARCHAR); INSERT INTO items VALUES (1, 'a'), (2, 'b'), (3, NULL)"));
    const out = await client.readUntil('Z');
    expect(types(out)).not.toContain('E');
    client.close();
  });
  afterAll(async () => {
    await server.stop();
  });

  it('describes, executes in steps and closes a DECLAREd cursor by its portal name', async () => {
    const { client } = await WireClient.ready(server.port);
    client.send(msg.query('BEGIN; DECLARE c CURSOR FOR SELECT id, name FROM items ORDER BY id'));
    await client.readUntil('Z');

    client.send(msg.describe('P', 'c'), msg.execute('c', 2), msg.sync());
    let out = await client.readUntil('Z');
    expect(types(out)).toBe('TDDsZ');
    expect(rowDescription(out[0]!)).toEqual([
      { name: 'id', oid: 23, format: 0 },
      { name: 'name', oid: 25, format: 0 },
    ]);
    expect(out.filter((m) => m.type === 'D').map(dataRow)).toEqual([['1', 'a'], ['2', 'b']]);

    // The portal and the cursor are one: FETCH continues where Execute stopped.
    client.send(msg.query('FETCH 1 FROM c'));
    out = await client.readUntil('Z');
    expect(out.filter((m) => m.type === 'D').map(dataRow)).toEqual([['3', null]]);

    client.send(msg.execute('c', 0), msg.sync());
    out = await client.readUntil('Z');
    expect(types(out)).toBe('CZ');
    expect(cstring(out[0]!)).toBe('SELECT 0');

    client.send(msg.close('P', 'c'), msg.sync());
    expect(types(await client.readUntil('Z'))).toBe('3Z');
    client.send(msg.query('FETCH 1 FROM c'));
    out = await client.readUntil('Z');
    expect(fields(out.find((m) => m.type === 'E')!)['C']).toBe('34000');
    client.close();
  });

  it('refuses a Bind to the name of a SQL cursor and still reports unknown portals', async () => {
    const { client } = await WireClient.ready(server.port);
    client.send(msg.query('DECLARE d CURSOR FOR SELECT id FROM items'));
    await client.readUntil('Z');
    client.send(msg.parse('', 'SELECT 1'), msg.bind('d', ''), msg.sync());
    let out = await client.readUntil('Z');
    expect(fields(out.find((m) => m.type === 'E')!)['C']).toBe('42P03');
    client.send(msg.describe('P', 'nope'), msg.sync());
    out = await client.readUntil('Z');
    expect(fields(out.find((m) => m.type === 'E')!)['C']).toBe('34000');
    client.close();
  });

  it('lists the session’s own cursors in pg_cursors', async () => {
    const a = (await WireClient.ready(server.port)).client;
    const b = (await WireClient.ready(server.port)).client;
    const sql = 'DECLARE "pc" CURSOR FOR SELECT name FROM items';
    a.send(msg.query(sql));
    await a.readUntil('Z');
    const query = 'SELECT name, statement, is_holdable, is_binary, is_scrollable, creation_time <= now() FROM pg_catalog.pg_cursors';
    a.send(msg.query(query));
    let out = await a.readUntil('Z');
    expect(out.filter((m) => m.type === 'D').map(dataRow)).toEqual([['pc', sql, 'f', 'f', 'f', 't']]);

    b.send(msg.query(query));
    out = await b.readUntil('Z');
    expect(out.filter((m) => m.type === 'D')).toEqual([]);

    // Declared through the extended protocol, the statement is the Parse text.
    b.send(msg.parse('', 'DECLARE q CURSOR FOR SELECT id FROM items'), msg.bind('', ''), msg.execute(''), msg.sync());
    await b.readUntil('Z');
    b.send(msg.query("SELECT statement FROM pg_cursors WHERE name = 'q'"));
    out = await b.readUntil('Z');
    expect(out.filter((m) => m.type === 'D').map(dataRow)).toEqual([['DECLARE q CURSOR FOR SELECT id FROM items']]);

    a.send(msg.query('CLOSE pc'));
    await a.readUntil('Z');
    a.send(msg.query(query));
    out = await a.readUntil('Z');
    expect(out.filter((m) => m.type === 'D')).toEqual([]);
    a.close();
    b.close();
  });
});

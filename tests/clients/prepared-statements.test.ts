/**
 * SQL DEALLOCATE drops the protocol-level prepared statement of that name (psqlODBC prepares each
 * statement under one name, DEALLOCATEs it with a simple query and prepares the next under the same
 * name); an unknown name is 26000, DEALLOCATE ALL drops every one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInProcessServer, type InProcessServer } from '../harness/in-process-server.ts';
import { WireClient, cstring, fields, msg, types } from '../../src/server/wire-client.test-helpers.ts';

let server: InProcessServer;
let port: number;

beforeAll(async () => {
  server = await startInProcessServer();
  port = server.port;
});

afterAll(async () => {
  await server?.stop();
});

describe('DEALLOCATE', () => {
  it('drops the named protocol statement so the name can be prepared again', async () => {
    const { client } = await WireClient.ready(port);
    client.send(msg.parse('plan_a', 'SELECT 1'), msg.sync());
    expect(types(await client.readUntil('Z'))).toBe('1Z');
    client.send(msg.parse('plan_a', 'SELECT 2'), msg.sync());
    let out = await client.readUntil('Z');
    expect(fields(out[0]!)).toMatchObject({ C: '42P05' });

    client.send(msg.query('DEALLOCATE plan_a'));
    out = await client.readUntil('Z');
    expect(types(out)).toBe('CZ');
    expect(cstring(out[0]!)).toBe('DEALLOCATE');
    client.send(msg.parse('plan_a', 'SELECT 2'), msg.bind('', 'plan_a'), msg.execute(''), msg.sync());
    out = await client.readUntil('Z');
    expect(types(out)).toBe('12DCZ');

    client.send(msg.query('DEALLOCATE nope'));
    out = await client.readUntil('Z');
    expect(fields(out[0]!)).toMatchObject({ C: '26000' });

    client.send(msg.query('DEALLOCATE ALL'));
    expect(types(await client.readUntil('Z'))).toBe('CZ');
    client.send(msg.bind('', 'plan_a'), msg.sync());
    out = await client.readUntil('Z');
    expect(fields(out[0]!)).toMatchObject({ C: '26000' });
    client.close();
  });
});

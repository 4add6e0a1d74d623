/**
 * Durability across restarts: rows inserted into a stored table are there after the server is
 * SIGKILLed and restarted on the same data directory, and likewise after a clean SIGTERM shutdown.
 * Always runs against a millrace server started by the harness.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { withClient } from '../harness/pg-client.ts';
import { startServer, type RunningServer } from '../harness/server-process.ts';

describe('restart', () => {
  let server: RunningServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  const contents = (s: RunningServer) => withClient(s, async (c) => (await c.query({ text: 'SELECT id, name FROM kept ORDER BY id', rowMode: 'array' })).rows);

  for (const how of ['SIGKILL', 'SIGTERM'] as const) {
    it(`keeps committed rows after ${how}`, async () => {
      server = await startServer();
      await withClient(server, async (c) => {
        await c.query('CREATE TABLE kept (id INT, name VARCHAR(10))');
        await c.query("INSERT INTO kept VALUES (1, 'one'), (2, 'two')");
        await c.query("INSERT INTO kept VALUES (3, 'three')");
      });
      const before = await contents(server);
      expect(before).toEqual([
        ['1', 'one'],
        ['2', 'two'],
        ['3', 'three'],
      ]);
      if (how === 'SIGKILL') await server.kill();
      else await server.stop();
      expect(server.isAlive()).toBe(false);
      server = await server.restart();
      expect(await contents(server)).toEqual(before);
      // The restarted server accepts new writes to the same table.
      await withClient(server, (c) => c.query("INSERT INTO kept VALUES (4, 'four')"));
      expect(await contents(server)).toHaveLength(4);
    });
  }
});

/**
 * Durability across restarts: rows inserted into a stored table are there after the server is
 * SIGKILLed and restarted on the same data directory, and likewise after a clean SIGTERM shutdown.
 * Always runs against a millrace server started by the harness.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../harness/eventually.ts';
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

  it('resumes a CREATE TABLE AS job after a restart', { timeout: 120_000 }, async () => {
    server = await startServer({ args: ['--checkpoint-interval', '100'] });
    const count = (s: RunningServer) => withClient(s, async (c) => Number((await c.query('SELECT count(*) AS n FROM ids')).rows[0].n));
    await withClient(server, async (c) => {
      await c.query("CREATE TABLE gen (id BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '500')");
      await c.query("CREATE TABLE ids AS SELECT id FROM gen");
    });
    await eventually(() => count(server!), (n) => n > 0, 'rows from the job');
    await server.stop();
    server = await server.restart();
    const jobs = await withClient(server, async (c) => (await c.query('SHOW JOBS')).rows as { statement: string; status: string; error: string | null }[]);
    const job = jobs.find((j) => j.statement.startsWith('CREATE TABLE ids'));
    expect(job).toMatchObject({ status: 'RUNNING', error: null });
    const after = await count(server);
    await eventually(() => count(server!), (n) => n > after, 'the resumed job to write more');
  });
});

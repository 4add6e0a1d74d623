/**
 * The README's examples: examples/quickstart.sql and examples/continuous.sql run with psql
 * (ON_ERROR_STOP) against a fresh millrace server and print the expected results. Skipped (with a message) only if psql is missing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../harness/server-process.ts';
import { describeResult, findExecutable, runCommand } from '../harness/run-command.ts';

const psql = findExecutable('psql');
if (psql === null) console.warn('quickstart.test.ts skipped: psql is not installed (apt-get install postgresql-client)');

describe.skipIf(psql === null)('quick start', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('runs examples/quickstart.sql', async () => {
    const r = await runCommand(psql ?? 'psql', ['-X', '-h', server.host, '-p', String(server.port), '-d', 'millrace', '-v', 'ON_ERROR_STOP=1', '-f', 'examples/quickstart.sql']);
    expect(r.code, describeResult(r)).toBe(0);
    expect(r.stdout).toMatch(/order_time\s*\|\s*TIMESTAMP\(3\) \*ROWTIME\*/);
    expect(r.stdout).toMatch(/alice\s*\|\s*2\s*\|\s*7\.70/);
    expect(r.stdout).toMatch(/bob\s*\|\s*2\s*\|\s*6\.60/);
    expect(r.stdout).toMatch(/carol\s*\|\s*1\s*\|\s*3\.50/);
    expect(r.stdout).toMatch(/coffee\s*\|\s*3/);
  });

  it('runs examples/continuous.sql', async () => {
    const r = await runCommand(psql ?? 'psql', ['-X', '-h', server.host, '-p', String(server.port), '-d', 'millrace', '-v', 'ON_ERROR_STOP=1', '-f', 'examples/continuous.sql']);
    expect(r.code, describeResult(r)).toBe(0);
    expect(r.stdout).toMatch(/2020-04-15 08:00:00 \| 2020-04-15 08:10:00 \|\s+3 \| 11\.00/);
    expect(r.stdout).toMatch(/-U \| lamp\s+\|\s+1 \|\s+4\.00\s*\n\s*\+U \| lamp\s+\|\s+2 \|\s+7\.50/);
  });
});

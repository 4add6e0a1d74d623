/**
 * psycopg2 (the Debian python3-psycopg2 package, for /usr/bin/python3) against millrace: runs
 * tests/clients/psycopg2_client.py and checks the JSON it prints. psycopg2 interpolates parameters
 * client-side, so this exercises literals such as '2024-01-02T03:04:05'::timestamp over the simple
 * query protocol. Skipped (with a message) only if /usr/bin/python3 or psycopg2 is missing.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireServer, type AcquiredServer } from '../harness/target.ts';
import { describeResult, findExecutable, runCommand } from '../harness/run-command.ts';

const PYTHON = '/usr/bin/python3';

function psycopg2Missing(): string | null {
  if (findExecutable(PYTHON) === null) return `${PYTHON} is not installed`;
  try {
    execFileSync(PYTHON, ['-c', 'import psycopg2'], { stdio: 'ignore' });
    return null;
  } catch {
    return 'psycopg2 is not installed for /usr/bin/python3 (apt-get install python3-psycopg2)';
  }
}

const missing = psycopg2Missing();
if (missing !== null) console.warn(`psycopg2.test.ts skipped: ${missing}`);

describe.skipIf(missing !== null)('psycopg2', () => {
  let server: AcquiredServer;
  beforeAll(async () => {
    server = await acquireServer();
  });
  afterAll(async () => {
    await server?.release();
  });

  it('creates, inserts with parameters and selects', async () => {
    const r = await runCommand(PYTHON, ['tests/clients/psycopg2_client.py', String(server.port), server.host]);
    expect(r.code, describeResult(r)).toBe(0);
    const out = JSON.parse(r.stdout.trim()) as Record<string, unknown>;
    expect(out['server_version']).toBeGreaterThanOrEqual(90000);
    expect(out['rows']).toEqual([
      [1, 'apple', '1.25', true, '2024-01-02T03:04:05', '2024-01-02'],
      [2, "it's", '10.00', false, '2024-01-02T03:04:05.250000', '1999-12-31'],
      [3, null, null, null, null, null],
    ]);
    expect(out['count']).toBe(3);
    expect(out['error_code']).toBe('42P01');
    expect(out['after_error']).toBe('apple');
  });
});

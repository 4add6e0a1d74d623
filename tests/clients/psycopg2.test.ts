/**
 * psycopg2 (the Debian python3-psycopg2 package, for /usr/bin/python3) against millrace: runs
 * tests/clients/psycopg2_client.py and checks the JSON it prints. psycopg2 interpolates parameters
 * client-side, so this exercises literals such as '2024-01-02T03:04:05'::timestamp over the simple
 * query protocol, with every Python value kind as a parameter and read back through a table.
 * Skipped (with a message) only if /usr/bin/python3 or psycopg2 is missing.
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

  it('rolls back a transaction after an error and commits with `with conn:`', async () => {
    const r = await runCommand(PYTHON, ['tests/clients/psycopg2_client.py', String(server.port), server.host]);
    expect(r.code, describeResult(r)).toBe(0);
    const out = JSON.parse(r.stdout.trim()) as Record<string, unknown>;
    // Inside: its own writes; outside: nothing yet; after the error and rollback: the committed row.
    expect(out['tx']).toEqual([[10, 20], [1], '42P01', [1], [1, 3]]);
  });

  it('round-trips every value kind as parameters and results, with PostgreSQL type codes', async () => {
    const r = await runCommand(PYTHON, ['tests/clients/psycopg2_client.py', String(server.port), server.host]);
    expect(r.code, describeResult(r)).toBe(0);
    const out = JSON.parse(r.stdout.trim()) as Record<string, unknown>;
    // A float parameter arrives as the literal 1.5, which is numeric in PostgreSQL too.
    expect(out['params']).toEqual([
      ['int', '42'],
      ['int', '1099511627776'],
      ['Decimal', '1.5'],
      ['Decimal', '12.345'],
      ['str', "it's \u00fc"],
      ['bool', 'True'],
      ['NoneType', 'None'],
      ['date', '2024-02-29'],
      ['datetime', '2024-01-02 03:04:05.123456'],
      ['list', '[1, 2, 3]'],
      ['list', "['a', 'b']"],
      ['int', '-7'],
    ]);
    expect(out['params_codes']).toEqual([23, 20, 1700, 1700, 25, 16, 25, 1082, 1114, 1007, 1009, 23]);
    expect(out['kinds_equal']).toBe(true);
    expect(out['kinds_types']).toEqual([
      ['int', 'int', 'float', 'float', 'Decimal', 'str', 'str', 'bool', 'date', 'datetime', 'list', 'list'],
      ['int', ...Array<string>(11).fill('NoneType')],
    ]);
    expect(out['kinds_description']).toEqual([
      ['i', 23, 4, null, null],
      ['b', 20, 8, null, null],
      ['f', 701, 8, null, null],
      ['r', 700, 4, null, null],
      ['d', 1700, 12, 12, 3],
      ['s', 1043, 10, null, null],
      ['t', 25, -1, null, null],
      ['ok', 16, 1, null, null],
      ['day', 1082, 4, null, null],
      ['at', 1114, 8, null, null],
      ['tags', 1007, -1, null, null],
      ['names', 1009, -1, null, null],
    ]);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Database } from '../database.ts';
import type { Session } from './api.ts';
import { runSql } from '../../tests/harness/session-sql.ts';
import { SqlError } from '../errors.ts';

const opened: { db: Database; dir: string }[] = [];
afterEach(async () => {
  for (const { db, dir } of opened.splice(0)) {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  }
});

async function session(): Promise<Session> {
  const dir = await mkdtemp(join(tmpdir(), 'millrace-dml-'));
  const db = await Database.open(dir, new Map());
  opened.push({ db, dir });
  return db.openSession(new Map([['user', 'test'], ['database', 'millrace']]));
}

const run = runSql;

async function code(s: Session, sql: string): Promise<string> {
  try {
    await run(s, sql);
  } catch (err) {
    if (err instanceof SqlError) return err.code;
    throw err;
  }
  return 'ok';
}

describe('INSERT length checks', () => {
  it('counts VARCHAR(n) and CHAR(n) lengths in characters, not UTF-16 units', async () => {
    const s = await session();
    await run(s, 'CREATE TABLE t (v VARCHAR(3), c CHAR(2))');
    expect(await code(s, "INSERT INTO t VALUES ('😀😀😀', '😀é')")).toBe('ok');
    expect(await code(s, "INSERT INTO t VALUES ('😀😀😀😀', 'a')")).toBe('22001');
    expect(await code(s, "INSERT INTO t VALUES ('abcd', 'a')")).toBe('22001');
    expect(await code(s, "INSERT INTO t VALUES ('abc', 'abc')")).toBe('22001');
    expect(await code(s, "INSERT INTO t VALUES ('ab', 'ab   ')")).toBe('ok');
    expect(await run(s, 'SELECT v, c FROM t')).toEqual([
      ['😀😀😀', '😀é'],
      ['ab', 'ab'],
    ]);
  });
});

/**
 * Runs every `sqllogictest/**\/*.slt` file as its own test, each against a freshly started millrace
 * server with a fresh data directory (one server per file). Fragments meant only for `include` end in
 * `.slt.part` and are not run on their own.
 *
 * With MILLRACE_SLT_TARGET=host:port the files run against that server instead (no server is started);
 * with the `postgres` engine each file runs in a freshly created database named after it.
 * MILLRACE_SLT_ENGINE sets the skipif/onlyif label (default `postgres` with a target, else `millrace`).
 * MILLRACE_SLT_FILTER=substring runs only the files whose path contains it.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTarget, withClient, type Target } from './harness/pg-client.ts';
import { REPO_ROOT, startServer } from './harness/server-process.ts';
import { formatFailures, runSltFile } from './sqllogictest/runner.ts';

/** Validation against PostgreSQL: each file gets its own empty database, as each gets a fresh millrace. */
async function freshPostgresDatabase(target: Target, file: string): Promise<string> {
  const name = `slt_${path.basename(file, '.slt').replace(/[^a-z0-9_]/gi, '_').toLowerCase()}`;
  await withClient(target, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${name}`);
    // millrace sessions start in UTC; so do the validation databases.
    await c.query(`ALTER DATABASE ${name} SET timezone = 'UTC'`);
  });
  return name;
}

const SLT_DIR = path.join(REPO_ROOT, 'sqllogictest');

function listSltFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listSltFiles(full));
    else if (entry.name.endsWith('.slt')) out.push(full);
  }
  return out.sort();
}

const targetEnv = process.env['MILLRACE_SLT_TARGET'];
const fixedTarget = targetEnv === undefined || targetEnv === '' ? null : parseTarget(targetEnv);
const engine = process.env['MILLRACE_SLT_ENGINE'] ?? (fixedTarget === null ? 'millrace' : 'postgres');
const filter = process.env['MILLRACE_SLT_FILTER'] ?? '';
const files = listSltFiles(SLT_DIR).filter((f) => f.includes(filter));

describe(`sqllogictest (${engine}${fixedTarget === null ? '' : ` at ${fixedTarget.host}:${fixedTarget.port}`})`, () => {
  it('finds .slt files', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  for (const file of files) {
    it(path.relative(REPO_ROOT, file), async () => {
      if (fixedTarget !== null) {
        const database = engine === 'postgres' ? await freshPostgresDatabase(fixedTarget, file) : undefined;
        const result = await runSltFile(file, { target: fixedTarget, engine, ...(database === undefined ? {} : { database }) });
        expect(formatFailures(result), `${result.failures.length} failure(s)`).toBe('');
        return;
      }
      const server = await startServer();
      try {
        const result = await runSltFile(file, { target: server, engine });
        expect(formatFailures(result), `${result.failures.length} failure(s)`).toBe('');
      } finally {
        await server.stop();
      }
    }, 120_000);
  }
});

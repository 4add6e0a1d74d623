/**
 * Runs sqllogictest files over the Postgres wire protocol (node-postgres, simple query protocol).
 *
 * Contract: `runSltFile` executes every record of a file (and its includes) in order on one connection
 * and returns the failures; it does not stop at the first failure, so one run shows everything that is
 * wrong. Values are compared as wire text: NULL renders as `NULL`, the empty string as `(empty)`, and
 * a row renders as its values joined by single spaces (tabs in expected lines count as spaces). The
 * query's type letters are checked against the column count only. `rowsort` sorts both expected and
 * actual rows; `valuesort` sorts all individual values. `skipif`/`onlyif` compare against `engine`
 * (`millrace`, or `postgres` when pointed at PostgreSQL for validation).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { connectClient, type Target } from '../harness/pg-client.ts';
import { parseSlt, type Condition, type ErrorExpectation, type Record, type SourceLocation } from './parser.ts';

export interface SltFailure {
  readonly loc: SourceLocation;
  readonly message: string;
}

export interface SltResult {
  readonly file: string;
  readonly executed: number;
  readonly skipped: number;
  readonly failures: readonly SltFailure[];
}

export interface RunOptions {
  readonly target: Target;
  /** Engine label for skipif/onlyif. */
  readonly engine: string;
  /** Database to connect to (default `millrace`). */
  readonly database?: string;
}

interface QueryOutcome {
  readonly ok: boolean;
  /** Set when ok: the last result of the (possibly multi-statement) text. */
  readonly result?: pg.QueryResult<unknown[]>;
  readonly error?: PgError;
}

interface PgError {
  readonly message: string;
  readonly code: string | undefined;
}

export function renderValue(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  const text = typeof value === 'string' ? value : String(value);
  return text === '' ? '(empty)' : text;
}

function normalizeExpectedLine(line: string): string {
  return line.replace(/\t/g, ' ').trim();
}

function applies(conditions: readonly Condition[], engine: string): boolean {
  for (const c of conditions) {
    if (c.kind === 'skipif' && c.engine === engine) return false;
    if (c.kind === 'onlyif' && c.engine !== engine) return false;
  }
  return true;
}

function describeError(e: ErrorExpectation): string {
  switch (e.kind) {
    case 'any':
      return 'any error';
    case 'sqlstate':
      return `an error with SQLSTATE ${e.code}`;
    case 'message':
      return `an error whose message matches /${e.source}/`;
  }
}

function errorMatches(e: ErrorExpectation, err: PgError): boolean {
  switch (e.kind) {
    case 'any':
      return true;
    case 'sqlstate':
      return err.code === e.code;
    case 'message':
      return e.pattern.test(err.message);
  }
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}

async function execute(client: pg.Client, sql: string): Promise<QueryOutcome> {
  try {
    // A plain string with no values goes over the simple query protocol.
    const res = (await client.query({ text: sql, rowMode: 'array' })) as pg.QueryResult<unknown[]> | pg.QueryResult<unknown[]>[];
    const last = Array.isArray(res) ? res[res.length - 1] : res;
    return last === undefined ? { ok: true } : { ok: true, result: last };
  } catch (err) {
    const e = err as { message?: unknown; code?: unknown };
    return { ok: false, error: { message: String(e.message ?? err), code: typeof e.code === 'string' ? e.code : undefined } };
  }
}

/** Checks one statement/query record; returns a failure message or null. */
async function check(client: pg.Client, record: Extract<Record, { kind: 'statement' | 'query' | 'query-error' }>): Promise<string | null> {
  const outcome = await execute(client, record.sql);
  const errText = (err: PgError) => `${err.code ?? '(no SQLSTATE)'}: ${err.message}`;
  switch (record.kind) {
    case 'statement': {
      const ex = record.expect;
      if (ex.kind === 'error') {
        if (outcome.ok) return `statement succeeded, expected ${describeError(ex.error)}`;
        const err = outcome.error as PgError;
        return errorMatches(ex.error, err) ? null : `expected ${describeError(ex.error)}, got ${errText(err)}`;
      }
      if (!outcome.ok) return `statement failed: ${errText(outcome.error as PgError)}`;
      if (ex.kind === 'count') {
        const n = outcome.result?.rowCount ?? null;
        if (n !== ex.count) return `expected ${ex.count} affected rows, got ${n}`;
      }
      return null;
    }
    case 'query-error': {
      if (outcome.ok) return `query succeeded, expected ${describeError(record.error)}`;
      const err = outcome.error as PgError;
      return errorMatches(record.error, err) ? null : `expected ${describeError(record.error)}, got ${errText(err)}`;
    }
    case 'query': {
      if (!outcome.ok) return `query failed: ${errText(outcome.error as PgError)}`;
      const res = outcome.result;
      const rows = res?.rows ?? [];
      const columnCount = res?.fields.length ?? 0;
      if (columnCount !== record.types.length) {
        return `expected ${record.types.length} column(s) (query ${record.types}), got ${columnCount}: ${(res?.fields ?? []).map((f) => f.name).join(', ')}`;
      }
      let actual: string[];
      let expected: string[];
      if (record.sort === 'valuesort') {
        actual = rows.flatMap((r) => r.map(renderValue)).sort();
        expected = record.expected.flatMap((l) => normalizeExpectedLine(l).split(' ')).filter((v) => v !== '').sort();
      } else {
        actual = rows.map((r) => r.map(renderValue).join(' ').trim());
        expected = record.expected.map(normalizeExpectedLine);
        if (record.sort === 'rowsort') {
          actual.sort();
          expected.sort();
        }
      }
      if (actual.length === expected.length && actual.every((a, k) => a === expected[k])) return null;
      return `query result mismatch (${record.sort})\n  expected (${expected.length} lines):\n${indent(expected.join('\n'))}\n  actual (${actual.length} lines):\n${indent(actual.join('\n'))}`;
    }
  }
}

/**
 * Expands an include pattern relative to `dir`. `*` and `?` are supported in the last path segment
 * (`include setup/*.slt`); earlier segments are literal. Matches come back sorted.
 */
export function expandInclude(dir: string, pattern: string): string[] {
  const full = path.resolve(dir, pattern);
  const base = path.basename(full);
  if (!/[*?]/.test(base)) return existsSync(full) ? [full] : [];
  const parent = path.dirname(full);
  if (!existsSync(parent)) return [];
  const escaped = base.replace(/[.+^$(){}|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  const re = new RegExp('^' + escaped + '$');
  return readdirSync(parent)
    .filter((name) => re.test(name))
    .sort()
    .map((name) => path.join(parent, name));
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs one file on an already connected client; includes are resolved relative to the file. */
async function runRecords(client: pg.Client, file: string, opts: RunOptions, acc: { executed: number; skipped: number; failures: SltFailure[] }, depth: number): Promise<'halt' | 'done'> {
  if (depth > 16) throw new Error(`${file}: include nesting deeper than 16 (include cycle?)`);
  const records = parseSlt(readFileSync(file, 'utf8'), file);
  for (const record of records) {
    if (!applies(record.conditions, opts.engine)) {
      acc.skipped++;
      continue;
    }
    switch (record.kind) {
      case 'halt':
        return 'halt';
      case 'sleep':
        await sleep(record.ms);
        break;
      case 'include': {
        const dir = path.dirname(file);
        const matches = expandInclude(dir, record.pattern);
        if (matches.length === 0) {
          acc.failures.push({ loc: record.loc, message: `include "${record.pattern}" matched no file` });
          break;
        }
        for (const m of matches) {
          if ((await runRecords(client, m, opts, acc, depth + 1)) === 'halt') return 'halt';
        }
        break;
      }
      case 'statement':
      case 'query':
      case 'query-error': {
        acc.executed++;
        let failure = await check(client, record);
        const retry = record.retry;
        if (retry !== null) {
          for (let attempt = 0; failure !== null && attempt < retry.attempts; attempt++) {
            await sleep(retry.backoffMs);
            failure = await check(client, record);
          }
          if (failure !== null) failure = `${failure}\n  (still failing after ${retry.attempts} retries)`;
        }
        if (failure !== null) {
          acc.failures.push({ loc: record.loc, message: `${failure}\n  SQL:\n${indent(record.sql)}` });
        }
        break;
      }
    }
  }
  return 'done';
}

export async function runSltFile(file: string, opts: RunOptions): Promise<SltResult> {
  const client = await connectClient(opts.target, opts.database === undefined ? {} : { database: opts.database });
  client.on('error', () => undefined);
  const acc = { executed: 0, skipped: 0, failures: [] as SltFailure[] };
  try {
    await runRecords(client, file, opts, acc, 0);
  } finally {
    await client.end().catch(() => undefined);
  }
  return { file, executed: acc.executed, skipped: acc.skipped, failures: acc.failures };
}

/** A readable report of a file's failures (empty string when none). */
export function formatFailures(result: SltResult): string {
  return result.failures.map((f) => `${f.loc.file}:${f.loc.line}: ${f.message}`).join('\n\n');
}

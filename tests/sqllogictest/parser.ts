/**
 * Parser for sqllogictest files in the sqllogictest-rs dialect.
 *
 * Records (each starts at a line; a record's SQL runs until the first blank line, or `----` for a query):
 *   statement ok
 *   statement count N                       -- the statement reports N affected rows
 *   statement error [EXPECTED]              -- must fail; see `ErrorExpectation` for EXPECTED
 *   query <TYPES> [rowsort|valuesort|nosort] [label]
 *   query error [EXPECTED]
 *   skipif <engine> / onlyif <engine>       -- condition lines before a record; several may stack
 *   include <glob>                          -- relative to the including file
 *   sleep <duration>                        -- e.g. `sleep 500ms`, `sleep 2s`
 *   halt                                    -- stop reading this file
 *   hash-threshold N                        -- accepted and ignored
 * `statement` and `query` headers may end with `retry N backoff D` (D like `100ms` or `1s`): the runner
 * re-runs the record up to N more times, waiting D between tries, until its expectation holds.
 * Lines starting with `#` are comments. Query results follow `----`, one row per line, values
 * separated by single spaces or tabs, NULL printed as `NULL` and the empty string as `(empty)`;
 * results end at the first blank line.
 */

export interface SourceLocation {
  readonly file: string;
  readonly line: number;
}

/** How a statement/query that must fail is checked. */
export type ErrorExpectation =
  | { readonly kind: 'any' }
  /** EXPECTED is exactly five characters from [0-9A-Z] with at least one digit: the SQLSTATE must equal it. */
  | { readonly kind: 'sqlstate'; readonly code: string }
  /** Anything else: a regular expression searched (unanchored, case-sensitive) in the error message. */
  | { readonly kind: 'message'; readonly pattern: RegExp; readonly source: string };

export type SortMode = 'nosort' | 'rowsort' | 'valuesort';

export interface Retry {
  readonly attempts: number;
  readonly backoffMs: number;
}

export interface Condition {
  readonly kind: 'skipif' | 'onlyif';
  readonly engine: string;
}

export type Record =
  | {
      readonly kind: 'statement';
      readonly loc: SourceLocation;
      readonly conditions: readonly Condition[];
      readonly sql: string;
      readonly expect: { readonly kind: 'ok' } | { readonly kind: 'count'; readonly count: number } | { readonly kind: 'error'; readonly error: ErrorExpectation };
      readonly retry: Retry | null;
    }
  | {
      readonly kind: 'query';
      readonly loc: SourceLocation;
      readonly conditions: readonly Condition[];
      readonly sql: string;
      readonly types: string;
      readonly sort: SortMode;
      readonly label: string | null;
      /** Expected result lines as written (trailing whitespace removed). */
      readonly expected: readonly string[];
      readonly retry: Retry | null;
    }
  | {
      readonly kind: 'query-error';
      readonly loc: SourceLocation;
      readonly conditions: readonly Condition[];
      readonly sql: string;
      readonly error: ErrorExpectation;
      readonly retry: Retry | null;
    }
  | { readonly kind: 'include'; readonly loc: SourceLocation; readonly conditions: readonly Condition[]; readonly pattern: string }
  | { readonly kind: 'sleep'; readonly loc: SourceLocation; readonly conditions: readonly Condition[]; readonly ms: number }
  | { readonly kind: 'halt'; readonly loc: SourceLocation; readonly conditions: readonly Condition[] };

export class SltParseError extends Error {
  constructor(loc: SourceLocation, message: string) {
    super(`${loc.file}:${loc.line}: ${message}`);
    this.name = 'SltParseError';
  }
}

const SQLSTATE_RE = /^(?=.*[0-9])[0-9A-Z]{5}$/;

export function parseErrorExpectation(text: string, loc: SourceLocation): ErrorExpectation {
  const t = text.trim();
  if (t === '') return { kind: 'any' };
  if (SQLSTATE_RE.test(t)) return { kind: 'sqlstate', code: t };
  try {
    return { kind: 'message', pattern: new RegExp(t), source: t };
  } catch (err) {
    throw new SltParseError(loc, `invalid error regex "${t}": ${(err as Error).message}`);
  }
}

export function parseDuration(text: string, loc: SourceLocation): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (m === null) throw new SltParseError(loc, `invalid duration "${text}": expected e.g. 100ms, 2s or 1m`);
  const n = Number(m[1]);
  switch (m[2]) {
    case 's':
      return n * 1000;
    case 'm':
      return n * 60_000;
    default:
      return n;
  }
}

/** Splits a trailing `retry N backoff D` off header tokens. */
function takeRetry(tokens: string[], loc: SourceLocation): Retry | null {
  const i = tokens.indexOf('retry');
  if (i < 0) return null;
  const rest = tokens.splice(i);
  if (rest.length !== 4 || rest[2] !== 'backoff') {
    throw new SltParseError(loc, `expected "retry N backoff D", got "${rest.join(' ')}"`);
  }
  const attempts = Number(rest[1]);
  if (!Number.isInteger(attempts) || attempts < 1) throw new SltParseError(loc, `retry count must be a positive integer, got "${rest[1]}"`);
  return { attempts, backoffMs: parseDuration(rest[3] ?? '', loc) };
}

export function parseSlt(text: string, file: string): Record[] {
  const lines = text.split(/\r?\n/);
  const records: Record[] = [];
  let conditions: Condition[] = [];
  let i = 0;
  const isBlank = (l: string | undefined) => l === undefined || l.trim() === '';

  /** Reads SQL lines from `i` until a blank line (or `----` when `stopAtDashes`). Comment lines are kept out. */
  const readSql = (stopAtDashes: boolean): { sql: string; sawDashes: boolean } => {
    const sqlLines: string[] = [];
    let sawDashes = false;
    while (i < lines.length && !isBlank(lines[i])) {
      const l = lines[i] ?? '';
      if (stopAtDashes && l.trim() === '----') {
        sawDashes = true;
        i++;
        break;
      }
      if (!l.trimStart().startsWith('#')) sqlLines.push(l);
      i++;
    }
    return { sql: sqlLines.join('\n'), sawDashes };
  };

  while (i < lines.length) {
    const raw = lines[i] ?? '';
    const line = raw.trim();
    const loc: SourceLocation = { file, line: i + 1 };
    if (line === '' || line.startsWith('#')) {
      i++;
      continue;
    }
    const tokens = line.split(/\s+/);
    const head = tokens[0] ?? '';
    i++;
    switch (head) {
      case 'skipif':
      case 'onlyif': {
        const engine = tokens[1];
        if (engine === undefined) throw new SltParseError(loc, `${head} needs an engine name`);
        conditions.push({ kind: head, engine });
        continue;
      }
      case 'hash-threshold':
        continue;
      case 'halt':
        records.push({ kind: 'halt', loc, conditions });
        break;
      case 'include': {
        const pattern = tokens.slice(1).join(' ');
        if (pattern === '') throw new SltParseError(loc, 'include needs a file name or glob');
        records.push({ kind: 'include', loc, conditions, pattern });
        break;
      }
      case 'sleep':
        records.push({ kind: 'sleep', loc, conditions, ms: parseDuration(tokens[1] ?? '', loc) });
        break;
      case 'statement': {
        const retry = takeRetry(tokens, loc);
        const what = tokens[1];
        let expect: Extract<Record, { kind: 'statement' }>['expect'];
        if (what === 'ok') {
          expect = { kind: 'ok' };
        } else if (what === 'count') {
          const count = Number(tokens[2]);
          if (!Number.isInteger(count)) throw new SltParseError(loc, `statement count needs an integer, got "${tokens[2]}"`);
          expect = { kind: 'count', count };
        } else if (what === 'error') {
          expect = { kind: 'error', error: parseErrorExpectation(tokens.slice(2).join(' '), loc) };
        } else {
          throw new SltParseError(loc, `expected "statement ok", "statement count N" or "statement error", got "${line}"`);
        }
        const { sql } = readSql(false);
        if (sql.trim() === '') throw new SltParseError(loc, 'statement without SQL');
        records.push({ kind: 'statement', loc, conditions, sql, expect, retry });
        break;
      }
      case 'query': {
        const retry = takeRetry(tokens, loc);
        if (tokens[1] === 'error') {
          const error = parseErrorExpectation(tokens.slice(2).join(' '), loc);
          const { sql } = readSql(false);
          if (sql.trim() === '') throw new SltParseError(loc, 'query without SQL');
          records.push({ kind: 'query-error', loc, conditions, sql, error, retry });
          break;
        }
        const types = tokens[1] ?? '';
        if (!/^[TIR]+$/.test(types)) throw new SltParseError(loc, `query type letters must be T, I or R, got "${types}"`);
        let sort: SortMode = 'nosort';
        let label: string | null = null;
        for (const t of tokens.slice(2)) {
          if (t === 'nosort' || t === 'rowsort' || t === 'valuesort') sort = t;
          else if (label === null) label = t;
          else throw new SltParseError(loc, `unexpected "${t}" in query header`);
        }
        const { sql, sawDashes } = readSql(true);
        if (sql.trim() === '') throw new SltParseError(loc, 'query without SQL');
        const expected: string[] = [];
        if (sawDashes) {
          while (i < lines.length && !isBlank(lines[i])) {
            expected.push((lines[i] ?? '').trimEnd());
            i++;
          }
        }
        records.push({ kind: 'query', loc, conditions, sql, types, sort, label, expected, retry });
        break;
      }
      default:
        throw new SltParseError(loc, `unknown record "${head}"`);
    }
    conditions = [];
  }
  if (conditions.length > 0) {
    throw new SltParseError({ file, line: lines.length }, 'skipif/onlyif at the end of the file applies to nothing');
  }
  return records;
}

/**
 * Session settings: Postgres GUCs that clients read (reported through
 * ParameterStatus) and Flink's session options (`SET 'key' = 'value'`).
 *
 * Contract:
 * - Names are case-insensitive; they are stored lower-cased. Reported
 *   parameters keep the spelling clients expect (`DateStyle`, `TimeZone`).
 * - Unknown Postgres-style names are accepted and remembered (clients set
 *   many harmless ones); Flink keys (containing a dot) likewise.
 * - `TimeZone` and Flink's `table.local-time-zone` are one setting.
 */
import { SqlError, SqlState } from '../errors.ts';

/** Version reported to clients; catalog queries of psql and drivers branch on it. */
export const SERVER_VERSION = '15.0';
export const SERVER_VERSION_NUM = '150000';

interface SettingSpec {
  /** Name as reported / shown by SHOW ALL. */
  readonly display: string;
  readonly defaultValue: string;
  /** Sent as ParameterStatus at startup and when changed. */
  readonly reported: boolean;
  readonly readOnly?: boolean;
  /** Normalises a value being set; throws SqlError 22023 for a bad one. */
  readonly normalise?: (value: string) => string;
  readonly description: string;
}

function onOff(name: string): (v: string) => string {
  return (v) => {
    const s = v.trim().toLowerCase();
    if (['on', 'true', 'yes', '1'].includes(s)) return 'on';
    if (['off', 'false', 'no', '0'].includes(s)) return 'off';
    throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `parameter "${name}" requires a Boolean value`);
  };
}

function timeZone(v: string): string {
  const s = v.trim();
  if (/^(utc|gmt|z|zulu)$/i.test(s)) return 'UTC';
  if (/^[+-]?\d{1,2}(:\d\d)?$/.test(s)) return s;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: s });
    return s;
  } catch {
    throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `invalid value for parameter "TimeZone": "${v}"`, {
      hint: "Use an IANA time zone name such as 'UTC' or 'Europe/Berlin'.",
    });
  }
}

/** Milliseconds per unit of a PostgreSQL time setting. */
const TIME_UNITS: readonly [string, number][] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['min', 60_000],
  ['s', 1000],
  ['ms', 1],
];

/**
 * statement_timeout as PostgreSQL reads it: a whole number of milliseconds,
 * or a number with a unit (us, ms, s, min, h, d); shown in the largest unit
 * that divides it ('0' when off).
 */
function statementTimeout(v: string): string {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(us|ms|s|min|h|d)?\s*$/.exec(v);
  if (m === null) {
    throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `invalid value for parameter "statement_timeout": "${v}"`, {
      hint: 'Valid units for this parameter are "us", "ms", "s", "min", "h", and "d".',
    });
  }
  const unit = m[2] ?? 'ms';
  const ms = Math.round(unit === 'us' ? Number(m[1]) / 1000 : Number(m[1]) * TIME_UNITS.find(([u]) => u === unit)![1]);
  if (ms === 0) return '0';
  const [name, size] = TIME_UNITS.find(([, size]) => ms % size === 0)!;
  return `${ms / size}${name}`;
}

/** Milliseconds of a statement_timeout value as `statementTimeout` writes it (0: no limit). */
export function statementTimeoutMs(v: string | undefined): number {
  const m = v === undefined ? null : /^(\d+)(ms|s|min|h|d)$/.exec(v);
  return m === null ? 0 : Number(m[1]) * TIME_UNITS.find(([u]) => u === m[2])![1];
}

function dateStyle(v: string): string {
  const s = v.toUpperCase().replace(/\s+/g, '');
  if (s.startsWith('ISO')) return 'ISO, MDY';
  throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, `DateStyle "${v}" is not supported yet`, {
    hint: "Only the ISO date style is supported: SET DateStyle = 'ISO'.",
  });
}

const SPECS: ReadonlyMap<string, SettingSpec> = new Map<string, SettingSpec>([
  ['server_version', { display: 'server_version', defaultValue: SERVER_VERSION, reported: true, readOnly: true, description: 'Shows the server version.' }],
  ['server_version_num', { display: 'server_version_num', defaultValue: SERVER_VERSION_NUM, reported: false, readOnly: true, description: 'Shows the server version as an integer.' }],
  ['server_encoding', { display: 'server_encoding', defaultValue: 'UTF8', reported: true, readOnly: true, description: 'Shows the server (database) character set encoding.' }],
  ['client_encoding', {
    display: 'client_encoding', defaultValue: 'UTF8', reported: true, description: "Sets the client's character set encoding.",
    normalise: (v) => {
      const s = v.trim().toUpperCase().replace('-', '');
      if (s === 'UTF8' || s === 'UNICODE') return 'UTF8';
      throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, `client encoding "${v}" is not supported yet`, { hint: 'Use UTF8.' });
    },
  }],
  ['datestyle', { display: 'DateStyle', defaultValue: 'ISO, MDY', reported: true, normalise: dateStyle, description: 'Sets the display format for date and time values.' }],
  ['intervalstyle', { display: 'IntervalStyle', defaultValue: 'postgres', reported: true, description: 'Sets the display format for interval values.' }],
  ['timezone', { display: 'TimeZone', defaultValue: 'UTC', reported: true, normalise: timeZone, description: 'Sets the time zone for displaying and interpreting time stamps.' }],
  ['integer_datetimes', { display: 'integer_datetimes', defaultValue: 'on', reported: true, readOnly: true, description: 'Shows whether datetimes are integer based.' }],
  ['standard_conforming_strings', { display: 'standard_conforming_strings', defaultValue: 'on', reported: true, normalise: onOff('standard_conforming_strings'), description: "Causes '...' strings to treat backslashes literally." }],
  ['is_superuser', { display: 'is_superuser', defaultValue: 'on', reported: true, readOnly: true, description: 'Shows whether the current user is a superuser.' }],
  ['session_authorization', { display: 'session_authorization', defaultValue: '', reported: true, readOnly: true, description: 'Sets the session user name.' }],
  ['application_name', { display: 'application_name', defaultValue: '', reported: true, description: 'Sets the application name to be reported in statistics and logs.' }],
  ['default_transaction_read_only', { display: 'default_transaction_read_only', defaultValue: 'off', reported: true, description: 'Sets the default read-only status of new transactions.' }],
  ['in_hot_standby', { display: 'in_hot_standby', defaultValue: 'off', reported: true, readOnly: true, description: 'Shows whether hot standby is currently active.' }],
  ['search_path', { display: 'search_path', defaultValue: '"$user", public', reported: false, description: 'Sets the schema search order for names that are not schema-qualified.' }],
  ['transaction_isolation', { display: 'transaction_isolation', defaultValue: 'read committed', reported: false, description: "Sets the current transaction's isolation level." }],
  ['default_transaction_isolation', { display: 'default_transaction_isolation', defaultValue: 'read committed', reported: false, description: 'Sets the transaction isolation level of each new transaction.' }],
  ['transaction_read_only', { display: 'transaction_read_only', defaultValue: 'off', reported: false, description: "Sets the current transaction's read-only status." }],
  ['extra_float_digits', { display: 'extra_float_digits', defaultValue: '1', reported: false, description: 'Sets the number of digits displayed for floating-point values.' }],
  ['max_identifier_length', { display: 'max_identifier_length', defaultValue: '63', reported: false, readOnly: true, description: 'Shows the maximum identifier length.' }],
  ['statement_timeout', { display: 'statement_timeout', defaultValue: '0', reported: false, normalise: statementTimeout, description: 'Sets the maximum allowed duration of any statement.' }],
  ['lc_collate', { display: 'lc_collate', defaultValue: 'C.UTF-8', reported: false, readOnly: true, description: 'Shows the collation order locale.' }],
  ['lc_ctype', { display: 'lc_ctype', defaultValue: 'C.UTF-8', reported: false, readOnly: true, description: 'Shows the character classification and case conversion locale.' }],
  ['execution.runtime-mode', { display: 'execution.runtime-mode', defaultValue: 'streaming', reported: false, description: 'Flink: streaming or batch reading of stored tables.' }],
  ['table.exec.state.ttl', { display: 'table.exec.state.ttl', defaultValue: '0 ms', reported: false, description: 'Flink: idle state retention for unwindowed aggregations and joins.' }],
  ['table.exec.source.idle-timeout', { display: 'table.exec.source.idle-timeout', defaultValue: '0 ms', reported: false, description: 'Flink: time after which an idle source no longer holds back watermarks.' }],
  ['pipeline.auto-watermark-interval', { display: 'pipeline.auto-watermark-interval', defaultValue: '200 ms', reported: false, description: 'Flink: interval of periodic watermark emission.' }],
  ['sql-client.execution.result-mode', { display: 'sql-client.execution.result-mode', defaultValue: 'table', reported: false, description: 'Flink: result mode of the SQL client.' }],
]);

/** Flink's name for the session time zone. */
const FLINK_TIME_ZONE = 'table.local-time-zone';

export class SessionSettings {
  readonly #values = new Map<string, string>();
  readonly #user: string;

  constructor(user: string, startup: ReadonlyMap<string, string>) {
    this.#user = user;
    for (const [key, value] of startup) {
      if (key === 'user' || key === 'database' || key === 'options' || key === 'replication') continue;
      try {
        this.set(key, value);
      } catch {
        // Startup settings that are invalid are ignored, as Postgres ignores unknown options with a warning.
      }
    }
    for (const [key, value] of parseStartupOptions(startup.get('options') ?? '')) {
      try {
        this.set(key, value);
      } catch {
        // see above
      }
    }
  }

  static canonicalName(name: string): string {
    const n = name.toLowerCase();
    return n === FLINK_TIME_ZONE || n === 'time zone' ? 'timezone' : n;
  }

  get(name: string): string | undefined {
    const key = SessionSettings.canonicalName(name);
    if (key === 'session_authorization') return this.#user;
    const v = this.#values.get(key);
    if (v !== undefined) return v;
    return SPECS.get(key)?.defaultValue;
  }

  /** Sets a value; throws 55P02-like 22023 for read-only or invalid values. */
  set(name: string, value: string): void {
    const key = SessionSettings.canonicalName(name);
    const spec = SPECS.get(key);
    if (spec?.readOnly) {
      if (value === this.get(key)) return;
      throw new SqlError('55P02', `parameter "${spec.display}" cannot be changed`);
    }
    this.#values.set(key, spec?.normalise ? spec.normalise(value) : value);
  }

  reset(name?: string): void {
    if (name === undefined) this.#values.clear();
    else this.#values.delete(SessionSettings.canonicalName(name));
  }

  /** Display name for SHOW's column header. */
  displayName(name: string): string {
    const key = SessionSettings.canonicalName(name);
    return SPECS.get(key)?.display ?? key;
  }

  isKnown(name: string): boolean {
    const key = SessionSettings.canonicalName(name);
    return SPECS.has(key) || this.#values.has(key);
  }

  reported(): Map<string, string> {
    const out = new Map<string, string>();
    for (const [key, spec] of SPECS) if (spec.reported) out.set(spec.display, this.get(key) ?? '');
    return out;
  }

  /** All settings for SHOW ALL / SET (no arguments): [name, value, description]. */
  all(): [string, string, string][] {
    const rows: [string, string, string][] = [];
    const seen = new Set<string>();
    for (const [key, spec] of SPECS) {
      rows.push([spec.display, this.get(key) ?? '', spec.description]);
      seen.add(key);
    }
    for (const [key, value] of this.#values) if (!seen.has(key)) rows.push([key, value, '']);
    rows.sort((a, b) => (a[0].toLowerCase() < b[0].toLowerCase() ? -1 : 1));
    return rows;
  }

  /** Settings that shape how a continuous query is planned and run (time zone, table.*, execution.*), as set. */
  forJobs(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [key, value] of this.#values) {
      // The savepoint a job started from is not where it resumes after a restart (its own checkpoint is).
      if (key === 'execution.savepoint.path') continue;
      if (key === 'timezone' || key.startsWith('table.') || key.startsWith('execution.') || key === 'parallelism.default') out[key] = value;
    }
    return out;
  }

  get timeZone(): string {
    return this.get('timezone') ?? 'UTC';
  }
}

/** Parses libpq's `options` startup parameter: `-c key=value`, `--key=value`, backslash-escaped spaces. */
export function parseStartupOptions(options: string): [string, string][] {
  const words: string[] = [];
  let current = '';
  let escaped = false;
  for (const ch of options) {
    if (escaped) {
      current += ch;
      escaped = false;
    } else if (ch === '\\') escaped = true;
    else if (/\s/.test(ch)) {
      if (current) words.push(current);
      current = '';
    } else current += ch;
  }
  if (current) words.push(current);
  const out: [string, string][] = [];
  for (let i = 0; i < words.length; i++) {
    let w = words[i]!;
    if (w === '-c') w = words[++i] ?? '';
    else if (w.startsWith('-c')) w = w.slice(2);
    else if (w.startsWith('--')) w = w.slice(2);
    else continue;
    const eq = w.indexOf('=');
    if (eq > 0) out.push([w.slice(0, eq).replace(/-/g, '_'), w.slice(eq + 1)]);
  }
  return out;
}

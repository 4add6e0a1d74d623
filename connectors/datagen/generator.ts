/**
 * The `datagen` connector: generated rows, with Flink's options.
 *
 * Contract:
 * - `datagenSpec(columns, options)` validates the WITH options when the table
 *   is created (unknown keys, bad numbers and impossible ranges are 22023) and
 *   is called again when the table is read.
 * - Rows are a pure function of their position: random values come from a
 *   hash of (column, position), so reading from position p again gives the
 *   same rows (what recovery needs to rewind a source). Temporal fields are
 *   the exception, as in Flink: DATE / TIME are the current date and time and
 *   TIMESTAMPs are `now` minus a random duration up to `max-past`.
 * - The table is bounded when `number-of-rows` is set or any field is a
 *   sequence (it ends when the first sequence ends); otherwise it never ends.
 * - `rows-per-second` paces generation (default 10000).
 */
import type { Row, SqlType, Value } from '../../catalog/types.ts';
import { MAX_LENGTH } from '../../catalog/types.ts';
import { SqlError, SqlState } from '../../src/errors.ts';
import { parseDecimal, pow10 } from '../../src/values/decimal.ts';
import { Numeric } from '../../src/values/numeric.ts';
import { parseIntervalParts } from '../../src/values/interval-parse.ts';
import { localToUtcMicros, MICROS_PER_DAY } from '../../src/values/datetime.ts';

export interface DatagenColumn {
  readonly name: string;
  readonly type: SqlType;
}

type Generator = (position: number, nowMicros: number) => Value;

export interface DatagenSpec {
  readonly rowsPerSecond: number;
  /** Number of rows when bounded, else undefined. */
  readonly rowCount: number | undefined;
  readonly generators: readonly Generator[];
}

const TABLE_OPTIONS = new Set(['connector', 'rows-per-second', 'number-of-rows', 'scan.parallelism']);
const FIELD_OPTIONS = new Set(['kind', 'min', 'max', 'max-past', 'length', 'var-len', 'start', 'end', 'null-rate']);

function invalid(message: string, hint?: string): SqlError {
  return new SqlError(SqlState.INVALID_PARAMETER_VALUE, message, hint !== undefined ? { hint } : {});
}

function positiveInteger(key: string, text: string, allowZero = false): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < (allowZero ? 0 : 1)) {
    throw invalid(`invalid value '${text}' for datagen option '${key}': expected a ${allowZero ? 'non-negative' : 'positive'} integer`);
  }
  return n;
}

export function datagenSpec(columns: readonly DatagenColumn[], options: Readonly<Record<string, string>>): DatagenSpec {
  const fieldOptions = new Map<string, Map<string, string>>();
  for (const [key, value] of Object.entries(options)) {
    if (TABLE_OPTIONS.has(key)) continue;
    const m = /^fields\.(.+)\.([a-z-]+)$/.exec(key);
    if (m === null || !FIELD_OPTIONS.has(m[2]!)) {
      throw invalid(`unsupported option '${key}' for connector 'datagen'`, `Supported options: ${[...TABLE_OPTIONS].join(', ')}, fields.<column>.{${[...FIELD_OPTIONS].join(', ')}}.`);
    }
    if (!columns.some((c) => c.name === m[1])) {
      throw invalid(`datagen option '${key}' names column "${m[1]}", which is not a physical column of the table`);
    }
    let perField = fieldOptions.get(m[1]!);
    if (perField === undefined) fieldOptions.set(m[1]!, (perField = new Map()));
    perField.set(m[2]!, value);
  }
  const rowsPerSecond = options['rows-per-second'] === undefined ? 10000 : positiveInteger('rows-per-second', options['rows-per-second']);
  let rowCount = options['number-of-rows'] === undefined ? undefined : positiveInteger('number-of-rows', options['number-of-rows'], true);
  const generators = columns.map((c, i) => {
    const f = fieldOptions.get(c.name) ?? new Map<string, string>();
    const kind = f.get('kind') ?? 'random';
    if (kind !== 'random' && kind !== 'sequence') {
      throw invalid(`invalid value '${kind}' for datagen option 'fields.${c.name}.kind': expected 'random' or 'sequence'`);
    }
    let gen: Generator;
    if (kind === 'sequence') {
      const seq = sequenceGenerator(c, f);
      rowCount = rowCount === undefined ? seq.length : Math.min(rowCount, seq.length);
      gen = seq.generate;
    } else {
      gen = randomGenerator(c, f, i);
    }
    const nullRate = f.get('null-rate');
    if (nullRate !== undefined) {
      const rate = Number(nullRate);
      if (!(rate >= 0 && rate <= 1)) throw invalid(`invalid value '${nullRate}' for datagen option 'fields.${c.name}.null-rate': expected a number from 0 to 1`);
      const inner = gen;
      gen = (p, now) => (unit(i + 7919, p) < rate ? null : inner(p, now));
    }
    return gen;
  });
  return { rowsPerSecond, rowCount, generators };
}

/** Generates the rows from `from` (a position) on, in batches, paced by rows-per-second. */
export async function* datagenRows(spec: DatagenSpec, signal: AbortSignal, from = 0, batchSize = 1024): AsyncGenerator<Row[]> {
  const start = performance.now();
  let position = from;
  const end = spec.rowCount ?? Infinity;
  while (position < end) {
    if (signal.aborted) return;
    const n = Math.min(batchSize, end - position, Math.max(1, Math.ceil(spec.rowsPerSecond / 10)));
    // Pace: the batch may be emitted once its first row is due.
    const due = start + ((position - from) / spec.rowsPerSecond) * 1000;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait, signal);
    if (signal.aborted) return;
    const now = Date.now() * 1000;
    const batch: Row[] = new Array<Row>(n);
    for (let r = 0; r < n; r++) {
      const row: Row = new Array<Value>(spec.generators.length);
      for (let c = 0; c < spec.generators.length; c++) row[c] = spec.generators[c]!(position + r, now);
      batch[r] = row;
    }
    position += n;
    yield batch;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

// ---------------------------------------------------------------- deterministic randomness

/** A 32-bit hash of (stream, position): the same inputs always give the same value. */
function hash32(stream: number, position: number): number {
  let h = Math.imul(stream ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(position | 0, 0xc2b2ae35) ^ Math.imul(Math.floor(position / 4294967296), 0x27d4eb2f);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A uniform number in [0, 1) for (stream, position). */
function unit(stream: number, position: number): number {
  return (hash32(stream, position) * 2097152 + (hash32(stream + 0x632be5ab, position) >>> 11)) / 9007199254740992;
}

// ---------------------------------------------------------------- generators

const INT_RANGES: Partial<Record<SqlType['kind'], [number, number]>> = {
  TINYINT: [-128, 127],
  SMALLINT: [-32768, 32767],
  INT: [-2147483648, 2147483647],
};

function parseBound(c: DatagenColumn, key: string, text: string | undefined): number | bigint | undefined {
  if (text === undefined) return undefined;
  const t = c.type;
  const bad = () => invalid(`invalid value '${text}' for datagen option 'fields.${c.name}.${key}' of a ${t.kind} column`);
  switch (t.kind) {
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT': {
      const n = Number(text);
      const [lo, hi] = INT_RANGES[t.kind]!;
      if (!Number.isInteger(n) || n < lo || n > hi) throw bad();
      return n;
    }
    case 'BIGINT':
    case 'NUMERIC':
      try {
        return BigInt(text.trim());
      } catch {
        throw bad();
      }
    case 'FLOAT':
    case 'DOUBLE': {
      const n = Number(text);
      if (!Number.isFinite(n)) throw bad();
      return n;
    }
    case 'DECIMAL': {
      const v = parseDecimal(text.trim(), t.scale);
      if (v === undefined) throw bad();
      return v;
    }
    case 'CHAR':
    case 'VARCHAR': {
      const n = Number(text);
      if (!Number.isSafeInteger(n)) throw bad();
      return n;
    }
    default:
      throw invalid(`datagen option 'fields.${c.name}.${key}' does not apply to a ${t.kind} column`);
  }
}

function sequenceGenerator(c: DatagenColumn, f: ReadonlyMap<string, string>): { length: number; generate: Generator } {
  const start = parseBound(c, 'start', f.get('start'));
  const end = parseBound(c, 'end', f.get('end'));
  if (start === undefined || end === undefined) {
    throw invalid(`datagen sequence column "${c.name}" needs 'fields.${c.name}.start' and 'fields.${c.name}.end'`);
  }
  const length = Number(BigInt(end) - BigInt(start)) + 1;
  if (!(length >= 1)) throw invalid(`datagen sequence column "${c.name}": start must not be greater than end`);
  const t = c.type;
  switch (t.kind) {
    case 'BIGINT':
      return { length, generate: (p) => (start as bigint) + BigInt(p) };
    case 'NUMERIC':
      return { length, generate: (p) => new Numeric((start as bigint) + BigInt(p), 0) };
    case 'DECIMAL':
      // start/end are unscaled; the sequence steps by 1 in the column's unit.
      return { length: Number((BigInt(end) - BigInt(start)) / pow10(t.scale)) + 1, generate: (p) => (start as bigint) + BigInt(p) * pow10(t.scale) };
    case 'CHAR':
    case 'VARCHAR':
      return { length, generate: (p) => String((start as number) + p) };
    default:
      return { length, generate: (p) => (start as number) + p };
  }
}

const HEX = '0123456789abcdef';

function randomGenerator(c: DatagenColumn, f: ReadonlyMap<string, string>, stream: number): Generator {
  const t = c.type;
  for (const key of ['start', 'end']) {
    if (f.has(key)) throw invalid(`datagen option 'fields.${c.name}.${key}' needs 'fields.${c.name}.kind' = 'sequence'`);
  }
  const min = parseBound(c, 'min', f.get('min'));
  const max = parseBound(c, 'max', f.get('max'));
  if (min !== undefined && max !== undefined && min > max) {
    throw invalid(`datagen column "${c.name}": 'min' must not be greater than 'max'`);
  }
  switch (t.kind) {
    case 'BOOLEAN':
      return (p) => unit(stream, p) < 0.5;
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT': {
      const [lo0, hi0] = INT_RANGES[t.kind]!;
      const lo = (min as number | undefined) ?? lo0;
      const hi = (max as number | undefined) ?? hi0;
      return (p) => lo + Math.floor(unit(stream, p) * (hi - lo + 1));
    }
    case 'BIGINT': {
      const lo = (min as bigint | undefined) ?? -(2n ** 63n);
      const hi = (max as bigint | undefined) ?? 2n ** 63n - 1n;
      const span = hi - lo + 1n;
      return (p) => lo + ((BigInt(hash32(stream, p)) << 32n) | BigInt(hash32(stream + 1, p))) % span;
    }
    case 'FLOAT':
    case 'DOUBLE': {
      const lo = (min as number | undefined) ?? (t.kind === 'FLOAT' ? -3.4e38 : -Number.MAX_VALUE / 2);
      const hi = (max as number | undefined) ?? (t.kind === 'FLOAT' ? 3.4e38 : Number.MAX_VALUE / 2);
      const round = t.kind === 'FLOAT' ? Math.fround : (x: number) => x;
      return (p) => round(lo + unit(stream, p) * (hi - lo));
    }
    case 'DECIMAL': {
      const limit = pow10(t.precision) - 1n;
      const lo = (min as bigint | undefined) ?? -limit;
      const hi = (max as bigint | undefined) ?? limit;
      const span = hi - lo + 1n;
      return (p) => lo + ((BigInt(hash32(stream, p)) << 32n) | BigInt(hash32(stream + 1, p))) % span;
    }
    case 'NUMERIC': {
      // Whole numbers of up to 10 digits, the values Flink generates for its DECIMAL(10, 0).
      const limit = pow10(10) - 1n;
      const lo = (min as bigint | undefined) ?? -limit;
      const hi = (max as bigint | undefined) ?? limit;
      const span = hi - lo + 1n;
      return (p) => new Numeric(lo + ((BigInt(hash32(stream, p)) << 32n) | BigInt(hash32(stream + 1, p))) % span, 0);
    }
    case 'CHAR':
    case 'VARCHAR':
    case 'BYTES': {
      const declared = t.kind === 'BYTES' ? MAX_LENGTH : t.length;
      const lengthText = f.get('length');
      const length = Math.min(declared, lengthText === undefined ? 100 : positiveInteger(`fields.${c.name}.length`, lengthText));
      const varLen = (f.get('var-len') ?? 'false').toLowerCase() === 'true';
      const fixed = t.kind === 'CHAR';
      if (t.kind === 'BYTES') {
        return (p) => {
          const n = varLen ? 1 + (hash32(stream + 2, p) % length) : length;
          const out = new Uint8Array(n);
          for (let i = 0; i < n; i++) out[i] = hash32(stream, p * 131 + i) & 0xff;
          return out;
        };
      }
      return (p) => {
        const n = varLen && !fixed ? 1 + (hash32(stream + 2, p) % length) : length;
        let s = '';
        for (let i = 0; i < n; i++) s += HEX[hash32(stream, p * 131 + i) & 15];
        return fixed ? s.padEnd(t.length, ' ') : s;
      };
    }
    case 'DATE':
      return (_p, now) => Math.floor(localToUtcMicros(now, 'UTC') / MICROS_PER_DAY);
    case 'TIME':
      return (_p, now) => now - Math.floor(now / MICROS_PER_DAY) * MICROS_PER_DAY;
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ': {
      const maxPastText = f.get('max-past');
      let maxPast = 0;
      if (maxPastText !== undefined) {
        const parts = parseIntervalParts(maxPastText.replace(/^(\d+)\s*(ms)$/i, '$1 milliseconds'));
        if (parts === undefined || parts.months !== 0) throw invalid(`invalid value '${maxPastText}' for datagen option 'fields.${c.name}.max-past': expected a duration such as '5 s' or '1 min'`);
        maxPast = parts.days * MICROS_PER_DAY + parts.micros;
      }
      const unitMicros = 10 ** (6 - Math.min(6, t.precision));
      return (p, now) => {
        const v = now - Math.floor(unit(stream, p) * maxPast);
        return Math.floor(v / unitMicros) * unitMicros;
      };
    }
    default:
      throw invalid(`datagen cannot generate values of type ${t.kind} (column "${c.name}")`);
  }
}

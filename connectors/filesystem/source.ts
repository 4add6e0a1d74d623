/**
 * The `filesystem` source connector (Flink's): rows from the files under
 * 'path', in the table's 'format' (connectors/formats).
 *
 * Options: 'path' (a file or a directory, relative to the server's working
 * directory unless absolute; `file:///...` accepted; required),
 * 'format' (required) and its options, 'source.monitor-interval' (a duration
 * such as '1 s', '500 ms', '1 min': the table is unbounded and the directory is
 * listed again at that interval for new files). Options 'sink.*' belong to the
 * filesystem sink and are left to it. Anything else is 22023.
 *
 * CREATE TABLE does not look at the disk (as Flink: the path may be created
 * later, e.g. by a sink); reading a bounded table whose path does not exist
 * fails with 58P01; a monitored table waits for the path to appear.
 *
 * Files: a directory is read recursively; names starting with `.` or `_` are
 * skipped (hidden, in-progress and marker files, as Flink does); a bounded
 * read takes the files one after the other in path order, where runs of
 * digits compare as numbers (`part-2` before `part-10`), a monitored read as
 * described below; lines in order. Blank lines and, with
 * 'csv.allow-comments', `#` lines hold no row. Rows stream in batches of up
 * to BATCH_SIZE through a line reader (a file is never held in memory).
 *
 * A line the format cannot read fails the read with 22P02 naming the file,
 * the line number and what is wrong. With '<format>.ignore-parse-errors' the
 * line is skipped; after each file that had such lines the server log
 * (stderr) gets one line with the count and the first problem.
 *
 * Position (the engine's fromPosition) = rows delivered so far, over the
 * enumeration above: skipped lines and comments do not count. Reading from
 * position p reads the same enumeration and drops its first p rows.
 *
 * Monitoring and what survives a restart: a monitored read lists the path at
 * start and then every interval and reads the files it has not seen yet, in
 * order of modification time, then path; a file is never read twice. Only
 * the row count survives a restart, and a restarted read enumerates the files
 * present then in that same order, so that order must be the order in which
 * the files appeared. Hence the guarantee, given that a file is complete when
 * it appears under its final name and never changes afterwards (Flink's
 * assumption; write elsewhere or under a hidden name, then rename, as the
 * filesystem sink does): every row is delivered exactly once across restarts
 * as long as files appear in the order of their modification times, whatever
 * their names. A file that appears with an older modification time than one
 * already read (moved in with its time kept: `mv` from another directory on
 * the same disk, `cp -p`, `touch -d`) is read once while the server runs, and
 * logged; a restart after it may repeat or lose rows before it. Deleting files
 * already read does the same to a restart. (Ordering by modification time
 * rather than name is what lets a monitored read follow directories written
 * by sinks with random or per-writer file names.) A bounded read has no such
 * concern and reads in path order.
 */
import { createReadStream, type Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { ColumnDefinition } from '../../catalog/relation.ts';
import type { Row } from '../../catalog/types.ts';
import type { SourceConnector } from '../../src/connectors/source-connector.ts';
import { SqlError, SqlState } from '../../src/errors.ts';
import { FormatError, rowFormat, type LineRowFormat } from '../formats/index.ts';

/** Rows per batch handed to the engine. */
export const BATCH_SIZE = 1024;

/** PostgreSQL's undefined_file (not in src/errors.ts's SqlState list). */
const UNDEFINED_FILE = '58P01';

const CONNECTOR_OPTIONS = new Set(['connector', 'path', 'format', 'source.monitor-interval']);

export interface FilesystemSpec {
  /** The file or directory, without a `file://` prefix. */
  readonly path: string;
  readonly format: LineRowFormat;
  /** Milliseconds between listings when monitored; undefined when bounded. */
  readonly monitorIntervalMs: number | undefined;
}

function invalid(message: string, hint?: string): SqlError {
  return new SqlError(SqlState.INVALID_PARAMETER_VALUE, message, hint !== undefined ? { hint } : {});
}

/** Reads and checks the table's WITH options (22023 for anything wrong). */
export function filesystemSpec(columns: readonly ColumnDefinition[], options: Readonly<Record<string, string>>): FilesystemSpec {
  for (const key of Object.keys(options)) {
    if (CONNECTOR_OPTIONS.has(key) || key.startsWith('sink.') || key.startsWith('csv.') || key.startsWith('json.')) continue;
    throw invalid(`unsupported option '${key}' for connector 'filesystem'`, `Supported options: path, format, source.monitor-interval, sink.*, and the format's options (csv.*, json.*).`);
  }
  const rawPath = options['path'];
  if (rawPath === undefined || rawPath.trim().length === 0) {
    throw invalid("option 'path' is required for connector 'filesystem'", "Add 'path' = '/a/directory' (or a file) to the WITH options.");
  }
  const format = rowFormat(columns, options);
  const interval = options['source.monitor-interval'];
  return {
    path: localPath(rawPath.trim()),
    format,
    monitorIntervalMs: interval === undefined ? undefined : parseDuration('source.monitor-interval', interval),
  };
}

function localPath(path: string): string {
  if (path.startsWith('file:')) {
    const rest = path.slice('file:'.length);
    // file:///a/b and file:/a/b name /a/b; file://localhost/a/b too.
    if (rest.startsWith('///')) return rest.slice(2);
    if (rest.startsWith('//localhost/')) return rest.slice('//localhost'.length);
    if (rest.startsWith('/') && !rest.startsWith('//')) return rest;
    throw invalid(`invalid value '${path}' for option 'path': a file URI names a local absolute path`, "Write 'file:///data/orders' or '/data/orders'.");
  }
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(path);
  if (scheme !== null) {
    throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, `file system scheme '${scheme[1]}' is not supported`, { hint: "The filesystem connector reads local paths ('/data/orders' or 'file:///data/orders')." });
  }
  return path;
}

const DURATION_UNITS: ReadonlyMap<string, number> = new Map([
  ['ms', 1],
  ['milli', 1],
  ['millis', 1],
  ['millisecond', 1],
  ['milliseconds', 1],
  ['s', 1000],
  ['sec', 1000],
  ['secs', 1000],
  ['second', 1000],
  ['seconds', 1000],
  ['m', 60_000],
  ['min', 60_000],
  ['mins', 60_000],
  ['minute', 60_000],
  ['minutes', 60_000],
  ['h', 3_600_000],
  ['hour', 3_600_000],
  ['hours', 3_600_000],
  ['d', 86_400_000],
  ['day', 86_400_000],
  ['days', 86_400_000],
]);

/** A Flink duration: a number and a unit ('1 s', '500ms', '2 min'); a bare number is milliseconds. */
export function parseDuration(key: string, text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const unit = m === null ? undefined : m[2] === '' ? 1 : DURATION_UNITS.get(m[2]!.toLowerCase());
  const ms = m === null || unit === undefined ? NaN : Math.round(Number(m[1]) * unit);
  if (!(ms >= 1 && ms <= 2_147_483_647)) {
    throw invalid(`invalid value '${text}' for option '${key}': expected a duration of at least 1 ms`, "Write a number and a unit: '500 ms', '1 s', '1 min'.");
  }
  return ms;
}

export const filesystemSource: SourceConnector = {
  name: 'filesystem',
  validate(columns, options) {
    filesystemSpec(columns, options);
  },
  bounded(columns, options) {
    return filesystemSpec(columns, options).monitorIntervalMs === undefined;
  },
  read(columns, options, signal, fromPosition = 0) {
    return readFilesystem(filesystemSpec(columns, options), signal, fromPosition);
  },
};

// ---------------------------------------------------------------- reading

/** The rows of the path's files from `fromPosition` on, in batches; forever when monitored, until `signal` aborts. */
export async function* readFilesystem(spec: FilesystemSpec, signal: AbortSignal, fromPosition = 0): AsyncGenerator<Row[]> {
  const skip = { rows: fromPosition };
  if (spec.monitorIntervalMs === undefined) {
    for (const file of await listFiles(spec.path, false)) {
      if (signal.aborted) return;
      yield* readFile(file, spec.format, signal, skip);
    }
    return;
  }
  const seen = new Set<string>();
  let last: FileKey | undefined;
  for (;;) {
    const fresh = await newFiles(spec.path, seen);
    for (const file of fresh) {
      if (signal.aborted) return;
      seen.add(file.path);
      if (last !== undefined && compareFileKeys(file, last) < 0) warnOutOfOrder(file, last);
      last = file;
      yield* readFile(file.path, spec.format, signal, skip);
    }
    if (signal.aborted) return;
    await sleep(spec.monitorIntervalMs, signal);
    if (signal.aborted) return;
  }
}

/** A file of a monitored path and its modification time in ns: monitored reads go in (mtime, path) order. */
export interface FileKey {
  readonly path: string;
  readonly mtimeNs: bigint;
}

export function compareFileKeys(a: FileKey, b: FileKey): number {
  return a.mtimeNs < b.mtimeNs ? -1 : a.mtimeNs > b.mtimeNs ? 1 : comparePaths(a.path, b.path);
}

/** The files under `path` not in `seen`, in (mtime, path) order; none while the path does not exist. */
async function newFiles(path: string, seen: ReadonlySet<string>): Promise<FileKey[]> {
  const out: FileKey[] = [];
  for (const file of await listFiles(path, true)) {
    if (seen.has(file)) continue;
    const info = await stat(file, { bigint: true }).catch((err: unknown) => {
      // Gone between the listing and now: not there yet as far as this listing goes.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw fileError(err, file);
    });
    if (info !== undefined) out.push({ path: file, mtimeNs: info.mtimeNs });
  }
  return out.sort(compareFileKeys);
}

function warnOutOfOrder(file: FileKey, last: FileKey): void {
  process.stderr.write(
    `millrace: filesystem source: file "${file.path}" appeared after "${last.path}" but is older (modification time); ` +
      'it is read now, but after a restart the rows read before it may be read twice or skipped (see docs/connectors.md)\n',
  );
}

/** Rows of one file, dropping the first `skip.rows` rows (and counting them off). */
async function* readFile(file: string, format: LineRowFormat, signal: AbortSignal, skip: { rows: number }): AsyncGenerator<Row[]> {
  const stream = createReadStream(file, { encoding: 'utf8', signal });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let lineNo = 0;
  let skipped = 0;
  let firstProblem = '';
  let batch: Row[] = [];
  try {
    for await (const raw of lines) {
      lineNo++;
      const line = lineNo === 1 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
      if (format.skips(line)) continue;
      // Without ignore-parse-errors each line not skipped above is a row (a bad one would have
      // failed the read that delivered the rows after it), so rows before the position are not decoded.
      if (skip.rows > 0 && !format.ignoreParseErrors) {
        skip.rows--;
        continue;
      }
      let row: Row;
      try {
        row = format.decode(line);
      } catch (err) {
        if (!(err instanceof FormatError)) throw err;
        if (!format.ignoreParseErrors) throw badLine(file, lineNo, line, format, err);
        if (skipped++ === 0) firstProblem = `line ${lineNo}: ${err.message}`;
        continue;
      }
      if (skip.rows > 0) {
        skip.rows--;
        continue;
      }
      batch.push(row);
      if (batch.length >= BATCH_SIZE) {
        yield batch;
        batch = [];
        if (signal.aborted) return;
      }
    }
  } catch (err) {
    if (signal.aborted) return;
    throw fileError(err, file);
  } finally {
    lines.close();
    stream.destroy();
  }
  if (batch.length > 0) yield batch;
  if (skipped > 0) {
    process.stderr.write(
      `millrace: filesystem source: skipped ${skipped} line${skipped === 1 ? '' : 's'} of file "${file}" that the ${format.name} format could not read (${format.name}.ignore-parse-errors); first, ${firstProblem}\n`,
    );
  }
}

function badLine(file: string, lineNo: number, line: string, format: LineRowFormat, err: FormatError): SqlError {
  return new SqlError(SqlState.INVALID_TEXT_REPRESENTATION, `invalid ${format.name} line in file "${file}" line ${lineNo}: ${err.message}`, {
    detail: `Line ${lineNo}: ${line.length > 200 ? `${line.slice(0, 200)}...` : line}`,
    hint: `Fix the line, or set '${format.name}.ignore-parse-errors' = 'true' to skip lines that cannot be read.`,
  });
}

function fileError(err: unknown, path: string): unknown {
  if (err instanceof SqlError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new SqlError(UNDEFINED_FILE, `could not open file "${path}" for reading: No such file or directory`);
  if (code !== undefined) return new SqlError(SqlState.IO_ERROR, `could not read file "${path}": ${(err as Error).message}`);
  return err;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

// ---------------------------------------------------------------- listing

/**
 * The files under `path` in read order: `path` itself when it is a file,
 * else the directory's files recursively, hidden ones (`.`, `_`) left out.
 * A missing path is 58P01, or no files when `missingIsEmpty` (monitoring).
 */
export async function listFiles(path: string, missingIsEmpty: boolean): Promise<string[]> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && missingIsEmpty) return [];
    throw fileError(err, path);
  }
  if (!info.isDirectory()) return [path];
  const out: string[] = [];
  await collect(path, out, missingIsEmpty);
  return out.sort(comparePaths);
}

async function collect(dir: string, out: string[], missingIsEmpty: boolean): Promise<void> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    // A subdirectory removed between listings holds no files.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && missingIsEmpty) return;
    throw fileError(err, dir);
  }
  for (const e of entries) {
    if (e.name.startsWith('.') || e.name.startsWith('_')) continue;
    const full = join(dir, e.name);
    let isDir = e.isDirectory();
    let isFile = e.isFile();
    if (e.isSymbolicLink()) {
      const target = await stat(full).catch(() => undefined);
      isDir = target?.isDirectory() ?? false;
      isFile = target?.isFile() ?? false;
    }
    if (isDir) await collect(full, out, missingIsEmpty);
    else if (isFile) out.push(full);
  }
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Path order with runs of digits compared as numbers (`a-2` < `a-10`); ties (`01` vs `1`) by code units. */
export function comparePaths(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(j);
    if (isDigit(ca) && isDigit(cb)) {
      let ei = i;
      while (ei < a.length && isDigit(a.charCodeAt(ei))) ei++;
      let ej = j;
      while (ej < b.length && isDigit(b.charCodeAt(ej))) ej++;
      let si = i;
      while (si < ei - 1 && a.charCodeAt(si) === 48) si++;
      let sj = j;
      while (sj < ej - 1 && b.charCodeAt(sj) === 48) sj++;
      const lenDiff = ei - si - (ej - sj);
      if (lenDiff !== 0) return lenDiff;
      for (let k = 0; k < ei - si; k++) {
        const d = a.charCodeAt(si + k) - b.charCodeAt(sj + k);
        if (d !== 0) return d;
      }
      i = ei;
      j = ej;
      continue;
    }
    if (ca !== cb) return ca - cb;
    i++;
    j++;
  }
  if (i < a.length || j < b.length) return a.length - i - (b.length - j);
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The filesystem sink (Flink's FileSink for row formats): writes a table's
 * rows as lines of its 'format' (connectors/formats) into files under 'path'.
 *
 * Files, as Flink names and hides them:
 * - Rows go first into a hidden in-progress file,
 *   `.part-<writer>-<n>.<ext>.inprogress.<run>`; readers (the filesystem
 *   source, Flink, Spark) skip names starting with '.'. `<writer>` is the job
 *   id (`job-0001`) or, for a bounded INSERT, a fresh UUID; `<n>` counts the
 *   writer's files; `<run>` tells one run of a job from the next.
 * - A file is closed when it reaches 'sink.rolling-policy.file-size' (default
 *   128 MB; it exceeds the size by at most one line), when it is older than
 *   'sink.rolling-policy.rollover-interval' (default 30 min), and at every
 *   checkpoint (Flink's OnCheckpointRollingPolicy): checkpoint n's output is
 *   always in files of its own.
 * - At checkpoint n's barrier its files are flushed, fsynced and closed
 *   (`prepare`), their names stored in checkpoint n (the committable); once
 *   checkpoint n is durable they are renamed to the final
 *   `part-<writer>-<n>.<ext>` (`commit`) and are never touched again. A
 *   bounded INSERT commits once, at its end: its rows appear all at once.
 *
 * Exactly-once across crashes (see src/connectors/sink-connector.ts):
 * `recover` renames the files of the checkpoint the job resumes from again
 * (a crash may have come between the checkpoint and the renames), deletes the
 * final files of a checkpoint the job does not resume from (a damaged record:
 * the rows are replayed), deletes every in-progress file an earlier run of
 * the same writer left (its rows are replayed from the checkpoint), and
 * numbers new files after every final file of the writer in the directory,
 * so a committed file is never overwritten.
 *
 * Row kinds: insert-only. An updating job into a filesystem table is refused
 * at plan time (0A000), as Flink refuses it; a -U / +U / -D reaching the
 * writer is an internal error.
 *
 * Options: 'path' (a directory, created when missing; 'file://' URIs
 * accepted), 'format' and the format's options, 'sink.rolling-policy.file-size'
 * ('128MB', '1 kb', bytes), 'sink.rolling-policy.rollover-interval' ('30 min',
 * '10 s'). Options 'source.*' belong to the source side.
 */
import { mkdir, open, readdir, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { ColumnDefinition } from '../../catalog/relation.ts';
import type { Row } from '../../catalog/types.ts';
import type { SinkConnector, SinkContext, SinkRecovery, SinkWriter } from '../../src/connectors/sink-connector.ts';
import { InternalError, SqlError, SqlState } from '../../src/errors.ts';
import type { RowFormat } from '../formats/row-format.ts';
import { rowFormat } from '../formats/index.ts';
import { FORMAT_NAMES } from '../formats/format-options.ts';
import { checkSinkOptions } from '../sink-options.ts';

const OPTIONS = ['path', 'format', 'sink.rolling-policy.file-size', 'sink.rolling-policy.rollover-interval'] as const;
const FOREIGN_PREFIXES = ['source.', ...FORMAT_NAMES.map((f) => `${f}.`)];
const DEFAULT_FILE_SIZE = 128 * 1024 * 1024;
const DEFAULT_ROLLOVER_MS = 30 * 60 * 1000;
/** Encoded text kept in memory before it is appended to the in-progress file. */
const FLUSH_CHARS = 256 * 1024;

const SIZE_UNITS: Readonly<Record<string, number>> = {
  '': 1, b: 1, bytes: 1,
  k: 1024, kb: 1024, kibibytes: 1024,
  m: 1024 ** 2, mb: 1024 ** 2, mebibytes: 1024 ** 2,
  g: 1024 ** 3, gb: 1024 ** 3, gibibytes: 1024 ** 3,
  t: 1024 ** 4, tb: 1024 ** 4, tebibytes: 1024 ** 4,
};

const DURATION_UNITS: Readonly<Record<string, number>> = {
  ms: 1, milli: 1, millis: 1, millisecond: 1, milliseconds: 1,
  '': 1000, s: 1000, sec: 1000, secs: 1000, second: 1000, seconds: 1000,
  min: 60_000, m: 60_000, minute: 60_000, minutes: 60_000,
  h: 3_600_000, hour: 3_600_000, hours: 3_600_000,
  d: 86_400_000, day: 86_400_000, days: 86_400_000,
};

function invalid(message: string, hint: string): SqlError {
  return new SqlError(SqlState.INVALID_PARAMETER_VALUE, message, { hint });
}

/** A memory size as Flink writes it ('128MB', '1 kb', '4096'): bytes, more than 0. */
export function parseMemorySize(text: string, key: string): number {
  const m = /^\s*(\d+)\s*([a-z]*)\s*$/i.exec(text);
  const unit = m === null ? undefined : SIZE_UNITS[m[2]!.toLowerCase()];
  const bytes = m === null || unit === undefined ? NaN : Number(m[1]) * unit;
  if (!Number.isSafeInteger(bytes) || bytes <= 0) {
    throw invalid(`invalid value '${text}' for option '${key}': expected a size`, "Write a number of bytes with an optional unit: '128MB', '512 kb', '1gb'.");
  }
  return bytes;
}

/** A duration as Flink writes it ('30 min', '10 s', '500 ms'; a bare number is seconds): milliseconds, more than 0. */
export function parseDuration(text: string, key: string): number {
  const m = /^\s*(\d+)\s*([a-z]*)\s*$/i.exec(text);
  const unit = m === null ? undefined : DURATION_UNITS[m[2]!.toLowerCase()];
  const ms = m === null || unit === undefined ? NaN : Number(m[1]) * unit;
  if (!Number.isSafeInteger(ms) || ms <= 0) {
    throw invalid(`invalid value '${text}' for option '${key}': expected a duration`, "Write a number with a unit: '30 min', '10 s', '500 ms'.");
  }
  return ms;
}

/** The directory of the 'path' option (22023 when it is missing or not a local path). */
export function sinkDirectory(options: Readonly<Record<string, string>>): string {
  const text = options['path'];
  if (text === undefined || text.trim() === '') {
    throw invalid("option 'path' is required for connector 'filesystem'", "Add 'path' = '/directory/of/the/files' to WITH (...).");
  }
  let p = text.trim();
  if (p.startsWith('file://')) p = p.slice('file://'.length);
  else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(p)) {
    throw invalid(`path '${text}' is not on a local file system`, "Use a local directory or a 'file://' URI.");
  }
  return path.resolve(p);
}

interface Settings {
  readonly dir: string;
  readonly format: RowFormat;
  readonly fileSize: number;
  readonly rolloverMs: number;
}

function settings(columns: readonly ColumnDefinition[], options: Readonly<Record<string, string>>): Settings {
  checkSinkOptions('filesystem', OPTIONS, options, FOREIGN_PREFIXES);
  const dir = sinkDirectory(options);
  if (options['format'] === undefined) {
    throw invalid("option 'format' is required for connector 'filesystem'", `Add 'format' = '${FORMAT_NAMES[0]}' (formats: ${FORMAT_NAMES.join(', ')}).`);
  }
  const format = rowFormat(columns, options);
  const sizeText = options['sink.rolling-policy.file-size'];
  const intervalText = options['sink.rolling-policy.rollover-interval'];
  return {
    dir,
    format,
    fileSize: sizeText === undefined ? DEFAULT_FILE_SIZE : parseMemorySize(sizeText, 'sink.rolling-policy.file-size'),
    rolloverMs: intervalText === undefined ? DEFAULT_ROLLOVER_MS : parseDuration(intervalText, 'sink.rolling-policy.rollover-interval'),
  };
}

/** A checkpoint's files: [in-progress name, final name] pairs, and the number of the writer's next file. */
interface Committable {
  readonly next: number;
  readonly files: readonly (readonly [string, string])[];
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

function encodeCommittable(c: Committable): Uint8Array {
  return utf8.encode(JSON.stringify(c));
}

function decodeCommittable(bytes: Uint8Array): Committable {
  const c = JSON.parse(utf8Decoder.decode(bytes)) as Committable;
  if (typeof c.next !== 'number' || !Array.isArray(c.files)) throw new SqlError(SqlState.DATA_CORRUPTED, 'the stored files of a filesystem sink checkpoint are damaged');
  return c;
}

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

async function unlinkIfPresent(file: string): Promise<void> {
  try {
    await unlink(file);
  } catch (err) {
    if (!isMissing(err)) throw err;
  }
}

/** Makes the names of files created in `dir` durable (POSIX: fsync of the directory). */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

interface OpenFile {
  readonly handle: FileHandle;
  readonly hidden: string;
  readonly final: string;
  readonly opened: number;
  bytes: number;
}

export class FileSinkWriter implements SinkWriter {
  readonly #settings: Settings;
  readonly #writerId: string;
  /** Tells this run's in-progress files from those of other runs of the same writer. */
  readonly #run: string;
  #next = 0;
  /** Encoded lines not yet handed to the I/O chain. */
  #lines: string[] = [];
  #chars = 0;
  #current: OpenFile | undefined = undefined;
  /** Files closed since the last prepare: [in-progress, final]. */
  #closed: [string, string][] = [];
  /** In-progress files handed out in committables and not committed yet (deleted by abort). */
  readonly #uncommitted = new Set<string>();
  /** The I/O, one step after the other; it starts once `recover` has run. */
  #chain: Promise<void>;
  #openGate!: () => void;
  #failGate!: (err: unknown) => void;
  #recovered = false;
  #finished = false;

  constructor(settings: Settings, writerId: string) {
    this.#settings = settings;
    this.#writerId = writerId;
    this.#run = randomUUID();
    this.#chain = new Promise<void>((resolve, reject) => {
      this.#openGate = resolve;
      this.#failGate = reject;
    });
    this.#chain.catch(() => undefined);
  }

  async recover(state: SinkRecovery): Promise<void> {
    try {
      await this.#recover(state);
    } catch (err) {
      this.#failGate(err);
      throw err;
    }
    this.#recovered = true;
    this.#openGate();
  }

  async #recover(state: SinkRecovery): Promise<void> {
    const dir = this.#settings.dir;
    await mkdir(dir, { recursive: true });
    if (state.committed !== undefined && state.committed.length > 0) {
      const c = decodeCommittable(state.committed);
      this.#next = Math.max(this.#next, c.next);
      await this.#rename(c.files, true);
    }
    if (state.rolledBack !== undefined && state.rolledBack.length > 0) {
      const c = decodeCommittable(state.rolledBack);
      this.#next = Math.max(this.#next, c.next);
      for (const [hidden, final] of c.files) {
        await unlinkIfPresent(path.join(dir, final));
        await unlinkIfPresent(path.join(dir, hidden));
      }
    }
    const hiddenPrefix = `.part-${this.#writerId}-`;
    const finalPrefix = `part-${this.#writerId}-`;
    for (const name of await readdir(dir)) {
      if (name.startsWith(hiddenPrefix) && name.includes('.inprogress')) {
        await unlinkIfPresent(path.join(dir, name));
      } else if (name.startsWith(finalPrefix)) {
        const n = Number.parseInt(name.slice(finalPrefix.length), 10);
        if (Number.isSafeInteger(n)) this.#next = Math.max(this.#next, n + 1);
      }
    }
  }

  write(rows: readonly Row[], kinds: Uint8Array | null): void {
    if (this.#finished) return;
    if (kinds !== null) {
      for (let i = 0; i < kinds.length; i++) {
        if (kinds[i] !== 0) throw new InternalError('the filesystem sink received an updating row; only insert-only output may be planned into it');
      }
    }
    const format = this.#settings.format;
    for (let i = 0; i < rows.length; i++) {
      const line = format.encode(rows[i]!);
      this.#lines.push(line);
      this.#chars += line.length + 1;
    }
    if (this.#chars >= FLUSH_CHARS) this.#flush();
  }

  prepare(): Promise<Uint8Array> {
    this.#flush();
    let committable: Uint8Array = new Uint8Array(0);
    const step = this.#enqueue(async () => {
      if (this.#current !== undefined) await this.#roll();
      const files = this.#closed;
      this.#closed = [];
      for (const [hidden] of files) this.#uncommitted.add(hidden);
      if (files.length > 0) await syncDirectory(this.#settings.dir);
      committable = encodeCommittable({ next: this.#next, files });
    });
    return step.then(() => committable);
  }

  async commit(committable: Uint8Array): Promise<void> {
    const c = decodeCommittable(committable);
    await this.#rename(c.files, false);
    for (const [hidden] of c.files) this.#uncommitted.delete(hidden);
  }

  abort(): Promise<void> {
    return this.#discard();
  }

  close(): Promise<void> {
    return this.#discard();
  }

  /** Deletes what was not committed: the open file, closed and prepared ones. */
  async #discard(): Promise<void> {
    if (this.#finished) return;
    this.#finished = true;
    this.#lines = [];
    if (!this.#recovered) return;
    await this.#chain.catch(() => undefined);
    const dir = this.#settings.dir;
    const current = this.#current;
    this.#current = undefined;
    if (current !== undefined) {
      await current.handle.close().catch(() => undefined);
      await unlinkIfPresent(path.join(dir, current.hidden));
    }
    for (const [hidden] of this.#closed) await unlinkIfPresent(path.join(dir, hidden));
    for (const hidden of this.#uncommitted) await unlinkIfPresent(path.join(dir, hidden));
    this.#closed = [];
    this.#uncommitted.clear();
  }

  /** Renames in-progress files to their final names; a file already renamed is fine (idempotent). */
  async #rename(files: readonly (readonly [string, string])[], recovering: boolean): Promise<void> {
    const dir = this.#settings.dir;
    for (const [hidden, final] of files) {
      try {
        await rename(path.join(dir, hidden), path.join(dir, final));
      } catch (err) {
        if (!isMissing(err)) throw err;
        const present = await stat(path.join(dir, final)).then(() => true, () => false);
        if (present) continue;
        const message = `file "${path.join(dir, hidden)}" of a committed checkpoint is missing: its rows are lost`;
        if (!recovering) throw new SqlError(SqlState.IO_ERROR, message);
        process.stderr.write(`millrace: filesystem sink ${this.#writerId}: ${message}\n`);
      }
    }
  }

  #enqueue(step: () => Promise<void>): Promise<void> {
    const next = this.#chain.then(step);
    next.catch(() => undefined);
    this.#chain = next;
    return next;
  }

  /** Hands the buffered lines to the I/O chain. */
  #flush(): void {
    if (this.#lines.length === 0) return;
    const lines = this.#lines;
    this.#lines = [];
    this.#chars = 0;
    void this.#enqueue(() => this.#append(lines));
  }

  async #append(lines: readonly string[]): Promise<void> {
    const { fileSize, rolloverMs } = this.#settings;
    let i = 0;
    while (i < lines.length) {
      const open = this.#current;
      if (open !== undefined && (open.bytes >= fileSize || Date.now() - open.opened >= rolloverMs)) await this.#roll();
      const file = this.#current ?? (await this.#openFile());
      let text = '';
      let bytes = 0;
      while (i < lines.length) {
        const line = `${lines[i]!}\n`;
        i++;
        text += line;
        bytes += Buffer.byteLength(line);
        if (file.bytes + bytes >= fileSize) break;
      }
      await file.handle.writeFile(text);
      file.bytes += bytes;
    }
  }

  async #openFile(): Promise<OpenFile> {
    const n = this.#next++;
    const ext = this.#settings.format.extension;
    const hidden = `.part-${this.#writerId}-${n}.${ext}.inprogress.${this.#run}`;
    const final = `part-${this.#writerId}-${n}.${ext}`;
    const handle = await open(path.join(this.#settings.dir, hidden), 'wx');
    const file: OpenFile = { handle, hidden, final, opened: Date.now(), bytes: 0 };
    this.#current = file;
    return file;
  }

  /** Makes the open file durable and closes it; it waits for its checkpoint's commit. */
  async #roll(): Promise<void> {
    const file = this.#current;
    if (file === undefined) return;
    this.#current = undefined;
    await file.handle.sync();
    await file.handle.close();
    this.#closed.push([file.hidden, file.final]);
  }
}

export const filesystemSink: SinkConnector = {
  name: 'filesystem',
  acceptsUpdates: false,
  validate(columns, options) {
    settings(columns, options);
  },
  open(columns, options, ctx: SinkContext) {
    return new FileSinkWriter(settings(columns, options), ctx.writerId);
  },
};

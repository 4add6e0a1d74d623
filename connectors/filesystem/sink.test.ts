import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIGINT, STRING, type SqlType } from '../../catalog/types.ts';
import type { ColumnDefinition } from '../../catalog/relation.ts';
import { SqlError } from '../../src/errors.ts';
import { filesystemSink, parseDuration, parseMemorySize } from './sink.ts';

const col = (name: string, type: SqlType): ColumnDefinition => ({ name, type, nullable: true, kind: 'physical' });
const COLUMNS = [col('item', STRING), col('n', BIGINT)];

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'millrace-fs-sink-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function options(extra: Record<string, string> = {}): Record<string, string> {
  return { connector: 'filesystem', path: dir, format: 'csv', ...extra };
}

function open(writerId = 'job-0001', extra: Record<string, string> = {}) {
  return filesystemSink.open(COLUMNS, options(extra), { writerId, timeZone: 'UTC' });
}

const visible = async (): Promise<string[]> => (await readdir(dir)).filter((n) => !n.startsWith('.')).sort(byNumber);
const hidden = async (): Promise<string[]> => (await readdir(dir)).filter((n) => n.startsWith('.')).sort();

function byNumber(a: string, b: string): number {
  const n = (s: string) => Number(/-(\d+)\.[a-z]+$/.exec(s)?.[1] ?? -1);
  return n(a) - n(b) || a.localeCompare(b);
}

/** The lines of every visible file, in file order. */
async function committedLines(): Promise<string[]> {
  const out: string[] = [];
  for (const name of await visible()) out.push(...(await readFile(path.join(dir, name), 'utf8')).split('\n').filter((l) => l !== ''));
  return out;
}

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return e instanceof SqlError ? e.code : `not a SqlError: ${String(e)}`;
  }
  return 'accepted';
}

describe('filesystem sink', () => {
  it('keeps rows in a hidden in-progress file until commit, then renames it to part-<writer>-<n>.<ext>', async () => {
    const w = open();
    await w.recover({});
    w.write([['a', 1n], ['b,c', null]], null);
    const committable = await w.prepare(1);
    expect(await visible()).toEqual([]);
    expect((await hidden()).length).toBe(1);
    expect((await hidden())[0]).toMatch(/^\.part-job-0001-0\.csv\.inprogress\./);
    await w.commit(committable);
    expect(await visible()).toEqual(['part-job-0001-0.csv']);
    expect(await hidden()).toEqual([]);
    expect(await readFile(path.join(dir, 'part-job-0001-0.csv'), 'utf8')).toBe('a,1\n"b,c",\n');
    await w.commit(committable); // idempotent
    await w.close();
    expect(await visible()).toEqual(['part-job-0001-0.csv']);
  });

  it('gives each checkpoint its own files; what follows a barrier waits for the next commit', async () => {
    const w = open();
    await w.recover({});
    w.write([['a', 1n]], null);
    const c1 = w.prepare(1);
    w.write([['b', 2n]], null);
    const c2 = w.prepare(2);
    w.write([['c', 3n]], null);
    await w.commit(await c1);
    expect(await committedLines()).toEqual(['a,1']);
    await w.commit(await c2);
    expect(await committedLines()).toEqual(['a,1', 'b,2']);
    // An empty checkpoint writes no file.
    await w.commit(await w.prepare(3));
    await w.commit(await w.prepare(4));
    expect(await committedLines()).toEqual(['a,1', 'b,2', 'c,3']);
    expect(await visible()).toEqual(['part-job-0001-0.csv', 'part-job-0001-1.csv', 'part-job-0001-2.csv']);
  });

  it('rolls files at sink.rolling-policy.file-size', async () => {
    const w = open('w', { 'sink.rolling-policy.file-size': '10b' });
    await w.recover({});
    const rows = Array.from({ length: 7 }, (_, i) => [`row${i}`, BigInt(i)]);
    w.write(rows, null); // 7 bytes a line: a file takes two lines
    await w.commit(await w.prepare(1));
    expect(await visible()).toEqual(['part-w-0.csv', 'part-w-1.csv', 'part-w-2.csv', 'part-w-3.csv']);
    expect(await committedLines()).toEqual(rows.map(([s, n]) => `${String(s)},${String(n)}`));
    expect(await readFile(path.join(dir, 'part-w-3.csv'), 'utf8')).toBe('row6,6\n');
  });

  it('writes large outputs through several flushes, in order', async () => {
    const w = open('big', { 'sink.rolling-policy.file-size': '256kb' });
    await w.recover({});
    const n = 60_000;
    for (let i = 0; i < n; i += 1000) w.write(Array.from({ length: 1000 }, (_, j) => [`item-${i + j}`, BigInt(i + j)]), null);
    await w.commit(await w.prepare(1));
    const lines = await committedLines();
    expect(lines.length).toBe(n);
    expect(lines[0]).toBe('item-0,0');
    expect(lines[n - 1]).toBe(`item-${n - 1},${n - 1}`);
    expect((await visible()).length).toBeGreaterThan(1);
  });

  it('abort deletes what was not committed', async () => {
    const w = open();
    await w.recover({});
    w.write([['a', 1n]], null);
    await w.commit(await w.prepare(1));
    w.write([['b', 2n]], null);
    await w.prepare(2);
    w.write([['c', 3n]], null);
    await w.abort();
    expect(await hidden()).toEqual([]);
    expect(await committedLines()).toEqual(['a,1']);
  });

  it('recovery commits the resumed checkpoint again, deletes the crashed run\'s in-progress files and numbers after existing files', async () => {
    const crashed = open();
    await crashed.recover({});
    crashed.write([['a', 1n]], null);
    const c1 = await crashed.prepare(1); // stored with checkpoint 1; the crash came before the rename
    crashed.write([['b', 2n]], null);
    await crashed.prepare(2); // checkpoint 2 never became durable
    crashed.write([['c', 3n]], null);
    expect(await visible()).toEqual([]);

    const w = open();
    await w.recover({ committed: c1 });
    expect(await hidden()).toEqual([]);
    expect(await committedLines()).toEqual(['a,1']);
    w.write([['b', 2n]], null);
    await w.commit(await w.prepare(2));
    expect(await committedLines()).toEqual(['a,1', 'b,2']);
    expect(await visible()).toEqual(['part-job-0001-0.csv', 'part-job-0001-1.csv']);

    // Another writer id in the same directory is left alone; a fresh writer numbers after the final files.
    await writeFile(path.join(dir, '.part-job-0002-0.csv.inprogress.x'), 'z,9\n');
    const again = open();
    await again.recover({});
    expect(await hidden()).toEqual(['.part-job-0002-0.csv.inprogress.x']);
    again.write([['c', 3n]], null);
    await again.commit(await again.prepare(1));
    expect(await visible()).toEqual(['part-job-0001-0.csv', 'part-job-0001-1.csv', 'part-job-0001-2.csv']);
  });

  it('recovery removes the output of a rolled-back checkpoint', async () => {
    const w = open();
    await w.recover({});
    w.write([['a', 1n]], null);
    await w.commit(await w.prepare(1));
    w.write([['b', 2n]], null);
    const c2 = await w.prepare(2);
    await w.commit(c2);
    const next = open();
    await next.recover({ rolledBack: c2 });
    expect(await committedLines()).toEqual(['a,1']);
  });

  it('refuses updating rows (planned only for insert-only output)', async () => {
    const w = open();
    await w.recover({});
    expect(() => w.write([['a', 1n]], new Uint8Array([1]))).toThrow(/updating row/);
    expect(filesystemSink.acceptsUpdates).toBe(false);
  });

  it('validates its options with 22023', () => {
    const v = (o: Record<string, string>) => code(() => filesystemSink.validate(COLUMNS, o));
    expect(v(options())).toBe('accepted');
    expect(v(options({ 'source.monitor-interval': '1 s', 'csv.field-delimiter': ';' }))).toBe('accepted');
    expect(v({ connector: 'filesystem', format: 'csv' })).toBe('22023');
    expect(v({ connector: 'filesystem', path: dir })).toBe('22023');
    expect(v(options({ format: 'avro' }))).toBe('22023');
    expect(v(options({ 'sink.rolling-policy.file-size': 'big' }))).toBe('22023');
    expect(v(options({ 'sink.partition-commit.policy.kind': 'success-file' }))).toBe('22023');
    expect(v(options({ path: 's3://bucket/out' }))).toBe('22023');
    expect(v(options({ 'json.fail-on-missing-field': 'true' }))).toBe('22023');
  });

  it('reads sizes and durations as Flink writes them', () => {
    expect(parseMemorySize('128MB', 'k')).toBe(128 * 1024 * 1024);
    expect(parseMemorySize('1 kb', 'k')).toBe(1024);
    expect(parseMemorySize('4096', 'k')).toBe(4096);
    expect(code(() => parseMemorySize('0', 'k'))).toBe('22023');
    expect(parseDuration('30 min', 'k')).toBe(1_800_000);
    expect(parseDuration('500 ms', 'k')).toBe(500);
    expect(parseDuration('10', 'k')).toBe(10_000);
    expect(code(() => parseDuration('soon', 'k'))).toBe('22023');
  });
});

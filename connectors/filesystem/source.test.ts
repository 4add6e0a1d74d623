import { mkdir, mkdtemp, rename, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ColumnDefinition } from '../../catalog/relation.ts';
import { INT, STRING, type Row, type SqlType } from '../../catalog/types.ts';
import { BATCH_SIZE, comparePaths, filesystemSource, parseDuration } from './source.ts';

function col(name: string, type: SqlType): ColumnDefinition {
  return { name, type, nullable: true, kind: 'physical' };
}

const COLUMNS = [col('id', INT), col('item', STRING)];
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'millrace-fs-source-'));
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

async function readAll(options: Record<string, string>, from = 0, signal = new AbortController().signal): Promise<Row[][]> {
  const batches: Row[][] = [];
  for await (const batch of filesystemSource.read(COLUMNS, { connector: 'filesystem', path: dir, format: 'csv', ...options }, signal, from)) batches.push(batch);
  return batches;
}

async function rows(options: Record<string, string> = {}, from = 0): Promise<Row[]> {
  return (await readAll(options, from)).flat();
}

describe('filesystem source: options', () => {
  it('validates path, format, monitor interval and unknown options with 22023', () => {
    const v = (options: Record<string, string>) => () => filesystemSource.validate(COLUMNS, { connector: 'filesystem', ...options });
    expect(v({ format: 'csv' })).toThrow(expect.objectContaining({ code: '22023', message: "option 'path' is required for connector 'filesystem'" }));
    expect(v({ path: '/x' })).toThrow(expect.objectContaining({ code: '22023', message: "option 'format' is required" }));
    expect(v({ path: '/x', format: 'csv', 'source.monitor-interval': 'soon' })).toThrow(expect.objectContaining({ code: '22023' }));
    expect(v({ path: '/x', format: 'csv', 'scan.startup.mode': 'x' })).toThrow(expect.objectContaining({ code: '22023', message: "unsupported option 'scan.startup.mode' for connector 'filesystem'" }));
    expect(v({ path: '/x', format: 'csv', 'csv.nope': 'x' })).toThrow(expect.objectContaining({ code: '22023' }));
    expect(v({ path: 's3://bucket/x', format: 'csv' })).toThrow(expect.objectContaining({ code: '0A000' }));
    expect(v({ path: 'file://host/x', format: 'csv' })).toThrow(expect.objectContaining({ code: '22023' }));
    // A path that does not exist is fine at CREATE TABLE; sink options are left to the sink.
    expect(v({ path: '/does/not/exist', format: 'json', 'sink.rolling-policy.file-size': '1MB' })).not.toThrow();
  });

  it('is bounded unless source.monitor-interval is set', () => {
    expect(filesystemSource.bounded(COLUMNS, { path: dir, format: 'csv' })).toBe(true);
    expect(filesystemSource.bounded(COLUMNS, { path: dir, format: 'csv', 'source.monitor-interval': '1 s' })).toBe(false);
  });

  it('parses Flink durations', () => {
    expect(parseDuration('k', '1 s')).toBe(1000);
    expect(parseDuration('k', '500 ms')).toBe(500);
    expect(parseDuration('k', '2min')).toBe(120_000);
    expect(parseDuration('k', '250')).toBe(250);
    expect(() => parseDuration('k', '0 s')).toThrow(/at least 1 ms/);
    expect(() => parseDuration('k', '1 fortnight')).toThrow(/invalid value/);
  });
});

describe('filesystem source: reading', () => {
  it('reads files recursively in path order (numbers as numbers), skipping hidden and _ names', async () => {
    await mkdir(join(dir, 'sub'));
    await writeFile(join(dir, 'part-10.csv'), '10,ten\n');
    await writeFile(join(dir, 'part-2.csv'), '2,two\n3,three\n');
    await writeFile(join(dir, 'sub', 'z.csv'), '20,sub\n');
    await writeFile(join(dir, '.part-3.csv.inprogress'), 'junk\n');
    await writeFile(join(dir, '_SUCCESS'), 'junk\n');
    await writeFile(join(dir, 'a.csv'), '\r\n1,one\r\n\r\n');
    expect(await rows()).toEqual([[1, 'one'], [2, 'two'], [3, 'three'], [10, 'ten'], [20, 'sub']]);
  });

  it('reads a single file named by path or file URI', async () => {
    await writeFile(join(dir, 'only.csv'), '\uFEFF1,a\n2,b');
    for (const path of [join(dir, 'only.csv'), `file://${join(dir, 'only.csv')}`, `file:${join(dir, 'only.csv')}`]) {
      const batches: Row[][] = [];
      for await (const b of filesystemSource.read(COLUMNS, { path, format: 'csv' }, new AbortController().signal)) batches.push(b);
      expect(batches.flat()).toEqual([[1, 'a'], [2, 'b']]);
    }
  });

  it('streams in batches', async () => {
    const n = BATCH_SIZE * 2 + 7;
    await writeFile(join(dir, 'big.csv'), Array.from({ length: n }, (_, i) => `${i},x`).join('\n') + '\n');
    const batches = await readAll({});
    expect(batches.map((b) => b.length)).toEqual([BATCH_SIZE, BATCH_SIZE, 7]);
    expect(batches.flat()[n - 1]).toEqual([n - 1, 'x']);
  });

  it('a position counts rows: comments, blank and skipped bad lines do not count', async () => {
    await writeFile(join(dir, 'a.csv'), '# header\n1,a\nbad line\n2,b\n');
    await writeFile(join(dir, 'b.csv'), '3,c\n\n4,d\n');
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const options = { 'csv.allow-comments': 'true', 'csv.ignore-parse-errors': 'true' };
    const all = await rows(options);
    expect(all).toEqual([[1, 'a'], [2, 'b'], [3, 'c'], [4, 'd']]);
    for (let p = 0; p <= all.length; p++) expect(await rows(options, p)).toEqual(all.slice(p));
  });

  it('a position skips rows without ignore-parse-errors too', async () => {
    await writeFile(join(dir, 'a.csv'), '# c\n1,a\n\n2,b\n');
    await writeFile(join(dir, 'b.csv'), '3,c\n4,d\n');
    const options = { 'csv.allow-comments': 'true' };
    const all = await rows(options);
    expect(all).toEqual([[1, 'a'], [2, 'b'], [3, 'c'], [4, 'd']]);
    for (let p = 0; p <= all.length + 1; p++) expect(await rows(options, p)).toEqual(all.slice(p));
  });

  it('a bad line fails the read with 22P02 naming file and line', async () => {
    await writeFile(join(dir, 'a.csv'), '1,a\n2,b,extra\n');
    await expect(rows()).rejects.toMatchObject({
      code: '22P02',
      message: `invalid csv line in file "${join(dir, 'a.csv')}" line 2: expected 2 fields, found 3`,
      hint: "Fix the line, or set 'csv.ignore-parse-errors' = 'true' to skip lines that cannot be read.",
    });
  });

  it('with ignore-parse-errors, bad lines are skipped and counted once per file in the server log', async () => {
    await writeFile(join(dir, 'a.json'), '{"id":1,"item":"a"}\n{"id":"x"}\nnot json\n{"id":2}\n');
    const log: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => (log.push(String(s)), true));
    const out = (await readAll({ format: 'json', 'json.ignore-parse-errors': 'true' })).flat();
    expect(out).toEqual([[1, 'a'], [2, null]]);
    expect(log).toEqual([
      `millrace: filesystem source: skipped 2 lines of file "${join(dir, 'a.json')}" that the json format could not read (json.ignore-parse-errors); first, line 2: field "id": invalid input syntax for type integer: "x"\n`,
    ]);
  });

  it('a bounded read of a missing path fails with 58P01', async () => {
    await expect(readAll({ path: join(dir, 'nope') })).rejects.toMatchObject({
      code: '58P01',
      message: `could not open file "${join(dir, 'nope')}" for reading: No such file or directory`,
    });
  });
});

describe('filesystem source: monitoring', () => {
  it('picks up new files, never rereads old ones, waits for a missing path, and stops on abort', async () => {
    const path = join(dir, 'watched');
    const ac = new AbortController();
    const got: Row[] = [];
    const reading = (async () => {
      for await (const b of filesystemSource.read(COLUMNS, { path, format: 'csv', 'source.monitor-interval': '20 ms' }, ac.signal)) got.push(...b);
    })();
    await new Promise((r) => setTimeout(r, 60));
    await mkdir(path);
    await writeFile(join(path, 'f-1.csv'), '1,a\n');
    await vi.waitFor(() => expect(got).toEqual([[1, 'a']]), { timeout: 2000 });
    await writeFile(join(path, 'f-2.csv'), '2,b\n3,c\n');
    await vi.waitFor(() => expect(got).toEqual([[1, 'a'], [2, 'b'], [3, 'c']]), { timeout: 2000 });
    await new Promise((r) => setTimeout(r, 80));
    expect(got).toHaveLength(3);
    const t = Date.now();
    ac.abort();
    await reading;
    expect(Date.now() - t).toBeLessThan(500);
  });

  it('restarted from a position, continues after the rows already delivered (new names sort last)', async () => {
    await writeFile(join(dir, 'f-1.csv'), '1,a\n2,b\n');
    const ac = new AbortController();
    const first: Row[] = [];
    for await (const b of filesystemSource.read(COLUMNS, { path: dir, format: 'csv', 'source.monitor-interval': '10 ms' }, ac.signal, 0)) {
      first.push(...b);
      if (first.length === 2) ac.abort();
    }
    await writeFile(join(dir, 'f-2.csv'), '3,c\n');
    const ac2 = new AbortController();
    const second: Row[] = [];
    for await (const b of filesystemSource.read(COLUMNS, { path: dir, format: 'csv', 'source.monitor-interval': '10 ms' }, ac2.signal, first.length)) {
      second.push(...b);
      ac2.abort();
    }
    expect([...first, ...second]).toEqual([[1, 'a'], [2, 'b'], [3, 'c']]);
  });
});

describe('filesystem source: monitored order', () => {
  it('a monitored read goes by modification time, a bounded one by path; a late old file is logged', async () => {
    await writeFile(join(dir, 'b.csv'), '1,b\n');
    await writeFile(join(dir, 'a.csv'), '2,a\n');
    await utimes(join(dir, 'b.csv'), new Date(1000), new Date(1_000_000));
    await utimes(join(dir, 'a.csv'), new Date(1000), new Date(2_000_000));
    expect(await rows()).toEqual([[2, 'a'], [1, 'b']]);
    const log: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => (log.push(String(s)), true));
    const ac = new AbortController();
    const got: Row[] = [];
    const reading = (async () => {
      for await (const b of filesystemSource.read(COLUMNS, { path: dir, format: 'csv', 'source.monitor-interval': '10 ms' }, ac.signal)) got.push(...b);
    })();
    await vi.waitFor(() => expect(got).toEqual([[1, 'b'], [2, 'a']]), { timeout: 2000 });
    expect(log).toEqual([]);
    // Moved in with an old time kept: read, and logged as out of order.
    await writeFile(join(dir, '.c.tmp'), '3,c\n');
    await utimes(join(dir, '.c.tmp'), new Date(1000), new Date(1_500_000));
    await rename(join(dir, '.c.tmp'), join(dir, 'c.csv'));
    await vi.waitFor(() => expect(got).toEqual([[1, 'b'], [2, 'a'], [3, 'c']]), { timeout: 2000 });
    ac.abort();
    await reading;
    expect(log).toHaveLength(1);
    expect(log[0]).toContain(`file "${join(dir, 'c.csv')}" appeared after "${join(dir, 'a.csv')}" but is older`);
    // A restart enumerates by modification time: c now comes before a.
    const restarted: Row[] = [];
    const ac2 = new AbortController();
    for await (const b of filesystemSource.read(COLUMNS, { path: dir, format: 'csv', 'source.monitor-interval': '10 ms' }, ac2.signal)) {
      restarted.push(...b);
      if (restarted.length === 3) ac2.abort();
    }
    expect(restarted).toEqual([[1, 'b'], [3, 'c'], [2, 'a']]);
  });
});

describe('comparePaths', () => {
  it('orders digit runs by value', () => {
    const names = ['p-10', 'p-2', 'p-1', 'p-01', 'a', 'p-2a', 'p-', 'b/1', 'a/10', 'a/9'];
    expect([...names].sort(comparePaths)).toEqual(['a', 'a/9', 'a/10', 'b/1', 'p-', 'p-01', 'p-1', 'p-2', 'p-2a', 'p-10']);
  });
});

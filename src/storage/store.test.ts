import { describe, it, expect, afterEach } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from './store.ts';
import { KeyPrefix, concernRange, metaKey, objectIdOf, objectKey, objectPrefix, prefixRange } from './key-space.ts';
import { SqlError } from '../errors.ts';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'millrace-store-'));
  dirs.push(d);
  return d;
}
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

const bytes = (...b: number[]) => new Uint8Array(b);

describe('key space', () => {
  it('builds object keys with big-endian ids and ranges that cover exactly the prefix', () => {
    const k = objectKey(KeyPrefix.TABLE_ROW, 16384, bytes(9, 9));
    expect([...k]).toEqual([KeyPrefix.TABLE_ROW, 0, 0, 0x40, 0, 9, 9]);
    expect(objectIdOf(k)).toBe(16384);
    const r = prefixRange(objectPrefix(KeyPrefix.TABLE_ROW, 16384));
    expect([...r.lt]).toEqual([KeyPrefix.TABLE_ROW, 0, 0, 0x40, 1]);
    expect([...prefixRange(bytes(1, 0xff, 0xff)).lt]).toEqual([2]);
    expect(() => prefixRange(bytes(0xff))).toThrow();
  });
});

describe('Store', () => {
  it('persists batches across close and reopen, and iterates in key order in batches', async () => {
    const dir = await tempDir();
    const store = await Store.open(dir);
    const ops = [];
    for (let i = 2999; i >= 0; i--) {
      ops.push({ type: 'put' as const, key: objectKey(KeyPrefix.STATE, 7, bytes(i >> 8, i & 0xff)), value: bytes(i & 0xff) });
    }
    await store.write(ops);
    await store.write([{ type: 'put', key: metaKey('x'), value: bytes(1) }]);
    await store.close();

    const again = await Store.open(dir);
    const sizes: number[] = [];
    const seen: number[] = [];
    for await (const batch of again.entries(prefixRange(objectPrefix(KeyPrefix.STATE, 7)))) {
      sizes.push(batch.length);
      for (const e of batch) seen.push((e.key[5]! << 8) | e.key[6]!);
    }
    expect(sizes).toEqual([1024, 1024, 952]);
    expect(seen).toEqual([...Array(3000).keys()]);
    expect(await again.count(concernRange(KeyPrefix.STATE))).toBe(3000);
    expect([...(await again.get(metaKey('x')))!]).toEqual([1]);
    expect(await again.get(metaKey('missing'))).toBeUndefined();
    const last = await again.lastKey(concernRange(KeyPrefix.STATE));
    expect(objectIdOf(last!)).toBe(7);
    expect(await again.lastKey(concernRange(KeyPrefix.JOB))).toBeUndefined();
    await again.clear(concernRange(KeyPrefix.STATE));
    expect(await again.count(concernRange(KeyPrefix.STATE))).toBe(0);
    await again.close();
  });

  it('supports reverse reads with a limit', async () => {
    const store = await Store.open(await tempDir());
    await store.write([1, 2, 3].map((i) => ({ type: 'put' as const, key: objectKey(KeyPrefix.JOB, 1, bytes(i)), value: bytes(i) })));
    const got: number[] = [];
    for await (const b of store.entries(concernRange(KeyPrefix.JOB), { reverse: true, limit: 2 })) for (const e of b) got.push(e.value[0]!);
    expect(got).toEqual([3, 2]);
    await store.close();
  });

  it('refuses a data directory another open store holds, naming the directory', async () => {
    const dir = await tempDir();
    const first = await Store.open(dir);
    const err = await Store.open(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SqlError);
    expect((err as SqlError).message).toContain('in use by another running millrace server');
    expect((err as SqlError).message).toContain(dir);
    await first.close();
    const second = await Store.open(dir);
    await second.close();
  });

  it('creates missing parent directories', async () => {
    const dir = join(await tempDir(), 'a', 'b');
    const store = await Store.open(dir);
    await store.close();
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KeyPrefix, objectKey } from '../storage/key-space.ts';
import { Store, type WriteOp } from '../storage/store.ts';
import { readUndo, rollbackOps, undoOps, undoReads, type WrittenState } from './checkpoint-undo.ts';

const OWNER = 42;
const enc = new TextEncoder();
const key = (name: string): Uint8Array => objectKey(KeyPrefix.STATE, OWNER, enc.encode(`t\0${name}`));
const val = (s: string): Uint8Array => enc.encode(s);

let dir: string;
let store: Store;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'millrace-undo-'));
  store = await Store.open(dir);
});

afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

/** The state keys and their values under OWNER, as strings. */
async function state(): Promise<[string, string][]> {
  const out: [string, string][] = [];
  for await (const batch of store.entries({ gte: objectKey(KeyPrefix.STATE, OWNER, new Uint8Array(0)), lt: objectKey(KeyPrefix.STATE, OWNER + 1, new Uint8Array(0)) })) {
    for (const e of batch) out.push([Buffer.from(e.key.subarray(7)).toString(), Buffer.from(e.value).toString()]);
  }
  return out;
}

describe('undoOps', () => {
  it('reads only the old values neither the previous checkpoint nor the tables know, and the undo restores them', async () => {
    await store.write([
      { type: 'put', key: key('a'), value: val('A0') },
      { type: 'put', key: key('b'), value: val('B0') },
      { type: 'put', key: key('c'), value: val('C0') },
    ]);
    const before = await state();
    const previous: WrittenState = new Map([[Buffer.from(key('c')).toString('latin1'), val('C0')]]);
    const ops: WriteOp[] = [
      { type: 'put', key: key('a'), value: val('A1') }, // the table knows its bytes
      { type: 'del', key: key('b') }, // unknown: read
      { type: 'put', key: key('c'), value: val('C1') }, // the previous checkpoint wrote it
      { type: 'put', key: key('n'), value: val('N1') }, // never stored
      { type: 'del', key: key('d') }, // a delete then a put of one key: the first decides
      { type: 'put', key: key('d'), value: val('D1') },
    ];
    const many = vi.spyOn(store, 'getMany');
    const reads0 = undoReads.keys;
    const { ops: undo, written } = await undoOps(store, OWNER, 7, ops, previous, [val('A0'), undefined, undefined, null, null, undefined]);
    expect(many).toHaveBeenCalledTimes(1);
    expect(many.mock.calls[0]![0].map((k) => Buffer.from(k).toString('latin1'))).toEqual([Buffer.from(key('b')).toString('latin1')]);
    expect(undoReads.keys - reads0).toBe(1);
    many.mockRestore();
    expect(written.size).toBe(5);
    await store.write([...ops, ...undo]);
    const entries = await readUndo(store, OWNER);
    expect(entries.every((e) => e.checkpoint === 7)).toBe(true);
    await store.write(rollbackOps(entries));
    expect(await state()).toEqual(before);
    expect(await readUndo(store, OWNER)).toEqual([]);
  });

  it('reads everything when the tables know nothing', async () => {
    await store.write([{ type: 'put', key: key('a'), value: val('A0') }]);
    const ops: WriteOp[] = [
      { type: 'put', key: key('a'), value: val('A1') },
      { type: 'put', key: key('z'), value: val('Z1') },
    ];
    const reads0 = undoReads.keys;
    const { ops: undo } = await undoOps(store, OWNER, 3, ops, new Map());
    expect(undoReads.keys - reads0).toBe(2);
    await store.write([...ops, ...undo]);
    await store.write(rollbackOps(await readUndo(store, OWNER)));
    expect(await state()).toEqual([['a', 'A0']]);
  });
});

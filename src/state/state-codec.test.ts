import { describe, expect, it } from 'vitest';
import type { Value } from '../../catalog/types.ts';
import { InternalError } from '../errors.ts';
import { ByteReader } from '../values/byte-reader.ts';
import { ByteWriter } from '../values/byte-writer.ts';
import { decodeStateValue, encodeStateValue, readStateValue, stateValueCodec, writeStateValue, type StateValue } from './state-codec.ts';

function roundTrip(v: StateValue): StateValue {
  return decodeStateValue(encodeStateValue(v));
}

describe('state codec', () => {
  it('round-trips scalars', () => {
    for (const v of [null, true, false, '', 'héllo ✓ 𝄞', 'x'.repeat(5000)]) expect(roundTrip(v)).toBe(v);
    const numbers = [
      0, 1, -1, 63, 64, -64, -65, 127, 128, 300, -300, 2 ** 31 - 1, 2 ** 31, 2 ** 32, -(2 ** 32), 2 ** 52 - 1,
      -(2 ** 52) + 1, 2 ** 52, 2 ** 53, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 1.5, -0.25, 1e300,
      Number.MIN_VALUE, Number.MAX_VALUE, Infinity, -Infinity,
    ];
    for (const n of numbers) expect(Object.is(roundTrip(n), n)).toBe(true);
    expect(Object.is(roundTrip(-0), -0)).toBe(true);
    expect(Number.isNaN(roundTrip(NaN))).toBe(true);
  });

  it('keeps NaN bits exactly', () => {
    const bytes = new Uint8Array([0x7f, 0xf8, 0, 0, 0, 0, 0x12, 0x34]);
    const nan = new DataView(bytes.buffer).getFloat64(0);
    const back = roundTrip(nan) as number;
    const out = new DataView(new ArrayBuffer(8));
    out.setFloat64(0, back);
    expect(new Uint8Array(out.buffer)).toEqual(bytes);
  });

  it('round-trips bigints of any size', () => {
    const values = [0n, 1n, -1n, 255n, 256n, -256n, 2n ** 52n - 1n, 2n ** 52n, -(2n ** 52n), 2n ** 63n - 1n, -(2n ** 63n),
      2n ** 64n, 0xabcn << 100n, -(10n ** 400n) - 7n, 3n ** 1000n];
    for (const b of values) {
      const back = roundTrip(b);
      expect(typeof back).toBe('bigint');
      expect(back).toBe(b);
    }
    expect(roundTrip(1n)).not.toBe(1);
  });

  it('round-trips bytes, arrays, maps and objects, nested', () => {
    const bytes = new Uint8Array([0, 1, 255, 128]);
    expect(roundTrip(bytes)).toEqual(bytes);
    expect(roundTrip(Buffer.from([1, 2]))).toEqual(new Uint8Array([1, 2]));
    expect(roundTrip(new Uint8Array(0))).toEqual(new Uint8Array(0));
    const tree: StateValue = {
      count: 3,
      sum: 12345678901234567890n,
      rows: [[1, 'a', null], [2, 'b', new Uint8Array([9])], []],
      tags: new Map<Value, Value>([
        ['k', 1],
        [2n, [true, -0]],
        [null, new Map([[1, 2]])],
      ]),
      nested: { deeper: { list: [{ x: 1.25 }, { y: NaN }] }, empty: {} },
      '': 'empty name',
      '1': 'integer-like name',
    };
    const back = roundTrip(tree) as Record<string, StateValue>;
    expect(back).toEqual(tree);
    expect(Object.keys(back)).toEqual(Object.keys(tree));
    const tags = back['tags'] as Map<unknown, unknown>;
    expect(tags).toBeInstanceOf(Map);
    expect([...tags.keys()]).toEqual(['k', 2n, null]);
    expect(Object.is((tags.get(2n) as unknown[])[1], -0)).toBe(true);
  });

  it('keeps a __proto__ field as data', () => {
    const v = JSON.parse('{"__proto__": 5, "a": 1}') as StateValue;
    const back = roundTrip(v) as Record<string, StateValue>;
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.keys(back)).toEqual(['__proto__', 'a']);
    expect(Object.getOwnPropertyDescriptor(back, '__proto__')?.value).toBe(5);
  });

  it('accepts null-prototype objects', () => {
    const o = Object.create(null) as Record<string, StateValue>;
    o['a'] = [1];
    expect(roundTrip(o)).toEqual({ a: [1] });
  });

  it('rejects what is not state', () => {
    class Acc {
      n = 1;
    }
    const bad: unknown[] = [undefined, () => 1, Symbol('s'), new Acc(), new Date(0), new Set([1]), new Int32Array(2), [1, undefined], { a: undefined }];
    for (const b of bad) expect(() => encodeStateValue(b as StateValue), String(b)).toThrow(InternalError);
    expect(() => encodeStateValue([1, , 3] as StateValue)).toThrow(InternalError);
  });

  it('is compact', () => {
    expect(encodeStateValue(null).length).toBe(1);
    expect(encodeStateValue(5).length).toBe(2);
    expect(encodeStateValue(5n).length).toBe(2);
    expect(encodeStateValue('ab').length).toBe(4);
    expect(encodeStateValue([1, 2, 3]).length).toBe(8);
    expect(encodeStateValue({ a: 1 }).length).toBe(6);
  });

  it('rejects trailing bytes, truncation and unknown tags', () => {
    const b = encodeStateValue([1, 'abc']);
    expect(() => decodeStateValue(b.subarray(0, b.length - 1))).toThrow(InternalError);
    const longer = new Uint8Array(b.length + 1);
    longer.set(b);
    expect(() => decodeStateValue(longer)).toThrow(InternalError);
    expect(() => decodeStateValue(new Uint8Array([200]))).toThrow(InternalError);
  });

  it('composes with a shared writer and reader', () => {
    const w = new ByteWriter(4);
    writeStateValue(w, 'first');
    writeStateValue(w, { second: [2n] });
    const r = new ByteReader(w.finish());
    expect(readStateValue(r)).toBe('first');
    expect(readStateValue(r)).toEqual({ second: [2n] });
    expect(r.done).toBe(true);
    expect(stateValueCodec.decode(stateValueCodec.encode([1, 2]))).toEqual([1, 2]);
  });

  it('round-trips random trees', () => {
    let seed = 12345;
    const rand = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const gen = (depth: number): StateValue => {
      const k = Math.floor(rand() * (depth > 3 ? 7 : 10));
      switch (k) {
        case 0: return null;
        case 1: return rand() < 0.5;
        case 2: return Math.floor((rand() - 0.5) * 2 ** (rand() * 60));
        case 3: return (rand() - 0.5) * 1e10;
        case 4: return BigInt(Math.floor(rand() * 1e15)) ** BigInt(1 + Math.floor(rand() * 5)) * (rand() < 0.5 ? -1n : 1n);
        case 5: return String.fromCharCode(...Array.from({ length: Math.floor(rand() * 8) }, () => Math.floor(rand() * 0xd000)));
        case 6: return new Uint8Array(Array.from({ length: Math.floor(rand() * 5) }, () => Math.floor(rand() * 256)));
        case 7: return Array.from({ length: Math.floor(rand() * 4) }, () => gen(depth + 1));
        case 8: return Object.fromEntries(Array.from({ length: Math.floor(rand() * 4) }, (_, i) => ['f' + i, gen(depth + 1)]));
        default: return new Map(Array.from({ length: Math.floor(rand() * 3) }, (_, i) => [i, gen(depth + 1) as Value]));
      }
    };
    for (let i = 0; i < 500; i++) {
      const v = gen(0);
      expect(roundTrip(v)).toEqual(v);
    }
  });
});

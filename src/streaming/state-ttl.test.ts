import { describe, expect, it } from 'vitest';
import { parseTtlMs, TtlTracker, ttlTracker, type TtlSlot } from './state-ttl.ts';

const key = (n: number) => new Uint8Array([n]);

describe('TtlTracker', () => {
  it('expires a key TTL after its last write, not before', () => {
    let now = 0;
    const t = new TtlTracker(100, () => now);
    const expired: number[] = [];
    const onExpire = (s: TtlSlot) => expired.push(s.key[0]!);
    t.written(key(1), 0);
    t.written(key(2), 10);
    t.written(key(1), 50);
    now = 99;
    expect(t.expired(key(1), now)).toBe(false);
    t.expire(now, onExpire);
    expect(expired).toEqual([]);
    now = 110;
    expect(t.expired(key(2), now)).toBe(true);
    expect(t.expired(key(1), now)).toBe(false);
    t.expire(now, onExpire);
    expect(expired).toEqual([2]);
    expect(t.size).toBe(1);
    now = 150;
    t.expire(now, onExpire);
    expect(expired).toEqual([2, 1]);
    expect(t.size).toBe(0);
  });

  it('forgets deleted keys, and registers unknown (restored) keys as written when read', () => {
    const t = new TtlTracker(100);
    const expired: number[] = [];
    t.written(key(1), 0);
    t.forget(key(1));
    expect(t.expired(key(3), 50)).toBe(false);
    expect(t.slot(key(3))?.complete).toBe(false);
    t.expire(200, (s) => expired.push(s.key[0]!));
    expect(expired).toEqual([3]);
  });

  it('keeps one queue entry per key however often it is written', () => {
    const t = new TtlTracker(10);
    let n = 0;
    for (let i = 0; i < 10_000; i++) {
      t.written(key(i % 3), i);
      t.expire(i, () => n++);
    }
    expect(n).toBe(0);
    t.expire(20_000, () => n++);
    expect(n).toBe(3);
  });

  it('is not built for TTL 0', () => {
    expect(ttlTracker(undefined)).toBeNull();
    expect(ttlTracker({ ttlMs: 0 })).toBeNull();
    expect(ttlTracker({ ttlMs: 5 })).toBeInstanceOf(TtlTracker);
  });
});

describe('parseTtlMs', () => {
  it('reads Flink durations', () => {
    expect(parseTtlMs('1 h')).toBe(3_600_000);
    expect(parseTtlMs('500 ms')).toBe(500);
    expect(parseTtlMs('10 s')).toBe(10_000);
    expect(parseTtlMs('2 min')).toBe(120_000);
    expect(parseTtlMs('1 d')).toBe(86_400_000);
    expect(parseTtlMs('1500')).toBe(1500);
    expect(parseTtlMs('0 ms')).toBe(0);
    expect(parseTtlMs('3hours')).toBe(10_800_000);
  });

  it('refuses the unreadable', () => {
    expect(parseTtlMs('soon')).toBeUndefined();
    expect(parseTtlMs('1 fortnight')).toBeUndefined();
    expect(parseTtlMs('1 constructor')).toBeUndefined();
    expect(parseTtlMs('-5 s')).toBeUndefined();
  });
});

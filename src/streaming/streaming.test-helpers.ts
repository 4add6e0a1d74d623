/** Shared by the streaming property tests: seeded random numbers and an order-free form of a result. */
import type { Row } from '../../catalog/types.ts';

/** Deterministic pseudo-random integers in [0, n) from a seed (mulberry32). */
export function prng(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

/** The rows as sorted JSON lines (bigints marked), so two results compare as multisets. */
export function canon(rows: readonly Row[]): string[] {
  return rows.map((r) => JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))).sort();
}

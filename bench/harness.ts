/**
 * What every benchmark shares: running SQL through the in-process Session
 * API, taking the best of a few timings, and printing one line per scenario.
 */

export const REPEAT = 5;

/** Runs every statement of `sql` and drains its cursor; returns the rows of all statements. */
export { runSql } from '../tests/harness/session-sql.ts';

/** Best of `repeat` timings in milliseconds (the least disturbed run). */
export async function best(fn: () => Promise<unknown> | unknown, repeat = REPEAT): Promise<number> {
  let min = Infinity;
  for (let i = 0; i < repeat; i++) {
    const t0 = performance.now();
    await fn();
    min = Math.min(min, performance.now() - t0);
  }
  return min;
}

/**
 * Best timings of `a` and `b`, run alternately `repeat` times each, so that a
 * burst of load on a shared machine disturbs both sides of a ratio alike.
 */
export async function bestOfPair(
  a: () => Promise<unknown> | unknown,
  b: () => Promise<unknown> | unknown,
  repeat = REPEAT,
): Promise<[number, number]> {
  let minA = Infinity;
  let minB = Infinity;
  for (let i = 0; i < repeat; i++) {
    minA = Math.min(minA, await best(a, 1));
    minB = Math.min(minB, await best(b, 1));
  }
  return [minA, minB];
}

/** One line: engine and hand-loop throughput over `count` units, and their ratio. */
export function report(name: string, count: number, engineMs: number, handMs: number, unit = 'rows'): void {
  const rate = (ms: number) => Math.round((count / ms) * 1000).toLocaleString('en-US');
  const ratio = (handMs / engineMs).toFixed(3);
  process.stdout.write(
    `${name.padEnd(34)} engine ${rate(engineMs).padStart(12)} ${unit}/s   hand loop ${rate(handMs).padStart(12)} ${unit}/s   engine/hand ${ratio}\n`,
  );
}

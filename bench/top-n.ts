/**
 * Streaming Top-N benchmark: the 3 highest-priced events per key,
 *
 *   SELECT k, id, price, rn FROM (SELECT id, k, price,
 *     ROW_NUMBER() OVER (PARTITION BY k ORDER BY price DESC) AS rn FROM events) WHERE rn <= 3
 *
 * run as `SUBSCRIBE TO (query)` over the bench events (bench-events.ts),
 * against a hand-written loop computing the same change rows from the same
 * in-memory events. The hand loop follows the engine's contract
 * (src/streaming/rank-top-n.ts), not a shortcut of it: per key the best 3 rows
 * in price order, a new row after the rows it ties with; an arrival at rank p
 * emits, for every rank from p to 3 that held a row, -U (old row, rank) and
 * +U (new row, rank), and +I for a rank that was empty. The input is
 * append-only, so rows pushed past rank 3 are forgotten.
 *
 * The engine's and the hand loop's change rows must agree (streaming.ts
 * `changeChecksum`), so a broken query cannot report a fast, empty run.
 */
import type { Row } from '../catalog/types.ts';
import type { Session } from '../src/session/api.ts';
import { ID, K, PRICE } from './bench-events.ts';
import { bestOfPair, report, runSql } from './harness.ts';
import { changeChecksum, type StreamingScenario } from './streaming.ts';

const N = 3;

export const topNScenario: StreamingScenario = {
  name: 'Top-3 per key (ROW_NUMBER)',
  sql: `SELECT k, id, price, rn FROM (SELECT id, k, price, ROW_NUMBER() OVER (PARTITION BY k ORDER BY price DESC) AS rn FROM events) WHERE rn <= ${N}`,
  hand(batches) {
    const out: Row[] = [];
    /** Per key: its best rows (at most N), highest price first. */
    const tops = new Map<number, Row[]>();
    for (const batch of batches) {
      for (let i = 0; i < batch.length; i++) {
        const r = batch[i]!;
        const k = r[K] as number;
        const price = r[PRICE] as number;
        let top = tops.get(k);
        if (top === undefined) {
          top = [];
          tops.set(k, top);
        }
        let p = 0;
        while (p < top.length && (top[p]![PRICE] as number) >= price) p++;
        if (p >= N) continue;
        const before = top.length;
        top.splice(p, 0, r);
        for (let rank = p; rank < Math.min(top.length, N); rank++) {
          const now = top[rank]!;
          const rn = BigInt(rank + 1);
          if (rank < before) {
            const old = top[rank + 1]!;
            out.push(['-U', k, old[ID]!, old[PRICE]!, rn]);
            out.push(['+U', k, now[ID]!, now[PRICE]!, rn]);
          } else out.push(['+I', k, now[ID]!, now[PRICE]!, rn]);
        }
        if (top.length > N) top.length = N;
      }
    }
    return out;
  },
};

/** Runs the Top-N scenario over the `events` table (already created on the session) and prints its line. */
export async function runTopNBenchmark(session: Session, batches: readonly Row[][], events: number): Promise<void> {
  let engineRows: Row[] = [];
  let handRows: Row[] = [];
  const [engineMs, handMs] = await bestOfPair(
    async () => {
      engineRows = await runSql(session, `SUBSCRIBE TO (${topNScenario.sql})`);
    },
    () => {
      handRows = topNScenario.hand(batches);
    },
  );
  const engineSum = changeChecksum(engineRows);
  const handSum = changeChecksum(handRows);
  if (engineSum !== handSum) {
    throw new Error(`${topNScenario.name}: engine and hand loop disagree\n  engine: ${engineSum}\n  hand:   ${handSum}`);
  }
  report(topNScenario.name, events, engineMs, handMs, 'events');
}

/**
 * One streaming scenario in a loop, for a CPU profile of the engine alone:
 *
 *   MILLRACE_BENCH_SCENARIO='tumbling window COUNT' MILLRACE_BENCH_ROWS=200000 \
 *     node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/profile-streaming.ts
 *
 * MILLRACE_BENCH_SCENARIO picks the first scenario whose name contains it;
 * MILLRACE_BENCH_RUNS sets how many times it runs. Then
 * `npx tsx bench/cpuprofile-top.ts /tmp/prof/<file> deliver` lists where the
 * dataflow's time went.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Database } from '../src/database.ts';
import { benchEventsConnector, EVENTS_DDL, generateEvents } from './bench-events.ts';
import { runSql } from './harness.ts';
import { streamingScenarios } from './streaming.ts';

const ROWS = Number(process.env['MILLRACE_BENCH_ROWS'] ?? 200_000);
const RUNS = Number(process.env['MILLRACE_BENCH_RUNS'] ?? 5);
const wanted = process.env['MILLRACE_BENCH_SCENARIO'] ?? 'tumbling window COUNT';

async function main(): Promise<void> {
  const scenario = streamingScenarios.find((s) => s.name.includes(wanted));
  if (scenario === undefined) throw new Error(`no streaming scenario matches '${wanted}'`);
  const events = generateEvents(ROWS);
  const connector = benchEventsConnector(events);
  const dir = await mkdtemp(path.join(tmpdir(), 'millrace-profile-'));
  const db = await Database.open(dir, new Map([[connector.name, connector]]));
  try {
    const session = db.openSession(new Map([['user', 'bench'], ['database', 'millrace']]));
    await runSql(session, EVENTS_DDL);
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      const rows = await runSql(session, `SUBSCRIBE TO (${scenario.sql})`);
      const ms = performance.now() - t0;
      process.stdout.write(`${scenario.name}: ${rows.length} change rows, ${Math.round((ROWS / ms) * 1000).toLocaleString('en-US')} events/s\n`);
    }
    session.close();
  } finally {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`profile failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});

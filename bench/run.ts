/**
 * `npm run bench`: throughput of the SQL engine against a hand-written loop
 * over the same data, measured in the same run so the ratio is meaningful on
 * a shared, noisy machine. Prints one line per scenario.
 *
 * Batch scenarios query a stored table; streaming scenarios (streaming.ts,
 * and the Top-N of top-n.ts) run continuous queries over generated events
 * (bench-events.ts).
 *
 * The engine runs in-process through the same Session API the Postgres
 * protocol layer uses (parse, bind, optimize, compile, run), without the
 * network, so the figures measure the engine itself.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Database } from '../src/database.ts';
import { builtinConnectors } from '../connectors/index.ts';
import { benchEventsConnector, EVENTS_DDL, generateEvents, KEYS as EVENT_KEYS } from './bench-events.ts';
import { best, report, runSql as run } from './harness.ts';
import { runStreamingBenchmarks } from './streaming.ts';
import { runTopNBenchmark } from './top-n.ts';
import { runCheckpointBenchmarks } from './checkpoints.ts';

const ROWS = Number(process.env['MILLRACE_BENCH_ROWS'] ?? 200_000);
const KEYS = 1000;

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'millrace-bench-'));
  // Generated once, outside every timed region; the bench-only connector serves them.
  const events = generateEvents(ROWS);
  const eventsConnector = benchEventsConnector(events);
  const db = await Database.open(dir, new Map([...builtinConnectors, [eventsConnector.name, eventsConnector]]));
  try {
    const session = db.openSession(new Map([['user', 'bench'], ['database', 'millrace']]));
    await run(session, 'CREATE TABLE bids (id BIGINT, item INT, price DOUBLE, bidder VARCHAR(20))');

    // The same rows, once in the table and once in memory for the hand loop.
    const data: { id: number; item: number; price: number; bidder: string }[] = [];
    for (let i = 0; i < ROWS; i++) data.push({ id: i, item: (i * 7919) % KEYS, price: (i % 997) * 1.25, bidder: `b${i % 50}` });
    const t0 = performance.now();
    for (let i = 0; i < ROWS; i += 2000) {
      const values = data
        .slice(i, i + 2000)
        .map((r) => `(${r.id}, ${r.item}, ${r.price}, '${r.bidder}')`)
        .join(',');
      await run(session, `INSERT INTO bids VALUES ${values}`);
    }
    const loadMs = performance.now() - t0;
    process.stdout.write(`rows: ${ROWS}; INSERT ... VALUES load: ${Math.round((ROWS / loadMs) * 1000).toLocaleString('en-US')} rows/s\n`);

    const filterEngine = await best(() => run(session, 'SELECT id, price * 2 FROM bids WHERE item < 100'));
    const filterHand = await best(() => {
      const out: [number, number][] = [];
      for (const r of data) if (r.item < 100) out.push([r.id, r.price * 2]);
      return out;
    });
    report('filter + project', ROWS, filterEngine, filterHand);

    const aggEngine = await best(() => run(session, 'SELECT item, COUNT(*), SUM(price), MAX(bidder) FROM bids GROUP BY item'));
    const aggHand = await best(() => {
      const groups = new Map<number, { n: number; sum: number; max: string }>();
      for (const r of data) {
        const g = groups.get(r.item);
        if (g === undefined) groups.set(r.item, { n: 1, sum: r.price, max: r.bidder });
        else {
          g.n++;
          g.sum += r.price;
          if (r.bidder > g.max) g.max = r.bidder;
        }
      }
      return groups;
    });
    report('group by aggregate', ROWS, aggEngine, aggHand);

    const sortEngine = await best(() => run(session, 'SELECT id, price FROM bids ORDER BY price DESC, id LIMIT 10'));
    const sortHand = await best(() =>
      data
        .map((r) => [r.id, r.price] as const)
        .sort((a, b) => b[1] - a[1] || a[0] - b[0])
        .slice(0, 10),
    );
    report('order by + limit (top 10)', ROWS, sortEngine, sortHand);

    const n = 2000;
    const pointEngine = await best(async () => {
      for (let i = 0; i < n; i++) await run(session, `SELECT ${i} + 1`);
    });
    const pointHand = await best(() => {
      let s = 0;
      for (let i = 0; i < n; i++) s += i + 1;
      return s;
    });
    process.stdout.write(
      `${'statement latency (SELECT i + 1)'.padEnd(34)} ${((pointEngine / n) * 1000).toFixed(1)} µs per statement (parse, plan, run; hand loop ${((pointHand / n) * 1e6).toFixed(1)} ns)\n`,
    );

    await run(session, EVENTS_DDL);
    process.stdout.write(`streaming: ${ROWS} events over ${EVENT_KEYS.toLocaleString('en-US')} keys, SUBSCRIBE TO (query) drained to its end\n`);
    await runStreamingBenchmarks(session, events, ROWS);
    await runTopNBenchmark(session, events, ROWS);
    session.close();
  } finally {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  }
  process.stdout.write('durable state: materialized views with state in LevelDB\n');
  await runCheckpointBenchmarks();
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});

/**
 * Durable state benchmarks (`npm run bench` runs them after the others):
 *
 * - checkpoint overhead: a windowed aggregation kept by a materialized view
 *   over the bench events, with a checkpoint every second vs with periodic
 *   checkpoints off (only the final one), in the same run; each side keeps
 *   its best of alternating runs. Goal: >= 0.9 of the throughput without.
 * - recovery: a view holding a large unwindowed aggregation (one group per
 *   key, MILLRACE_BENCH_STATE_KEYS keys; 1.6M make about 1 GB) is
 *   checkpointed, the database closed, and the time to open it again (the
 *   view restored and running) and then to answer its first SELECT are
 *   measured (wall and CPU), with the bytes of state on disk. Goal: under
 *   10 s for about 1 GB of state.
 */
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Row } from '../catalog/types.ts';
import { Database, DEFAULT_CHECKPOINT_INTERVAL_MS } from '../src/database.ts';
import type { SourceConnector } from '../src/connectors/source-connector.ts';
import { benchEventsConnector, EVENTS_DDL, generateEvents } from './bench-events.ts';
import { runSql } from './harness.ts';
import { KeyPrefix, objectPrefix, prefixRange } from '../src/storage/key-space.ts';
import { undoReads } from '../src/jobs/checkpoint-undo.ts';

const WINDOWED =
  "CREATE MATERIALIZED VIEW w AS SELECT window_start, k, COUNT(*) AS n, SUM(price) AS total FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '1' SECOND)) GROUP BY window_start, window_end, k";

function rate(n: number, ms: number): string {
  return Math.round((n / ms) * 1000).toLocaleString('en-US');
}

async function withDatabase<T>(connector: SourceConnector, intervalMs: number, fn: (db: Database, dir: string) => Promise<T>, dir?: string): Promise<T> {
  const own = dir === undefined;
  const d = dir ?? (await mkdtemp(path.join(tmpdir(), 'millrace-bench-cp-')));
  const db = await Database.open(d, new Map([[connector.name, connector]]), { checkpointIntervalMs: intervalMs });
  try {
    return await fn(db, d);
  } finally {
    await db.close();
    if (own) await rm(d, { recursive: true, force: true });
  }
}

/** Milliseconds from CREATE MATERIALIZED VIEW until the view has consumed its bounded input and taken its final checkpoint. */
async function timeView(connector: SourceConnector, intervalMs: number, create: string): Promise<{ ms: number; checkpoints: number }> {
  return withDatabase(connector, intervalMs, async (db) => {
    const s = db.openSession(new Map([['user', 'bench'], ['database', 'millrace']]));
    await runSql(s, EVENTS_DDL);
    const t0 = performance.now();
    await runSql(s, create);
    const id = db.catalog.lookup(['w'])!.id;
    for (;;) {
      const done = db.checkpoints.list().some((c) => c.dataflow === `mv-${id}` && c.kind === 'final' && c.status === 'COMPLETED');
      if (done) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    const ms = performance.now() - t0;
    const checkpoints = db.checkpoints.list().filter((c) => c.dataflow === `mv-${id}` && c.kind === 'checkpoint').length;
    s.close();
    return { ms, checkpoints };
  });
}

export async function runCheckpointBenchmarks(): Promise<void> {
  await runCheckpointOverheadBenchmark();
  await runRecoveryBenchmark();
}

/** The checkpoint overhead scenario alone (`npx tsx bench/checkpoints.ts overhead`). */
export async function runCheckpointOverheadBenchmark(): Promise<void> {
  const events = Number(process.env['MILLRACE_BENCH_CHECKPOINT_ROWS'] ?? 2_000_000);
  const batches: Row[][] = generateEvents(events);
  const connector = benchEventsConnector(batches);
  let withCp = Infinity;
  let withoutCp = Infinity;
  let taken = 0;
  let reads = 0;
  for (let i = 0; i < 3; i++) {
    const reads0 = undoReads.keys;
    const a = await timeView(connector, 1000, WINDOWED);
    if (a.ms < withCp) {
      withCp = a.ms;
      taken = a.checkpoints;
      reads = undoReads.keys - reads0;
    }
    withoutCp = Math.min(withoutCp, (await timeView(connector, 0, WINDOWED)).ms);
  }
  process.stdout.write(
    `${'windowed aggregation, checkpoints'.padEnd(38)} every 1 s ${rate(events, withCp).padStart(11)} events/s   off ${rate(events, withoutCp).padStart(11)}   with/without ${(withoutCp / withCp).toFixed(3)}  (${taken} checkpoints, ${reads.toLocaleString('en-US')} old values read for their undo; goal >= 0.9)\n`,
  );
}

/** The bounded source of the recovery scenario: `keys` rows (id, label, amount), one group each. */
function keyedConnector(keys: number): SourceConnector {
  const rows: Row[][] = [];
  for (let i = 0; i < keys; i += 4096) {
    const batch: Row[] = [];
    for (let j = i; j < Math.min(keys, i + 4096); j++) batch.push([BigInt(j), `key-${j}-${'x'.repeat(40)}`, j * 1.5]);
    rows.push(batch);
  }
  return {
    name: 'bench-keys',
    validate() {},
    bounded: () => true,
    async *read(_columns, _options, _signal, from = 0) {
      let skipped = 0;
      for (const b of rows) {
        if (skipped + b.length <= from) {
          skipped += b.length;
          continue;
        }
        yield b.slice(Math.max(0, from - skipped));
        skipped += b.length;
      }
    },
  };
}

async function dirBytes(dir: string): Promise<number> {
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) total += await dirBytes(p);
    else if (e.isFile()) total += (await stat(p)).size;
  }
  return total;
}

/**
 * Recovery: a view with one group per key (MILLRACE_BENCH_STATE_KEYS) is
 * built with periodic checkpoints, the database closed and opened again;
 * prints the state's bytes (keys + values, and the LevelDB files), the time
 * until `Database.open` returns (every view restored and processing) and
 * until its first SELECT answers. MILLRACE_BENCH_RECOVERY_DIR keeps the
 * built directory (and reuses it when it already holds one);
 * MILLRACE_BENCH_RECOVERY_RUNS reopens it that many times.
 */
export async function runRecoveryBenchmark(): Promise<void> {
  const keys = Number(process.env['MILLRACE_BENCH_STATE_KEYS'] ?? 1_000_000);
  const runs = Number(process.env['MILLRACE_BENCH_RECOVERY_RUNS'] ?? 1);
  const kept = process.env['MILLRACE_BENCH_RECOVERY_DIR'];
  const big = keyedConnector(keys);
  let dir: string;
  let reuse = false;
  if (kept !== undefined) {
    dir = path.resolve(kept);
    reuse = await stat(path.join(dir, 'db', 'CURRENT')).then(
      () => true,
      () => false,
    );
  } else {
    dir = await mkdtemp(path.join(tmpdir(), 'millrace-bench-recover-'));
  }
  try {
    let buildMs = 0;
    if (!reuse) {
      const buildStart = performance.now();
      // Built with the default checkpoint interval, as a running server would be.
      await withDatabase(
        big,
        DEFAULT_CHECKPOINT_INTERVAL_MS,
        async (db) => {
          const s = db.openSession(new Map([['user', 'bench'], ['database', 'millrace']]));
          await runSql(s, "CREATE TABLE keyed (id BIGINT, label VARCHAR(60), amount DOUBLE) WITH ('connector' = 'bench-keys')");
          await runSql(s, 'CREATE MATERIALIZED VIEW w AS SELECT id, label, COUNT(*) AS n, SUM(amount) AS total, MAX(label) AS top FROM keyed GROUP BY id, label');
          const id = db.catalog.lookup(['w'])!.id;
          for (;;) {
            if (db.checkpoints.list().some((c) => c.dataflow === `mv-${id}` && c.kind === 'final' && c.status === 'COMPLETED')) break;
            await new Promise((r) => setTimeout(r, 20));
          }
          s.close();
        },
        dir,
      );
      buildMs = performance.now() - buildStart;
    }
    let bytes = 0;
    let files = 0;
    for (let run = 0; run < runs; run++) {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      let answered = 0;
      let opened = 0;
      let recoverMs = 0;
      let openCpu = 0;
      let recoverCpu = 0;
      const cpuSince = (): number => {
        const c = process.cpuUsage(cpu0);
        return (c.user + c.system) / 1000;
      };
      await withDatabase(
        big,
        0,
        async (db) => {
          opened = performance.now() - t0;
          openCpu = cpuSince();
          const s = db.openSession(new Map([['user', 'bench'], ['database', 'millrace']]));
          answered = Number((await runSql(s, 'SELECT COUNT(*) FROM w'))[0]![0]);
          recoverMs = performance.now() - t0;
          recoverCpu = cpuSince();
          s.close();
          if (run === 0) {
            // The state: every key and value of the view's state tables (measured after the timed part).
            const id = db.catalog.lookup(['w'])!.id;
            for await (const batch of db.store.entries(prefixRange(objectPrefix(KeyPrefix.STATE, id)))) for (const e of batch) bytes += e.key.length + e.value.length;
          }
        },
        dir,
      );
      if (run === 0) files = await dirBytes(path.join(dir, 'db'));
      if (answered !== keys) throw new Error(`recovered view holds ${answered} rows, expected ${keys}`);
      const mb = bytes / (1024 * 1024);
      const built = reuse ? 'reused' : `built in ${(buildMs / 1000).toFixed(1)} s`;
      const sec = (ms: number): string => (ms / 1000).toFixed(2);
      process.stdout.write(
        `${'recovery of a view'.padEnd(38)} ${keys.toLocaleString('en-US')} groups, ${mb.toFixed(0)} MB of state (${(files / (1024 * 1024)).toFixed(0)} MB of LevelDB files); ${built}; reopen ${sec(opened)} s wall / ${sec(openCpu)} s CPU, then first SELECT ${sec(recoverMs - opened)} s wall / ${sec(recoverCpu - openCpu)} s CPU (answered ${sec(recoverMs)} s after the start; goal: 1 GB resumed in under 10 s); CPU time is all threads\n`,
      );
    }
  } finally {
    if (kept === undefined) await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const only = process.argv[2];
  const run = only === 'recovery' ? runRecoveryBenchmark : only === 'overhead' ? runCheckpointOverheadBenchmark : runCheckpointBenchmarks;
  run().catch((err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}

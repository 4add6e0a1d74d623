/**
 * The plan of a running dataflow as EXPLAIN text (`GET /api/jobs/:id`).
 *
 * The statement is explained again, in a server-owned session carrying the
 * settings it was planned with (a view's from its catalog entry, a job's from
 * its stored definition): `EXPLAIN CREATE MATERIALIZED VIEW ...` for a view,
 * `EXPLAIN INSERT ...` for a job. This is the plan EXPLAIN gives for that
 * statement now, which is the plan the dataflow runs unless the relations it
 * reads changed since it started. A view over another materialized view shows
 * that view as a scan (the running dataflow computes its query inline).
 */
import type { Database } from '../database.ts';
import { SqlSession } from '../session/session.ts';
import { DATABASE_NAME } from '../database.ts';
import { jobKey } from '../jobs/checkpoints.ts';
import { jobOwner, type JobDefinition } from '../jobs/jobs.ts';
import type { DataflowSummary } from '../jobs/dataflows.ts';

const utf8Decoder = new TextDecoder();

/** EXPLAIN text of `dataflow`; throws the planning error (a SqlError) when it can no longer be planned. */
export async function explainDataflow(db: Database, dataflow: DataflowSummary): Promise<string> {
  const { statement, settings } = await definitionOf(db, dataflow);
  const session = new SqlSession(db, new Map([['user', 'millrace'], ['database', DATABASE_NAME]]), 0);
  try {
    for (const [key, value] of Object.entries(settings)) session.settings.set(key, value);
    const [stmt] = session.prepareScript(`EXPLAIN ${statement}`);
    if (stmt === undefined) return '';
    const cursor = await session.execute(stmt, [], [], new AbortController().signal);
    const lines: string[] = [];
    try {
      for (;;) {
        const rows = await cursor.next(1000);
        if (rows.length === 0) break;
        for (const row of rows) lines.push(String(row[0] ?? ''));
      }
    } finally {
      cursor.close();
    }
    return lines.join('\n');
  } finally {
    session.close();
  }
}

async function definitionOf(db: Database, dataflow: DataflowSummary): Promise<{ statement: string; settings: Readonly<Record<string, string>> }> {
  if (dataflow.kind === 'materialized-view') {
    const id = Number(dataflow.id.slice('mv-'.length));
    const def = db.catalog.byId(id);
    if (def === undefined || def.kind !== 'materialized-view') return { statement: dataflow.statement, settings: {} };
    // The name quoted: SHOW JOBS prints it bare, which does not parse for every name.
    return { statement: `CREATE MATERIALIZED VIEW "${def.name.replace(/"/g, '""')}" AS ${def.query}`, settings: def.settings ?? {} };
  }
  const number = Number(/^job-(\d+)$/.exec(dataflow.id)?.[1]);
  const stored = Number.isInteger(number) ? await db.store.get(jobKey(jobOwner(number), 'definition')) : undefined;
  const settings = stored === undefined ? {} : (JSON.parse(utf8Decoder.decode(stored)) as JobDefinition).settings;
  return { statement: dataflow.statement, settings };
}

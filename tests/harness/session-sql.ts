/**
 * Running SQL through the Session API in process (no network): every
 * statement of `sql`, in order, each drained to its end; the rows of all of
 * them. For tests that look at a Database directly.
 */
import type { Session } from '../../src/session/api.ts';
import type { Row } from '../../catalog/types.ts';

export async function runSql(s: Session, sql: string): Promise<Row[]> {
  const rows: Row[] = [];
  for (const stmt of s.prepareScript(sql)) {
    const cursor = await s.execute(stmt, [], [], new AbortController().signal);
    for (;;) {
      const batch = await cursor.next(4096);
      if (batch.length === 0) break;
      rows.push(...batch);
    }
    cursor.close();
  }
  return rows;
}

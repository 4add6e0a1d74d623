/**
 * Runs one query on both servers and compares the outcomes.
 *
 * Outcome: either rows (every value as the server's wire text, NULL as null) or an error SQLSTATE.
 * Two outcomes agree when both are errors with the same SQLSTATE class (first two characters), or
 * both are row sets with the same column count and the same rows: in order when the query's ORDER
 * BY is total, as multisets otherwise.
 */
import type pg from 'pg';

export type Outcome =
  | { readonly kind: 'rows'; readonly columns: number; readonly rows: readonly (readonly (string | null)[])[] }
  | { readonly kind: 'error'; readonly sqlstate: string; readonly message: string };

export async function runQuery(client: pg.Client, sql: string): Promise<Outcome> {
  try {
    const res = await client.query({ text: sql, rowMode: 'array' });
    const rows = (res.rows as unknown[][]).map((r) => r.map((v) => (v === null ? null : String(v))));
    return { kind: 'rows', columns: res.fields.length, rows };
  } catch (err) {
    const e = err as { code?: unknown; message?: unknown };
    if (typeof e.code !== 'string') throw err;
    return { kind: 'error', sqlstate: e.code, message: String(e.message) };
  }
}

function rowKey(row: readonly (string | null)[]): string {
  return JSON.stringify(row);
}

/** Undefined when the outcomes agree, else a description of the first difference. */
export function compareOutcomes(millrace: Outcome, postgres: Outcome, ordered: boolean): string | undefined {
  if (millrace.kind === 'error' || postgres.kind === 'error') {
    if (millrace.kind === 'error' && postgres.kind === 'error') {
      return millrace.sqlstate.slice(0, 2) === postgres.sqlstate.slice(0, 2)
        ? undefined
        : `errors differ: millrace ${millrace.sqlstate} (${millrace.message}), postgres ${postgres.sqlstate} (${postgres.message})`;
    }
    return `millrace: ${describe(millrace)}; postgres: ${describe(postgres)}`;
  }
  if (millrace.columns !== postgres.columns) return `column count: millrace ${millrace.columns}, postgres ${postgres.columns}`;
  if (millrace.rows.length !== postgres.rows.length) {
    return `row count: millrace ${millrace.rows.length}, postgres ${postgres.rows.length}\n${firstDifference(millrace.rows, postgres.rows, ordered)}`;
  }
  const diff = firstDifference(millrace.rows, postgres.rows, ordered);
  return diff === '' ? undefined : diff;
}

function describe(o: Outcome): string {
  return o.kind === 'error' ? `error ${o.sqlstate} (${o.message})` : `${o.rows.length} rows`;
}

function firstDifference(a: readonly (readonly (string | null)[])[], b: readonly (readonly (string | null)[])[], ordered: boolean): string {
  const ka = a.map(rowKey);
  const kb = b.map(rowKey);
  if (ordered) {
    for (let k = 0; k < Math.max(ka.length, kb.length); k++) {
      if (ka[k] !== kb[k]) return `row ${k}: millrace ${ka[k] ?? '(none)'}, postgres ${kb[k] ?? '(none)'}`;
    }
    return '';
  }
  const counts = new Map<string, number>();
  for (const k of ka) counts.set(k, (counts.get(k) ?? 0) + 1);
  for (const k of kb) counts.set(k, (counts.get(k) ?? 0) - 1);
  const onlyM = [...counts].filter(([, c]) => c > 0).map(([k]) => k);
  const onlyP = [...counts].filter(([, c]) => c < 0).map(([k]) => k);
  if (onlyM.length === 0 && onlyP.length === 0) return '';
  return `only in millrace: ${onlyM.slice(0, 3).join(' ')}${onlyM.length > 3 ? ' ...' : ''}\nonly in postgres: ${onlyP.slice(0, 3).join(' ')}${onlyP.length > 3 ? ' ...' : ''}`;
}

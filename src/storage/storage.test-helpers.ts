/** Shared fixtures of the storage tests: a two-column table definition and row collection. */
import type { TableDefinition } from '../../catalog/relation.ts';
import type { Row } from '../../catalog/types.ts';
import { INT, STRING } from '../../catalog/types.ts';

/** Table `t<id>` (id INT, name STRING), keyed on `primaryKey` (none by default). */
export function twoColumnTable(id: number, primaryKey: string[] = []): TableDefinition {
  return {
    kind: 'table',
    id,
    name: `t${id}`,
    schema: 'public',
    columns: [
      { name: 'id', type: INT, nullable: primaryKey.length === 0, kind: 'physical' },
      { name: 'name', type: STRING, nullable: true, kind: 'physical' },
    ],
    primaryKey,
    partitionedBy: [],
    options: {},
  };
}

/** Every row of a batched scan. */
export async function collectRows(gen: AsyncGenerator<Row[]>): Promise<Row[]> {
  const out: Row[] = [];
  for await (const b of gen) out.push(...b);
  return out;
}

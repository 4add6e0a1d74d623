/** `SELECT * | cols FROM table` as a query AST, for statements that read a whole relation (COPY t TO, SUBSCRIBE t). */
import type { Ident, QualifiedName, Query, SelectItem } from '../../grammar/ast.ts';

export function selectFrom(table: QualifiedName, columns: readonly Ident[] = []): Query {
  const pos = table.pos;
  const items: SelectItem[] =
    columns.length === 0
      ? [{ kind: 'star', pos }]
      : columns.map((c) => ({ kind: 'expr', expr: { kind: 'column', name: { parts: [c], pos: c.pos }, pos: c.pos }, pos: c.pos }));
  return {
    kind: 'query',
    with: [],
    recursive: false,
    body: {
      kind: 'select',
      distinct: false,
      distinctOn: [],
      items,
      from: [{ kind: 'named', name: table, hints: [], pos }],
      groupBy: [],
      windows: [],
      pos,
    },
    orderBy: [],
    pos,
  };
}

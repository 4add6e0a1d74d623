/**
 * Name resolution, Postgres-style.
 *
 * A Scope is the row a query level's expressions see: the FROM items in order,
 * each with its qualifier (alias or table name, plus schema for `s.t.c`) and its
 * columns at slots of the combined row. Lookups that miss go to `parent` (the
 * enclosing query level) and come back as `outer` references with a depth; the
 * levels crossed are marked correlated.
 *
 * Columns merged by USING / NATURAL live in an unnamed relation; the columns
 * they merged stay reachable qualified (`t1.a`) but are hidden from unqualified
 * names and from `*`.
 */
import type { SqlType } from '../../catalog/types.ts';
import type { BoundExpr } from './bound-expr.ts';
import { SqlError, SqlState } from '../errors.ts';

export interface ScopeColumn {
  readonly name: string;
  readonly type: SqlType;
  /** Slot in the scope's row. */
  readonly index: number;
  readonly nullable: boolean;
  readonly tableOid?: number;
  readonly attnum?: number;
  /** Name of the FROM item the column belongs to, for messages. */
  readonly table?: string;
  /** Merged away by USING/NATURAL: only reachable qualified. */
  readonly merged?: boolean;
}

export interface ScopeRelation {
  /** Alias or relation name; undefined for an unaliased subquery or merged USING columns. */
  readonly name: string | undefined;
  readonly schema?: string;
  readonly columns: readonly ScopeColumn[];
}

/** A query level: BoundSubquery.correlated is read from it once the subquery is bound. */
export class QueryLevel {
  correlated = false;
}

export class Scope {
  readonly relations: readonly ScopeRelation[];
  readonly parent: Scope | undefined;
  readonly level: QueryLevel;

  constructor(relations: readonly ScopeRelation[], parent: Scope | undefined, level: QueryLevel) {
    this.relations = relations;
    this.parent = parent;
    this.level = level;
  }

  get width(): number {
    let w = 0;
    for (const r of this.relations) for (const c of r.columns) w = Math.max(w, c.index + 1);
    return w;
  }

  /** Resolves a column reference to a column or outer-column expression. */
  resolve(parts: readonly string[], pos: number): { expr: BoundExpr; column: ScopeColumn } {
    let scope: Scope | undefined = this;
    let depth = 0;
    let qualifierSeen = false;
    while (scope !== undefined) {
      const r = scope.#find(parts, pos);
      if (r === 'no-qualifier') {
        // keep searching outward
      } else if (r === undefined) {
        qualifierSeen = true;
      } else {
        if (depth > 0) {
          let s: Scope | undefined = this;
          for (let d = 0; d < depth && s !== undefined; d++) {
            s.level.correlated = true;
            s = s.parent;
          }
        }
        const expr: BoundExpr =
          depth === 0
            ? { kind: 'column', type: r.type, index: r.index }
            : { kind: 'outer', type: r.type, depth, index: r.index };
        return { expr, column: r };
      }
      if (qualifierSeen) break;
      scope = scope.parent;
      depth++;
    }
    const name = parts.join('.');
    if (qualifierSeen || parts.length === 1) {
      throw new SqlError(SqlState.UNDEFINED_COLUMN, `column ${parts.length === 1 ? `"${name}"` : name} does not exist`, {
        position: pos,
      });
    }
    throw new SqlError(SqlState.UNDEFINED_TABLE, `missing FROM-clause entry for table "${parts[parts.length - 2]}"`, {
      position: pos,
    });
  }

  /**
   * One level's lookup: the column, undefined when the qualifier named a
   * relation here but the column is missing, 'no-qualifier' when nothing here matches.
   */
  #find(parts: readonly string[], pos: number): ScopeColumn | undefined | 'no-qualifier' {
    const col = parts[parts.length - 1]!;
    if (parts.length === 1) {
      let found: ScopeColumn | undefined;
      for (const r of this.relations) {
        for (const c of r.columns) {
          if (c.name !== col || c.merged === true) continue;
          if (found !== undefined) {
            throw new SqlError(SqlState.AMBIGUOUS_COLUMN, `column reference "${col}" is ambiguous`, { position: pos });
          }
          found = c;
        }
      }
      return found ?? 'no-qualifier';
    }
    const rels = this.findRelations(parts.slice(0, -1));
    if (rels.length === 0) return 'no-qualifier';
    if (rels.length > 1) {
      throw new SqlError(SqlState.AMBIGUOUS_COLUMN, `table reference "${parts[parts.length - 2]}" is ambiguous`, { position: pos });
    }
    let found: ScopeColumn | undefined;
    for (const c of rels[0]!.columns) {
      if (c.name !== col) continue;
      if (found !== undefined) {
        throw new SqlError(SqlState.AMBIGUOUS_COLUMN, `column reference "${parts.join('.')}" is ambiguous`, { position: pos });
      }
      found = c;
    }
    return found;
  }

  /** Relations a qualifier (`t`, `s.t`, `c.s.t`) names at this level. */
  findRelations(qualifier: readonly string[]): ScopeRelation[] {
    const name = qualifier[qualifier.length - 1];
    const schema = qualifier.length >= 2 ? qualifier[qualifier.length - 2] : undefined;
    return this.relations.filter(
      (r) => r.name !== undefined && r.name === name && (schema === undefined || r.schema === schema),
    );
  }

  /** Columns `*` expands to, in order. */
  starColumns(): ScopeColumn[] {
    const out: ScopeColumn[] = [];
    for (const r of this.relations) for (const c of r.columns) if (c.merged !== true) out.push(c);
    return out;
  }
}

/** Shifts a relation's slots by `offset` (the right side of a join). */
export function shiftRelation(r: ScopeRelation, offset: number): ScopeRelation {
  return { ...r, columns: r.columns.map((c) => ({ ...c, index: c.index + offset })) };
}

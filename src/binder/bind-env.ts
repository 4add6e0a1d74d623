/**
 * State shared by every part of one bind: the caller's context, parameter
 * types as they get inferred, the set of still-untyped expressions (string
 * literals and parameters whose type context has not decided yet), and the
 * CTEs visible at each point.
 */
import type { CommonTableExpr, Expr, Statement } from '../../grammar/ast.ts';
import type { CatalogEntry } from '../../catalog/relation.ts';
import { STRING, type SqlType } from '../../catalog/types.ts';
import type { Coercion, FunctionLibrary } from '../functions/signatures.ts';
import type { BoundExpr } from './bound-expr.ts';
import type { ScopeColumn } from './scope.ts';

export interface BinderContext {
  lookup(parts: readonly string[]): CatalogEntry | undefined;
  functions: FunctionLibrary;
  coercion: Coercion;
  parseSql(text: string): Statement[];
  parseExpression(text: string): Expr;
  /** Declared $n types (undefined = infer); the binder fills in inferred ones. */
  paramTypes: (SqlType | undefined)[];
  timeZone: string;
  /**
   * Bind a materialized view as its query, like a view (a materialized view
   * over another one computes it from the base tables, whose changelogs can
   * be replayed after a restart). Default: read its contents.
   */
  expandMaterializedViews?: boolean;
  /**
   * Whether reading the connector table `entry` ends by itself (the
   * connector's `bounded`); absent, only a datagen table is judged by its options.
   */
  connectorBounded?(entry: CatalogEntry & { readonly kind: 'table' }): boolean;
}

/** CTEs visible at a point of the query, innermost first. */
export interface CteFrame {
  readonly ctes: ReadonlyMap<string, { readonly cte: CommonTableExpr; readonly visible: CteFrame | undefined }>;
  readonly parent: CteFrame | undefined;
}

export class BindEnv {
  readonly ctx: BinderContext;
  /** Untyped string literals and parameters: adapt to the first typed context they meet. */
  readonly #unknown = new WeakSet<BoundExpr>();
  /** AST position of column references, for errors raised after binding (42803). */
  readonly positions = new WeakMap<BoundExpr, number>();
  /** The scope column a bound column reference came from (output column metadata). */
  readonly origins = new WeakMap<BoundExpr, ScopeColumn>();
  /** Highest parameter index referenced plus one. */
  paramCount = 0;

  constructor(ctx: BinderContext) {
    this.ctx = ctx;
    this.paramCount = ctx.paramTypes.length;
  }

  markUnknown<T extends BoundExpr>(e: T): T {
    this.#unknown.add(e);
    return e;
  }

  isUnknown(e: BoundExpr): boolean {
    if (!this.#unknown.has(e)) return false;
    return e.kind !== 'param' || this.ctx.paramTypes[e.index] === undefined;
  }

  paramType(index: number): SqlType | undefined {
    return this.ctx.paramTypes[index];
  }

  inferParam(index: number, type: SqlType): void {
    if (this.ctx.paramTypes[index] !== undefined) return;
    while (this.ctx.paramTypes.length <= index) this.ctx.paramTypes.push(undefined);
    this.ctx.paramTypes[index] = type.kind === 'NULL' ? STRING : type;
  }

  noteParam(index: number): void {
    this.paramCount = Math.max(this.paramCount, index + 1);
  }

  finalParamTypes(): SqlType[] {
    const out: SqlType[] = [];
    for (let i = 0; i < this.paramCount; i++) out.push(this.ctx.paramTypes[i] ?? STRING);
    return out;
  }
}

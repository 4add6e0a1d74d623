/**
 * `f(...) OVER (...)`: window functions and aggregates used as window
 * functions. Named windows (`OVER w`, `OVER (w ORDER BY ...)`) come from the
 * SELECT's WINDOW clause through the sink; the call itself is handed to the
 * sink, which places it in the WindowNode and returns its placeholder.
 * Frame offsets must be constants (Postgres: 42P10 otherwise).
 */
import type { Expr, FrameBound, FunctionCall, WindowSpec } from '../../grammar/ast.ts';
import { BIGINT, NULL_TYPE, STRING, type SqlType, type Value } from '../../catalog/types.ts';
import { notSupported, SqlError, SqlState } from '../errors.ts';
import type { WindowCall, WindowFunctionName } from '../planner/logical-plan.ts';
import type { BoundExpr } from './bound-expr.ts';
import { bindExpr, bindSortKey, type ExprScope } from './bind-expr.ts';
import { coerceTo, displayType, settle } from './coerce.ts';

const WINDOWING_ERROR = '42P20';

export function bindWindowCall(call: FunctionCall, name: string, s: ExprScope): BoundExpr {
  const env = s.env;
  if (s.inAggregate === true) {
    throw new SqlError(SqlState.GROUPING_ERROR, 'aggregate function calls cannot contain window function calls', { position: call.pos });
  }
  if (s.inWindow === true) throw new SqlError(WINDOWING_ERROR, 'window function calls cannot be nested', { position: call.pos });
  if (s.sink === undefined) throw new SqlError(WINDOWING_ERROR, `window functions are not allowed in ${s.clause}`, { position: call.pos });
  const spec = resolveSpec(call.over!, s.sink.windows);
  const inner: ExprScope = { ...s, inWindow: true };
  const star = call.args.length === 1 && call.args[0]!.kind === 'star-arg';
  const args = star ? [] : call.args.map((a) => bindExpr(a, inner));
  const types = args.map((a) => (env.isUnknown(a) ? STRING : a.type));
  const fns = env.ctx.functions;
  let fn: WindowFunctionName;
  let argTypes: readonly SqlType[];
  let type: SqlType;
  try {
    const w = star ? undefined : fns.resolveWindowFunction(name, types);
    if (w !== undefined) {
      fn = w.fn;
      argTypes = w.argTypes;
      type = w.returnType;
    } else if (star && name === 'count') {
      fn = 'count_star';
      argTypes = [];
      type = BIGINT;
    } else {
      const a = fns.resolveAggregate(name, types, call.distinct);
      if (a === undefined) {
        throw new SqlError(SqlState.UNDEFINED_FUNCTION, `function ${name}(${args.map((x) => displayType(x, env)).join(', ')}) does not exist`, {
          position: call.pos,
          hint: 'No function matches the given name and argument types. You might need to add explicit type casts.',
        });
      }
      fn = a.fn;
      argTypes = a.argTypes;
      type = a.returnType;
    }
  } catch (err) {
    if (err instanceof SqlError) throw err.at(call.pos);
    throw err;
  }
  if (call.distinct) throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, 'DISTINCT is not implemented for window functions', { position: call.pos });
  if (call.filter !== undefined) throw notSupported('FILTER in window function calls', call.pos);
  if (call.orderBy.length > 0) throw notSupported('ORDER BY inside window function arguments', call.pos);
  const bound = args.map((a, i) => coerceTo(a, argTypes[i] ?? a.type, env, call.pos));
  const partitionBy = spec.partitionBy.map((p) => settle(bindExpr(p, inner), env, p.pos));
  const orderBy = spec.orderBy.map((o) => bindSortKey(o, inner));
  const wc: WindowCall = {
    fn,
    args: bound,
    partitionBy,
    orderBy,
    type,
    ...(spec.frame === undefined
      ? {}
      : {
          frame: {
            units: spec.frame.units,
            start: frameBound(spec.frame.start, s),
            end: frameBound(spec.frame.end ?? { kind: 'current-row' }, s),
          },
        }),
  };
  return s.sink.addWindow(wc);
}

function resolveSpec(spec: WindowSpec, windows: ReadonlyMap<string, WindowSpec>): WindowSpec {
  if (spec.name === undefined) return spec;
  const base = windows.get(spec.name.value);
  if (base === undefined) {
    throw new SqlError(SqlState.UNDEFINED_OBJECT, `window "${spec.name.value}" does not exist`, { position: spec.name.pos });
  }
  const resolvedBase = resolveSpec(base, windows);
  const frame = spec.frame ?? resolvedBase.frame;
  return {
    partitionBy: spec.partitionBy.length > 0 ? spec.partitionBy : resolvedBase.partitionBy,
    orderBy: spec.orderBy.length > 0 ? spec.orderBy : resolvedBase.orderBy,
    ...(frame === undefined ? {} : { frame }),
    pos: spec.pos,
  };
}

type Bound = NonNullable<WindowCall['frame']>['start'];

function frameBound(b: FrameBound, s: ExprScope): Bound {
  switch (b.kind) {
    case 'unbounded-preceding':
    case 'unbounded-following':
      return { kind: 'unbounded' };
    case 'current-row':
      return { kind: 'current' };
    case 'preceding':
    case 'following':
      return { kind: b.kind, offset: constantOffset(b.offset, s) };
  }
}

function constantOffset(e: Expr, s: ExprScope): Value {
  const x = bindExpr(e, { ...s, inWindow: true });
  if (x.kind !== 'literal' || x.type.kind === NULL_TYPE.kind || x.value === null) {
    throw new SqlError(SqlState.INVALID_COLUMN_REFERENCE, 'argument of ROWS/RANGE must not contain variables and must not be null', {
      position: e.pos,
    });
  }
  return x.value;
}

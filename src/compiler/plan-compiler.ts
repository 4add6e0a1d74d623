/**
 * Logical plan -> operator graph for bounded execution.
 *
 * Compilation happens once per statement: expressions become closures,
 * functions and casts are resolved, comparators built. The result is a
 * StreamFactory; every call starts an independent run of the graph (the
 * top-level query runs once, a correlated subquery once per outer binding).
 */
import { typesEqual, type SqlType } from '../../catalog/types.ts';
import type { AggregateCall, AggregateFunctionName, LogicalPlan, SortKey, WindowCall } from '../planner/logical-plan.ts';
import type { BoundExpr } from '../binder/bound-expr.ts';
import { unreachable } from '../errors.ts';
import type { StreamFactory } from '../dataflow/stream.ts';
import type { ExecContext } from './exec-context.ts';
import { combinePrepare, compileExpression, type CompiledExpr } from './expr-compiler.ts';
import { flatKeyComparator, keyComparator } from './sort-keys.ts';
import { scanOperator } from '../operators/scan.ts';
import { valuesOperator } from '../operators/values.ts';
import { projectOperator } from '../operators/project.ts';
import { filterOperator } from '../operators/filter.ts';
import { limitOperator } from '../operators/limit.ts';
import { topNOperator } from '../operators/top-n.ts';
import { distinctOperator } from '../operators/distinct.ts';
import { unionOperator } from '../operators/union.ts';
import { setOpOperator } from '../operators/set-op.ts';
import { sortOperator } from '../operators/sort.ts';
import { joinOperator } from '../operators/hash-join.ts';
import { hashAggregateOperator, type AggregateCallSpec } from '../operators/hash-aggregate.ts';
import { lockstepTableFunction, tableFunctionOperator } from '../operators/table-function.ts';
import { defaultFrame, windowOperator, type WindowCallSpec } from '../operators/window.ts';
import { windowAssignOperator, type WindowAssignSpec } from '../operators/window-assign.ts';

/** Aggregates that see NULL inputs themselves; every other one skips rows whose first argument is NULL. */
const SEES_NULLS: ReadonlySet<string> = new Set(['count_star', 'array_agg', 'first_value', 'last_value']);

const AGGREGATE_NAMES: ReadonlySet<string> = new Set<AggregateFunctionName>([
  'count', 'count_star', 'sum', 'avg', 'min', 'max', 'bool_and', 'bool_or', 'string_agg', 'array_agg',
  'stddev_pop', 'stddev_samp', 'var_pop', 'var_samp', 'first_value', 'last_value',
]);

export function compilePlan(plan: LogicalPlan, cx: ExecContext): StreamFactory {
  const ex = (e: BoundExpr): CompiledExpr => compileExpression(e, cx);
  switch (plan.kind) {
    case 'scan': {
      const filter = plan.filter === undefined ? undefined : ex(plan.filter);
      const { source, signal } = cx.env;
      return () => scanOperator(source, plan, filter, signal);
    }
    case 'values': {
      const rows = plan.rows.map((r) => r.map(ex));
      const prepare = combinePrepare(rows.flat());
      return () => valuesOperator(rows, prepare);
    }
    case 'project': {
      const input = compilePlan(plan.input, cx);
      const exprs = plan.exprs.map(ex);
      const fns = exprs.map((e) => e.eval);
      const prepare = combinePrepare(exprs);
      return () => projectOperator(input(), fns, prepare);
    }
    case 'filter': {
      const input = compilePlan(plan.input, cx);
      const pred = ex(plan.predicate);
      return () => filterOperator(input(), pred);
    }
    case 'limit': {
      const limit = plan.limit === undefined ? undefined : ex(plan.limit);
      const offset = plan.offset === undefined ? undefined : ex(plan.offset);
      const sort = plan.input;
      if (sort.kind === 'sort' && limit !== undefined) {
        // ORDER BY ... LIMIT: keep only the rows that can make it into the result.
        const input = compilePlan(sort.input, cx);
        const keys = sort.keys.map((k) => ex(k.expr));
        const fns = keys.map((k) => k.eval);
        const prepare = combinePrepare(keys);
        const compare = keyComparator(sortSpecs(sort.keys));
        return () => topNOperator(input(), fns, prepare, compare, limit, offset);
      }
      const input = compilePlan(plan.input, cx);
      return () => limitOperator(input(), limit, offset);
    }
    case 'distinct': {
      const input = compilePlan(plan.input, cx);
      const types = plan.schema.map((c) => c.type);
      return () => distinctOperator(input(), types);
    }
    case 'union': {
      const inputs = plan.inputs.map((p) => compilePlan(p, cx));
      return () => unionOperator(inputs.map((f) => f()));
    }
    case 'set-op': {
      const left = compilePlan(plan.left, cx);
      const right = compilePlan(plan.right, cx);
      const types = plan.schema.map((c) => c.type);
      return () => setOpOperator(plan.op, plan.all, left(), right(), types);
    }
    case 'sort': {
      const input = compilePlan(plan.input, cx);
      const keys = plan.keys.map((k) => ex(k.expr));
      const compare = flatKeyComparator(sortSpecs(plan.keys));
      const fns = keys.map((k) => k.eval);
      const prepare = combinePrepare(keys);
      return () => sortOperator(input(), fns, prepare, compare);
    }
    case 'join': {
      const left = compilePlan(plan.left, cx);
      const right = compilePlan(plan.right, cx);
      const leftKeys = plan.equiKeys.map((k) => ex(k.left));
      // Keys hash and compare under the left key's type; a right key of another type is cast to it.
      const rightKeys = plan.equiKeys.map((k) =>
        ex(typesEqual(k.left.type, k.right.type) ? k.right : { kind: 'cast', type: k.left.type, operand: k.right, try: false }),
      );
      const spec = {
        joinType: plan.joinType,
        leftWidth: plan.left.schema.length,
        rightWidth: plan.right.schema.length,
        leftKeys: leftKeys.map((k) => k.eval),
        rightKeys: rightKeys.map((k) => k.eval),
        keyTypes: plan.equiKeys.map((k) => k.left.type),
        prepareLeftKeys: combinePrepare(leftKeys),
        prepareRightKeys: combinePrepare(rightKeys),
        condition: plan.condition === undefined ? undefined : ex(plan.condition),
      };
      return () => joinOperator(spec, left(), right());
    }
    case 'aggregate': {
      const input = compilePlan(plan.input, cx);
      const keys = plan.groupKeys.map(ex);
      const compiled: CompiledExpr[] = [...keys];
      const calls = plan.aggregates.map((a) => aggregateCallSpec(a, cx, compiled));
      const spec = {
        keys: keys.map((k) => k.eval),
        keyTypes: plan.groupKeys.map((k) => k.type),
        calls,
        prepare: combinePrepare(compiled),
      };
      return () => hashAggregateOperator(spec, input());
    }
    case 'table-function': {
      const input = plan.input === undefined ? undefined : compilePlan(plan.input, cx);
      const args = plan.args.map(ex);
      const argTypes = plan.args.map((a) => a.type);
      const members = plan.lockstep;
      let impl: ReturnType<typeof cx.deps.tableFunctions>;
      if (members === undefined) impl = cx.deps.tableFunctions(plan.fn, argTypes);
      else {
        let at = 0;
        impl = lockstepTableFunction(
          members.map((m) => {
            const types = argTypes.slice(at, (at += m.argc));
            return { impl: cx.deps.tableFunctions(m.fn, types), argc: m.argc, width: m.width };
          }),
        );
      }
      const ordType = plan.schema[plan.schema.length - 1]?.type;
      const spec = {
        impl,
        args: args.map((a) => a.eval),
        prepare: combinePrepare(args),
        ordinality: plan.ordinality ? { bigint: ordType?.kind === 'BIGINT' } : null,
        ctx: cx.env.ctx,
        signal: cx.env.signal,
      };
      return () => tableFunctionOperator(spec, input === undefined ? undefined : input());
    }
    case 'window': {
      const input = compilePlan(plan.input, cx);
      const compiled: CompiledExpr[] = [];
      const calls = plan.calls.map((c) => windowCallSpec(c, cx, compiled));
      const prepare = combinePrepare(compiled);
      return () => windowOperator(calls, prepare, input());
    }
    case 'window-tvf': {
      const input = compilePlan(plan.input, cx);
      const time = ex(plan.timeCol);
      const partition = plan.partitionBy.map(ex);
      const spec: WindowAssignSpec = {
        fn: plan.fn,
        time: time.eval,
        partition: partition.map((e) => e.eval),
        partitionTypes: plan.partitionBy.map((e) => e.type),
        prepare: combinePrepare([time, ...partition]),
        size: plan.size,
        slide: plan.slide,
        offset: plan.offset,
        timeZone: plan.timeCol.type.kind === 'TIMESTAMP_LTZ' ? cx.env.ctx.timeZone : undefined,
      };
      return () => windowAssignOperator(spec, input());
    }
    default:
      return unreachable(plan);
  }
}

function sortSpecs(keys: readonly SortKey[]): { type: SqlType; desc: boolean; nullsFirst: boolean }[] {
  return keys.map((k) => ({ type: k.expr.type, desc: k.desc, nullsFirst: k.nullsFirst }));
}

function aggregateCallSpec(a: AggregateCall, cx: ExecContext, compiled: CompiledExpr[]): AggregateCallSpec {
  const args = a.args.map((e) => compileExpression(e, cx));
  const filter = a.filter === undefined ? undefined : compileExpression(a.filter, cx);
  const orderKeys = a.orderBy.map((k) => compileExpression(k.expr, cx));
  compiled.push(...args, ...orderKeys);
  if (filter !== undefined) compiled.push(filter);
  const argTypes = a.args.map((e) => e.type);
  return {
    factory: cx.deps.accumulators(a.fn, argTypes, a.type),
    args: args.map((e) => e.eval),
    argTypes,
    filter: filter?.eval,
    distinct: a.distinct,
    skipNulls: !SEES_NULLS.has(a.fn),
    order: a.orderBy.length === 0 ? null : { keys: orderKeys.map((k) => k.eval), compare: keyComparator(sortSpecs(a.orderBy)) },
  };
}

function windowCallSpec(c: WindowCall, cx: ExecContext, compiled: CompiledExpr[]): WindowCallSpec {
  const args = c.args.map((e) => compileExpression(e, cx));
  const partition = c.partitionBy.map((e) => compileExpression(e, cx));
  const order = c.orderBy.map((k) => compileExpression(k.expr, cx));
  compiled.push(...args, ...partition, ...order);
  const argTypes = c.args.map((e) => e.type);
  const isFrameValue = c.fn === 'first_value' || c.fn === 'last_value';
  const aggregate =
    AGGREGATE_NAMES.has(c.fn) && !isFrameValue
      ? { factory: cx.deps.accumulators(c.fn as AggregateFunctionName, argTypes, c.type), skipNulls: !SEES_NULLS.has(c.fn) }
      : null;
  return {
    fn: c.fn,
    args: args.map((e) => e.eval),
    partition: partition.map((e) => e.eval),
    partitionCompare: keyComparator(c.partitionBy.map((e) => ({ type: e.type, desc: false, nullsFirst: false }))),
    order: order.map((e) => e.eval),
    orderCompare: keyComparator(sortSpecs(c.orderBy)),
    orderDesc: c.orderBy[0]?.desc ?? false,
    frame: c.frame ?? defaultFrame(),
    aggregate,
    type: c.type,
  };
}

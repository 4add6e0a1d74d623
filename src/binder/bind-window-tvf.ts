/**
 * Flink's windowing table-valued functions and legacy group windows -> a
 * WindowTvfNode (src/planner/logical-plan.ts).
 *
 * Window TVFs, in FROM as `TABLE(fn(...))`:
 *   TUMBLE(DATA, TIMECOL, SIZE [, OFFSET])
 *   HOP(DATA, TIMECOL, SLIDE, SIZE [, OFFSET])
 *   CUMULATE(DATA, TIMECOL, STEP, SIZE [, OFFSET])
 *   SESSION(DATA, TIMECOL, GAP)
 * positionally or by name (`DATA => TABLE t, TIMECOL => DESCRIPTOR(ts), ...`).
 * DATA is `TABLE name` (table, view or CTE) or a parenthesised query; TIMECOL
 * names one TIMESTAMP(p) / TIMESTAMP_LTZ(p) column of it (42804 otherwise);
 * durations are constant day-time intervals. The result is DATA's columns
 * followed by window_start, window_end (TIMESTAMP(3)) and window_time
 * (TIMESTAMP(3), or TIMESTAMP_LTZ(3) over an LTZ time column).
 *
 * Legacy group windows: `GROUP BY TUMBLE(ts, size)` (HOP(ts, slide, size),
 * SESSION(ts, gap)) with TUMBLE_START / _END / _ROWTIME / _PROCTIME(same
 * arguments) in the select list, HAVING or ORDER BY. The SELECT is rewritten
 * before it is bound: the FROM row gets a window node over it, whose window
 * columns are reachable only through the internal qualifier `$window` (hidden
 * from `*`); the group window becomes the keys window_start, window_end and
 * window_time (one group per window), and the auxiliary functions become
 * those columns (window_time for _ROWTIME, PROCTIME() for _PROCTIME).
 * SESSION's other GROUP BY keys partition the
 * sessions (sessions are per key, as in Flink); SESSION cannot be combined
 * with ROLLUP / CUBE / GROUPING SETS.
 */
import type { Expr, FunctionCall, FunctionTableRef, GroupingElement, Ident, OrderItem, Select } from '../../grammar/ast.ts';
import { timestamp, timestampLtz, type SqlType } from '../../catalog/types.ts';
import { notSupported, SqlError, SqlState } from '../errors.ts';
import type { LogicalPlan, PlanColumn, WindowTvfFunction } from '../planner/logical-plan.ts';
import type { BoundExpr } from './bound-expr.ts';
import { bindExpr } from './bind-expr.ts';
import { aliased, bindFromList, type FromContext, type FromItem } from './bind-from.ts';
import { Scope, type ScopeRelation } from './scope.ts';

const MICROS_PER_MILLI = 1000;

/** Parameters of each TVF, in positional order; `?` marks an optional one. */
const TVF_PARAMS: Readonly<Record<WindowTvfFunction, readonly string[]>> = {
  TUMBLE: ['data', 'timecol', 'size', 'offset?'],
  HOP: ['data', 'timecol', 'slide', 'size', 'offset?'],
  CUMULATE: ['data', 'timecol', 'step', 'size', 'offset?'],
  SESSION: ['data', 'timecol', 'gap'],
};

/** Parameters of the legacy group window functions after the time column. */
const GROUP_WINDOW_PARAMS: Readonly<Record<WindowTvfFunction, readonly string[] | undefined>> = {
  TUMBLE: ['size'],
  HOP: ['slide', 'size'],
  CUMULATE: undefined,
  SESSION: ['gap'],
};

export function windowTvfFunction(name: string): WindowTvfFunction | undefined {
  switch (name.toLowerCase()) {
    case 'tumble':
      return 'TUMBLE';
    case 'hop':
      return 'HOP';
    case 'cumulate':
      return 'CUMULATE';
    case 'session':
      return 'SESSION';
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------- window TVFs

export function bindWindowTvf(ref: FunctionTableRef, fn: WindowTvfFunction, fc: FromContext): FromItem {
  const call = ref.call;
  if (ref.lateral) throw notSupported(`LATERAL ${fn}`, ref.pos);
  if (ref.ordinality) throw notSupported(`${fn} WITH ORDINALITY`, ref.pos);
  const args = matchArguments(fn, call);
  const data = bindData(args.get('data')!, fc, fn);
  const timeArg = args.get('timecol')!;
  if (timeArg.kind !== 'descriptor') {
    throw new SqlError(SqlState.DATATYPE_MISMATCH, `the time column of ${fn} must be given as DESCRIPTOR(column)`, { position: timeArg.pos });
  }
  if (timeArg.columns.length !== 1) {
    throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `the DESCRIPTOR of ${fn} must name exactly one time column`, { position: timeArg.pos });
  }
  const timeName = timeArg.columns[0]!;
  const timeIndex = data.plan.schema.findIndex((c) => c.name === timeName.value);
  if (timeIndex < 0) {
    throw new SqlError(SqlState.UNDEFINED_COLUMN, `column "${timeName.value}" does not exist in the input of ${fn}`, { position: timeName.pos });
  }
  const timeType = data.plan.schema[timeIndex]!.type;
  checkTimeType(timeType, timeName.value, fn, timeName.pos);
  const timeCol: BoundExpr = { kind: 'column', type: timeType, index: timeIndex };

  const duration = (name: string): number => intervalMicros(args.get(name)!, name, fn, fc);
  const offsetArg = args.get('offset');
  const offset = offsetArg === undefined ? 0 : intervalMicros(offsetArg, 'offset', fn, fc, true);
  let size: number;
  let slide: number;
  switch (fn) {
    case 'TUMBLE':
      size = duration('size');
      slide = size;
      break;
    case 'HOP':
      slide = duration('slide');
      size = duration('size');
      if (size % slide !== 0) {
        throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, 'HOP window size must be an integral multiple of its slide', {
          position: call.pos,
        });
      }
      break;
    case 'CUMULATE':
      slide = duration('step');
      size = duration('size');
      if (size % slide !== 0) {
        throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, 'CUMULATE window size must be an integral multiple of its step', {
          position: call.pos,
        });
      }
      break;
    case 'SESSION':
      size = duration('gap');
      slide = size;
      break;
  }
  const plan = windowNode(data.plan, fn, timeCol, partitionKeys(args.get('data')!, data, fn), size, slide, offset);
  return aliased(plan, ref.alias, fn.toLowerCase(), undefined, ref.pos);
}

/** `TABLE t PARTITION BY k` keys: SESSION windows are kept per key; other windows do not take keys. */
function partitionKeys(arg: Expr, data: FromItem, fn: WindowTvfFunction): BoundExpr[] {
  if (arg.kind !== 'table-arg' || arg.partitionBy === undefined) return [];
  if (fn !== 'SESSION') {
    throw new SqlError(SqlState.SYNTAX_ERROR, `PARTITION BY is only allowed for SESSION windows, not ${fn}`, {
      position: arg.pos,
      hint: 'Group by the key together with window_start and window_end instead.',
    });
  }
  return arg.partitionBy.map((k) => {
    const index = data.plan.schema.findIndex((c) => c.name === k.value);
    if (index < 0) {
      throw new SqlError(SqlState.UNDEFINED_COLUMN, `column "${k.value}" does not exist in the input of ${fn}`, { position: k.pos });
    }
    return { kind: 'column', type: data.plan.schema[index]!.type, index };
  });
}

/** The arguments by parameter name (positional first, then named), checked against the function's parameters. */
function matchArguments(fn: WindowTvfFunction, call: FunctionCall): Map<string, Expr> {
  const params = TVF_PARAMS[fn];
  const names = params.map((p) => p.replace('?', ''));
  const out = new Map<string, Expr>();
  let positional = 0;
  let sawNamed = false;
  for (const a of call.args) {
    if (a.kind === 'named-arg') {
      sawNamed = true;
      const name = a.name.value.toLowerCase();
      if (!names.includes(name)) {
        throw new SqlError(SqlState.UNDEFINED_PARAMETER, `${fn} has no parameter named ${name.toUpperCase()}`, {
          position: a.pos,
          hint: `${fn} takes ${names.map((n) => n.toUpperCase()).join(', ')}.`,
        });
      }
      if (out.has(name)) {
        throw new SqlError(SqlState.SYNTAX_ERROR, `parameter ${name.toUpperCase()} of ${fn} is given more than once`, { position: a.pos });
      }
      out.set(name, a.value);
      continue;
    }
    if (sawNamed) {
      throw new SqlError(SqlState.SYNTAX_ERROR, `positional arguments of ${fn} must come before named ones`, { position: a.pos });
    }
    const name = names[positional++];
    if (name === undefined) {
      throw new SqlError(SqlState.UNDEFINED_FUNCTION, `${fn} takes at most ${names.length} arguments`, {
        position: a.pos,
        hint: signatureHint(fn),
      });
    }
    out.set(name, a);
  }
  for (const p of params) {
    if (!p.endsWith('?') && !out.has(p)) {
      throw new SqlError(SqlState.UNDEFINED_FUNCTION, `${fn} is missing its ${p.toUpperCase()} argument`, {
        position: call.pos,
        hint: signatureHint(fn),
      });
    }
  }
  return out;
}

function signatureHint(fn: WindowTvfFunction): string {
  const params = TVF_PARAMS[fn].map((p) => {
    const n = p.replace('?', '');
    const shown = n === 'data' ? 'TABLE data' : n === 'timecol' ? 'DESCRIPTOR(timecol)' : n;
    return p.endsWith('?') ? `[, ${shown}]` : shown;
  });
  return `Write ${fn}(${params.join(', ').replaceAll(', [', ' [')}).`;
}

function bindData(arg: Expr, fc: FromContext, fn: WindowTvfFunction): FromItem {
  if (arg.kind === 'table-arg') {
    return bindFromList([{ kind: 'named', name: arg.name, hints: [], pos: arg.pos }], fc)!;
  }
  if (arg.kind === 'subquery' && !arg.array) {
    return bindFromList([{ kind: 'subquery', query: arg.query, lateral: false, pos: arg.pos }], fc)!;
  }
  throw new SqlError(SqlState.DATATYPE_MISMATCH, `the first argument of ${fn} must be a table`, {
    position: arg.pos,
    hint: `Write ${fn}(TABLE name, ...) or ${fn}((SELECT ...), ...).`,
  });
}

function checkTimeType(type: SqlType, name: string, fn: string, pos: number): void {
  if (type.kind === 'TIMESTAMP' || type.kind === 'TIMESTAMP_LTZ') return;
  throw new SqlError(SqlState.DATATYPE_MISMATCH, `the time column "${name}" of ${fn} must be of type TIMESTAMP or TIMESTAMP_LTZ`, {
    position: pos,
    hint: 'Use a TIMESTAMP(p) or TIMESTAMP_LTZ(p) column, e.g. the table\'s WATERMARK column, or cast it in a subquery: (SELECT CAST(x AS TIMESTAMP(3)) AS ts, ... FROM t).',
  });
}

/** A constant day-time interval argument in µs; positive unless it is an offset. */
function intervalMicros(arg: Expr, name: string, fn: string, fc: FromContext, signed = false): number {
  let negate = false;
  let e = arg;
  while (e.kind === 'unary' && (e.op === '-' || e.op === '+')) {
    if (e.op === '-') negate = !negate;
    e = e.operand;
  }
  const what = `the ${name.toUpperCase()} of ${fn}`;
  if (e.kind !== 'interval') {
    throw new SqlError(SqlState.DATATYPE_MISMATCH, `${what} must be a constant interval`, {
      position: arg.pos,
      hint: `Write e.g. INTERVAL '10' MINUTE.`,
    });
  }
  const b = bindExpr(e, { env: fc.env, scope: new Scope([], undefined, fc.level), ctes: fc.ctes, clause: fn });
  if (b.kind !== 'literal' || b.type.kind !== 'INTERVAL_DAY_TIME') {
    throw notSupported(`${what} as a year-month interval`, arg.pos, 'Windows are measured in days, hours, minutes, seconds.');
  }
  const us = (negate ? -1 : 1) * (b.value as number);
  if (!signed && us <= 0) {
    throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `${what} must be positive`, { position: arg.pos });
  }
  if (us % MICROS_PER_MILLI !== 0) {
    throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `${what} must be a whole number of milliseconds`, { position: arg.pos });
  }
  return us;
}

function windowNode(
  input: LogicalPlan,
  fn: WindowTvfFunction,
  timeCol: BoundExpr,
  partitionBy: readonly BoundExpr[],
  size: number,
  slide: number,
  offset: number,
): LogicalPlan {
  const ltz = timeCol.type.kind === 'TIMESTAMP_LTZ';
  const bound = timestamp(3);
  const schema: PlanColumn[] = [
    ...input.schema,
    { name: 'window_start', type: bound, nullable: false },
    { name: 'window_end', type: bound, nullable: false },
    { name: 'window_time', type: ltz ? timestampLtz(3) : timestamp(3), nullable: false },
  ];
  return { kind: 'window-tvf', input, fn, timeCol, partitionBy, size, slide, offset, schema };
}

// ---------------------------------------------------------------- legacy group windows

/** The internal qualifier of the window columns a legacy group window adds to the FROM row. */
const WINDOW_QUALIFIER = '$window';

export interface LegacyGroupWindow {
  readonly fn: WindowTvfFunction;
  readonly call: FunctionCall;
  /** SESSION: the other GROUP BY keys, which partition the sessions. */
  readonly keys: readonly Expr[];
}

export interface LegacyRewrite {
  readonly select: Select;
  readonly orderBy: readonly OrderItem[];
  readonly window: LegacyGroupWindow;
}

const AUXILIARY = /^(tumble|hop|session)_(start|end|rowtime|proctime)$/;

/**
 * Rewrites a SELECT whose GROUP BY holds a group window function; undefined
 * when it has none (then auxiliary functions are an error).
 */
export function rewriteLegacyGroupWindow(select: Select, orderBy: readonly OrderItem[]): LegacyRewrite | undefined {
  let window: LegacyGroupWindow | undefined;
  const groupBy: GroupingElement[] = [];
  for (const g of select.groupBy) {
    const fn = g.kind === 'expr' ? groupWindowOf(g.expr) : undefined;
    if (fn === undefined || g.kind !== 'expr') {
      groupBy.push(g);
      continue;
    }
    const call = g.expr as FunctionCall;
    if (window !== undefined) {
      throw new SqlError(SqlState.GROUPING_ERROR, 'a GROUP BY may hold only one group window function', { position: call.pos });
    }
    window = { fn, call, keys: [] };
    const params = GROUP_WINDOW_PARAMS[fn]!;
    if (call.args.length !== params.length + 1) {
      throw new SqlError(SqlState.UNDEFINED_FUNCTION, `group window ${fn} takes ${params.length + 1} arguments`, {
        position: call.pos,
        hint: `Write ${fn}(time_column, ${params.join(', ')}).`,
      });
    }
    for (const c of ['window_start', 'window_end', 'window_time']) groupBy.push({ kind: 'expr', expr: windowColumn(c, call.pos) });
  }
  if (window?.fn === 'SESSION') {
    for (const g of select.groupBy) {
      if (g.kind !== 'expr') throw notSupported('SESSION group windows with ROLLUP, CUBE or GROUPING SETS', g.pos);
    }
    const call = window.call;
    const keys = select.groupBy.flatMap((g) => (g.kind === 'expr' && g.expr !== call ? [g.expr] : []));
    window = { ...window, keys };
  }
  const rewrite = <T>(x: T): T => rewriteAuxiliary(x, window);
  if (window === undefined) {
    // Only to report auxiliary functions without a group window.
    rewrite(select.items);
    if (select.having !== undefined) rewrite(select.having);
    rewrite(orderBy);
    return undefined;
  }
  const out: Select = {
    ...select,
    items: rewrite(select.items),
    groupBy,
    ...(select.having === undefined ? {} : { having: rewrite(select.having) }),
  };
  return { select: out, orderBy: rewrite(orderBy), window };
}

function groupWindowOf(e: Expr): WindowTvfFunction | undefined {
  if (e.kind !== 'call' || e.name.parts.length !== 1 || e.over !== undefined) return undefined;
  const fn = windowTvfFunction(e.name.parts[0]!.value);
  if (fn === undefined || GROUP_WINDOW_PARAMS[fn] === undefined) return undefined;
  if (e.args.some((a) => a.kind === 'table-arg' || a.kind === 'descriptor' || a.kind === 'named-arg')) return undefined;
  return fn;
}

function windowColumn(name: string, pos: number): Expr {
  const part = (value: string): Ident => ({ value, quoted: true, pos });
  return { kind: 'column', name: { parts: [part(WINDOW_QUALIFIER), part(name)], pos }, pos };
}

/**
 * Structural copy of an AST value with auxiliary window calls replaced. Nested
 * queries are left alone: their SELECTs are rewritten against their own GROUP BY.
 */
function rewriteAuxiliary<T>(x: T, window: LegacyGroupWindow | undefined): T {
  if (Array.isArray(x)) return x.map((v: unknown) => rewriteAuxiliary(v, window)) as T;
  if (x === null || typeof x !== 'object') return x;
  const node = x as Record<string, unknown>;
  if (node['kind'] === 'query') return x;
  if (node['kind'] === 'call') {
    const call = x as unknown as FunctionCall;
    const m = call.name.parts.length === 1 ? AUXILIARY.exec(call.name.parts[0]!.value) : null;
    if (m !== null) return auxiliaryColumn(call, m[1]!.toUpperCase() as WindowTvfFunction, m[2]!, window) as T;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = rewriteAuxiliary(v, window);
  return out as T;
}

function auxiliaryColumn(call: FunctionCall, fn: WindowTvfFunction, part: string, window: LegacyGroupWindow | undefined): Expr {
  const name = `${fn}_${part.toUpperCase()}`;
  if (window === undefined || window.fn !== fn || !sameArguments(call.args, window.call.args)) {
    throw new SqlError(SqlState.GROUPING_ERROR, `${name} must be called with the same arguments as the ${fn} group window in GROUP BY`, {
      position: call.pos,
      hint: `Add GROUP BY ${fn}(...) with the arguments of ${name}.`,
    });
  }
  switch (part) {
    case 'start':
      return windowColumn('window_start', call.pos);
    case 'end':
      return windowColumn('window_end', call.pos);
    case 'rowtime':
      return windowColumn('window_time', call.pos);
    default:
      return { ...call, name: { parts: [{ value: 'proctime', quoted: false, pos: call.pos }], pos: call.pos }, args: [] };
  }
}

function sameArguments(a: readonly Expr[], b: readonly Expr[]): boolean {
  const strip = (_k: string, v: unknown): unknown => (_k === 'pos' ? undefined : v);
  return JSON.stringify(a, strip) === JSON.stringify(b, strip);
}

/** The FROM row of a legacy group window query: the window node over it, its window columns under `$window`. */
export function bindLegacyWindowInput(w: LegacyGroupWindow, from: FromItem | undefined, fc: FromContext): FromItem {
  const fn = w.fn;
  if (from === undefined) {
    throw new SqlError(SqlState.GROUPING_ERROR, `group window ${fn} needs a FROM clause`, { position: w.call.pos });
  }
  const scope = new Scope(from.relations, fc.outer, fc.level);
  const timeArg = w.call.args[0]!;
  const timeCol = bindExpr(timeArg, { env: fc.env, scope, ctes: fc.ctes, clause: 'GROUP BY' });
  checkTimeType(timeCol.type, timeArg.kind === 'column' ? timeArg.name.parts.map((p) => p.value).join('.') : 'expression', fn, timeArg.pos);
  if (timeCol.kind !== 'column') {
    throw notSupported(`a group window over an expression`, timeArg.pos, 'Use a time column of the table, or compute it in a subquery.');
  }
  const params = GROUP_WINDOW_PARAMS[fn]!;
  const values = params.map((p, i) => intervalMicros(w.call.args[i + 1]!, p, fn, fc));
  const size = values[params.indexOf(fn === 'SESSION' ? 'gap' : 'size')]!;
  const slide = fn === 'HOP' ? values[0]! : size;
  const partitionBy = w.keys.map((k) => bindExpr(k, { env: fc.env, scope, ctes: fc.ctes, clause: 'GROUP BY' }));
  const plan = windowNode(from.plan, fn, timeCol, partitionBy, size, slide, 0);
  const w0 = from.plan.schema.length;
  const hidden: ScopeRelation = {
    name: WINDOW_QUALIFIER,
    columns: plan.schema.slice(w0).map((c, i) => ({ name: c.name, type: c.type, index: w0 + i, nullable: false, merged: true })),
  };
  return { plan, relations: [...from.relations, hidden] };
}

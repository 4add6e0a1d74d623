import { describe, expect, it, vi } from 'vitest';
import { BIGINT, INT, STRING, arrayOf, decimal, type SqlType } from '../../catalog/types.ts';
import type { Expr, Query } from '../../grammar/ast.ts';
import type { LogicalPlan } from '../planner/logical-plan.ts';
import { SqlError } from '../errors.ts';
import { bindQuery, bindScalar } from './binder.ts';
import {
  bin,
  call,
  cast,
  col,
  id,
  item,
  join,
  num,
  nul,
  order,
  param,
  query,
  select,
  star,
  starArg,
  str,
  table,
  testContext,
  typeName,
} from './binder.test-helpers.ts';

vi.mock('../functions/table-functions.ts', () => ({
  tableFunctionColumns: (name: string, argTypes: readonly SqlType[]) => {
    if (name === 'generate_series') return [{ name: 'generate_series', type: argTypes[0] ?? INT }];
    if (name === 'unnest') {
      const t = argTypes[0];
      return [{ name: 'unnest', type: t?.kind === 'ARRAY' ? t.element : STRING }];
    }
    throw new Error(`unknown table function ${name}`);
  },
}));

function bind(q: Query, paramTypes: (SqlType | undefined)[] = []) {
  return bindQuery(q, testContext({ paramTypes }));
}

function plan(q: Query): LogicalPlan {
  return bind(q).plan;
}

function fails(f: () => unknown): SqlError {
  try {
    f();
  } catch (err) {
    if (err instanceof SqlError) return err;
    throw err;
  }
  throw new Error('expected an error');
}

function kinds(p: LogicalPlan): string {
  switch (p.kind) {
    case 'scan':
    case 'values':
      return p.kind;
    case 'join':
    case 'set-op':
      return `${p.kind}(${kinds(p.left)}, ${kinds(p.right)})`;
    case 'union':
      return `union(${p.inputs.map(kinds).join(', ')})`;
    case 'table-function':
      return p.input === undefined ? 'table-function' : `table-function(${kinds(p.input)})`;
    default:
      return `${p.kind}(${kinds(p.input)})`;
  }
}

const names = (p: LogicalPlan): string[] => p.schema.map((c) => c.name);
const types = (p: LogicalPlan): string[] => p.schema.map((c) => c.type.kind);

describe('relations and names', () => {
  it('scans a stored table and resolves columns', () => {
    const p = plan(query(select([item(col('a')), item(col('t.b'))], [table('t')])));
    expect(kinds(p)).toBe('project(scan)');
    expect(names(p)).toEqual(['a', 'b']);
    expect(p.schema[0]).toMatchObject({ tableOid: 16384, attnum: 1, nullable: false });
    expect(p.schema[1]).toMatchObject({ tableOid: 16384, attnum: 2 });
    const scan = (p as { input: LogicalPlan }).input;
    expect(scan).toMatchObject({ kind: 'scan', source: 'stored', relationId: 16384, columns: [0, 1, 2], unbounded: false });
  });

  it('expands * and t.*, with schema-qualified columns', () => {
    const p = plan(query(select([star()], [table('t')])));
    expect(names(p)).toEqual(['a', 'b', 'c']);
    const q = plan(query(select([star('x'), item(col('public.t.a'))], [table('t', 'x'), table('t')])));
    expect(fails(() => plan(query(select([item(col('public.t.a'))], [table('t', 'x')])))).code).toBe('42P01');
    expect(names(q)).toEqual(['a', 'b', 'c', 'a']);
  });

  it('adds computed columns over the physical scan', () => {
    const p = plan(query(select([star()], [table('events')])));
    expect(names(p)).toEqual(['id', 'doubled', 'ts']);
    expect(types(p)).toEqual(['BIGINT', 'BIGINT', 'TIMESTAMP']);
    const inner = (p as { input: LogicalPlan }).input;
    expect(inner.kind).toBe('project');
    const scan = (inner as { input: LogicalPlan }).input;
    expect(scan).toMatchObject({ kind: 'scan', columns: [0, 1] });
    expect(scan.schema.map((c) => c.attnum)).toEqual([1, 3]);
  });

  it('marks datagen connector tables unbounded', () => {
    const p = plan(query(select([star()], [table('gen')])));
    expect((p as { input: LogicalPlan }).input).toMatchObject({ kind: 'scan', source: 'connector', unbounded: true });
    const q = plan(query(select([star()], [table('seq')])));
    expect((q as { input: LogicalPlan }).input).toMatchObject({ kind: 'scan', source: 'connector', unbounded: false });
  });

  it('reports unknown relations and columns with positions', () => {
    const e1 = fails(() => plan(query(select([star()], [table('nope', undefined, 14)]))));
    expect([e1.code, e1.message, e1.position]).toEqual(['42P01', 'relation "nope" does not exist', 14]);
    const e2 = fails(() => plan(query(select([item(col('zz', 7))], [table('t')]))));
    expect([e2.code, e2.message, e2.position]).toEqual(['42703', 'column "zz" does not exist', 7]);
    const e3 = fails(() => plan(query(select([item(col('a', 7))], [table('t'), table('u')]))));
    expect([e3.code, e3.message, e3.position]).toEqual(['42702', 'column reference "a" is ambiguous', 7]);
    const e4 = fails(() => plan(query(select([star()]))));
    expect(e4.code).toBe('42601');
  });

  it('joins with ON, extracting equi keys', () => {
    const p = plan(
      query(select([item(col('t.a')), item(col('d'))], [join('LEFT', table('t'), table('u'), { on: bin('=', col('t.a'), col('u.a')) })])),
    );
    const j = (p as { input: LogicalPlan }).input;
    expect(j).toMatchObject({ kind: 'join', joinType: 'LEFT' });
    if (j.kind !== 'join') throw new Error();
    expect(j.equiKeys).toHaveLength(1);
    expect(j.equiKeys[0]!.right).toEqual({ kind: 'column', type: INT, index: 0 });
    expect(j.condition).toBeUndefined();
    expect(p.schema[1]!.nullable).toBe(true);
  });

  it('merges USING columns first and hides them from *', () => {
    const p = plan(query(select([star()], [join('FULL', table('t'), table('u'), { using: ['a'] })])));
    expect(names(p)).toEqual(['a', 'b', 'c', 'd']);
    const q = plan(query(select([item(col('a')), item(col('t.a')), item(col('u.a'))], [join('INNER', table('t'), table('u'), { natural: true })])));
    expect(names(q)).toEqual(['a', 'a', 'a']);
    const e = fails(() => plan(query(select([star()], [join('INNER', table('t'), table('u'), { using: ['b'] })]))));
    expect(e.code).toBe('42703');
  });

  it('binds table functions in FROM, lateral over earlier items', () => {
    const p = plan(query(select([star()], [{ kind: 'function', call: call('generate_series', [num('1'), num('3')]), alias: { name: id('s'), columns: [] }, lateral: false, ordinality: true, tableWrapper: false, pos: 0 }])));
    expect(names(p)).toEqual(['s', 'ordinality']);
    expect(types(p)).toEqual(['INT', 'BIGINT']);
    const q = plan(query(select([item(col('a')), item(col('g'))], [table('t'), { kind: 'function', call: call('generate_series', [num('1'), col('a')]), alias: { name: id('g'), columns: [] }, lateral: false, ordinality: false, tableWrapper: false, pos: 0 }])));
    expect(kinds(q)).toBe('project(table-function(scan))');
  });

  it('binds CTEs and views inline', () => {
    const cte = { name: id('w'), columns: [id('x')], query: query(select([item(col('a'))], [table('t')])), pos: 0 };
    const p = plan(query(select([item(col('x'))], [table('w')]), { with: [cte] }));
    expect(names(p)).toEqual(['x']);
    expect(kinds(p)).toContain('scan');
  });
});

describe('expressions', () => {
  const expr = (e: Expr, from = [table('t')]) => {
    const p = plan(query(select([item(e)], from)));
    if (p.kind !== 'project') throw new Error(p.kind);
    return { e: p.exprs[0]!, name: p.schema[0]!.name };
  };

  it('types number literals', () => {
    expect(expr(num('1'), []).e).toEqual({ kind: 'literal', type: INT, value: 1 });
    expect(expr(num('3000000000'), []).e).toEqual({ kind: 'literal', type: BIGINT, value: 3000000000n });
    expect(expr(num('1.50'), []).e).toEqual({ kind: 'literal', type: decimal(3, 2), value: 150n });
    expect(expr(num('1e3'), []).e).toMatchObject({ type: { kind: 'DOUBLE' }, value: 1000 });
    expect(expr({ kind: 'unary', op: '-', operand: num('2147483648'), pos: 0 }, []).e).toEqual({ kind: 'literal', type: INT, value: -2147483648 });
  });

  it('adapts string literals to the other operand', () => {
    const { e } = expr(bin('=', col('a'), str('3')));
    expect(e).toMatchObject({ kind: 'call', name: '=', args: [{ kind: 'column' }, { kind: 'literal', type: INT, value: 3 }] });
    const ts = plan(query(select([star()], [table('events')], { where: bin('>', col('ts'), str('2024-01-01 00:00:00')) })));
    const f = (ts as { input: LogicalPlan }).input;
    expect(f).toMatchObject({ kind: 'filter', predicate: { args: [{}, { kind: 'literal', type: { kind: 'TIMESTAMP' } }] } });
    const bad = fails(() => expr(bin('=', col('a'), str('x', 9))));
    expect([bad.code, bad.position]).toEqual(['22P02', 9]);
    expect(expr(str('hi'), []).e.type).toEqual(STRING);
  });

  it('reads untyped literals next to date-times as intervals when they are', () => {
    const ctx = testContext({
      functions: {
        ...testContext().functions,
        resolveScalar: (name, argTypes) =>
          name === '-'
            ? { id: 'ts-iv', argTypes: [...argTypes], returnType: argTypes[0]!, strict: true, volatile: false }
            : testContext().functions.resolveScalar(name, argTypes),
      },
    });
    const q = query(select([item(bin('-', col('ts'), str('1 day')))], [table('events')]));
    const p = bindQuery(q, ctx).plan;
    if (p.kind !== 'project') throw new Error();
    expect(p.exprs[0]).toMatchObject({ args: [{}, { kind: 'literal', type: { kind: 'INTERVAL_DAY_TIME' }, value: 86_400_000_000 }] });
  });

  it('rejects duplicate FROM names', () => {
    expect(fails(() => plan(query(select([item(num('1'))], [table('t'), table('t')])))).code).toBe('42712');
  });

  it('inserts implicit casts from the resolved overload', () => {
    const { e, name } = expr(bin('+', col('a'), col('c')));
    expect(name).toBe('?column?');
    expect(e).toMatchObject({ kind: 'call', type: { kind: 'DOUBLE' }, args: [{ kind: 'cast', type: { kind: 'DOUBLE' } }, { kind: 'column' }] });
  });

  it('names result columns like Postgres', () => {
    expect(expr(call('upper', [col('b')])).name).toBe('upper');
    expect(expr(cast(num('1'), typeName('INT')), []).name).toBe('int4');
    expect(expr(cast(col('a'), typeName('BIGINT'))).name).toBe('a');
    expect(expr(cast(cast(str('t'), typeName('regclass')), typeName('oid')), []).name).toBe('oid');
    expect(expr({ kind: 'case', whens: [{ when: bin('>', col('a'), num('1')), then: num('1') }], pos: 0 }).name).toBe('case');
    expect(expr(call('count', [starArg])).name).toBe('count');
  });

  it('rewrites BETWEEN, simple CASE and IS TRUE', () => {
    const b = expr({ kind: 'between', operand: col('a'), low: num('1'), high: num('5'), not: false, symmetric: false, pos: 0 }).e;
    expect(b).toMatchObject({ kind: 'and', args: [{ name: '>=' }, { name: '<=' }] });
    const c = expr({ kind: 'case', operand: col('a'), whens: [{ when: num('1'), then: str('one') }], else: str('other'), pos: 0 }).e;
    expect(c).toMatchObject({ kind: 'case', type: STRING, whens: [{ when: { name: '=' } }] });
    const t = expr({ kind: 'is-bool', operand: bin('>', col('a'), num('1')), value: true, not: false, pos: 0 }).e;
    expect(t).toMatchObject({ kind: 'case', whens: [{ then: { value: true } }], else: { value: false } });
  });

  it('unifies IN lists, COALESCE and ANY(array)', () => {
    const i = expr({ kind: 'in-list', operand: col('a'), list: [num('1'), num('2.5')], not: false, pos: 0 }).e;
    expect(i).toMatchObject({ kind: 'in-list', operand: { kind: 'cast', type: { kind: 'DECIMAL' } } });
    const c = expr(call('coalesce', [col('b'), str('x')])).e;
    expect(c).toMatchObject({ kind: 'coalesce', type: STRING });
    const q = expr({ kind: 'quantified', operand: col('a'), op: '=', quantifier: 'ANY', right: { kind: 'expr', expr: { kind: 'array', elements: [num('1'), num('2')], pos: 0 } }, pos: 0 }).e;
    expect(q).toMatchObject({ kind: 'call', fn: 'any:=', args: [{ type: INT }, { type: arrayOf(INT) }] });
  });

  it('checks casts and evaluates typed literals at bind time', () => {
    const d = expr({ kind: 'typed-literal', type: typeName('DATE'), value: '1970-01-02', pos: 0 }, []).e;
    expect(d).toEqual({ kind: 'literal', type: { kind: 'DATE' }, value: 1 });
    const iv = expr({ kind: 'interval', value: '5', qualifier: { from: 'SECOND' }, pos: 0 }, []).e;
    expect(iv).toEqual({ kind: 'literal', type: { kind: 'INTERVAL_DAY_TIME' }, value: 5_000_000 });
    const e = fails(() => expr(cast(col('d'), typeName('BOOLEAN'), 4), [table('u')]));
    expect([e.code, e.message, e.position]).toEqual(['42846', 'cannot cast type date to boolean', 4]);
    const r = expr(cast(str('t'), typeName('regclass')), []).e;
    expect(r).toEqual({ kind: 'literal', type: { kind: 'REGCLASS' }, value: 16384 });
    const u = fails(() => expr(cast(num('1'), { ...typeName('foo'), pos: 6 }), []));
    expect([u.code, u.message, u.position]).toEqual(['42704', 'type "foo" does not exist', 6]);
  });

  it('reports unknown functions and operators', () => {
    const e = fails(() => expr(call('nosuch', [col('a')], { pos: 7 })));
    expect([e.code, e.message, e.position]).toEqual(['42883', 'function nosuch(integer) does not exist', 7]);
    expect(e.hint).toContain('explicit type casts');
    const o = fails(() => expr(bin('+', col('a'), col('b'), 3)));
    expect([o.code, o.message, o.position]).toEqual(['42883', 'operator does not exist: integer + text', 3]);
    const l = fails(() => expr(call('upper', [col('a')], { pos: 2 })));
    expect([l.code, l.position]).toEqual(['42883', 2]);
  });

  it('requires boolean WHERE', () => {
    const e = fails(() => plan(query(select([star()], [table('t')], { where: { ...col('a'), pos: 22 } }))));
    expect([e.code, e.message, e.position]).toEqual(['42804', 'argument of WHERE must be type boolean, not type integer', 22]);
  });

  it('binds correlated subqueries as outer references', () => {
    const sub = query(select([item(col('d'))], [table('u')], { where: bin('=', col('u.a'), col('t.a')) }));
    const { e } = expr({ kind: 'subquery', query: sub, array: false, pos: 0 });
    expect(e).toMatchObject({ kind: 'subquery', mode: 'scalar', correlated: true, type: { kind: 'DATE' } });
    const unc = expr({ kind: 'exists', query: query(select([item(num('1'))], [table('u')])), pos: 0 }).e;
    expect(unc).toMatchObject({ kind: 'subquery', mode: 'exists', correlated: false });
    const inq = expr({ kind: 'in-subquery', operand: col('a'), query: query(select([item(col('a'))], [table('u')])), not: true, pos: 0 }).e;
    expect(inq).toMatchObject({ kind: 'not', operand: { kind: 'subquery', mode: 'any', op: '=(INT)' } });
    if (e.kind !== 'subquery' || e.plan.kind !== 'project') throw new Error();
    const filter = e.plan.input;
    expect(filter).toMatchObject({ kind: 'filter', predicate: { args: [{ kind: 'column', index: 0 }, { kind: 'outer', depth: 1, index: 0 }] } });
  });
});

describe('aggregation, windows, ordering', () => {
  it('groups and rewrites select expressions over the aggregate', () => {
    const p = plan(
      query(select([item(col('b')), item(call('sum', [col('a')]), 'total')], [table('t')], { groupBy: [col('b')], having: bin('>', call('count', [starArg]), num('1')) })),
    );
    expect(kinds(p)).toBe('project(filter(aggregate(scan)))');
    expect(names(p)).toEqual(['b', 'total']);
    expect(types(p)).toEqual(['VARCHAR', 'BIGINT']);
    if (p.kind !== 'project') throw new Error();
    expect(p.exprs).toEqual([
      { kind: 'column', type: STRING, index: 0 },
      { kind: 'column', type: BIGINT, index: 1 },
    ]);
    const agg = (p.input as { input: LogicalPlan }).input;
    expect(agg).toMatchObject({ kind: 'aggregate', aggregates: [{ fn: 'sum' }, { fn: 'count_star' }] });
  });

  it('groups by ordinal and by output alias', () => {
    const p = plan(query(select([item(call('upper', [col('b')]), 'ub'), item(call('count', [starArg]))], [table('t')], { groupBy: [col('ub')] })));
    expect(kinds(p)).toBe('project(aggregate(scan))');
    const q = plan(query(select([item(call('upper', [col('b')])), item(call('count', [starArg]))], [table('t')], { groupBy: [num('1')] })));
    expect(types(q)).toEqual(['VARCHAR', 'BIGINT']);
  });

  it('expands ROLLUP into a union of aggregates with NULL keys', () => {
    const sel = select([item(col('b')), item(col('a')), item(call('count', [starArg]))], [table('t')]);
    const p = plan(query({ ...sel, groupBy: [{ kind: 'rollup', sets: [[col('b')], [col('a')]], pos: 0 }] }));
    expect(kinds(p)).toBe('project(union(project(aggregate(scan)), project(aggregate(scan)), project(aggregate(scan))))');
    const u = (p as { input: LogicalPlan }).input;
    if (u.kind !== 'union') throw new Error();
    expect(u.inputs.map((b) => (b as unknown as { input: { groupKeys: unknown[] } }).input.groupKeys.length)).toEqual([2, 1, 0]);
    expect((u.inputs[2] as unknown as { exprs: unknown[] }).exprs.slice(0, 2)).toEqual([
      { kind: 'literal', type: STRING, value: null },
      { kind: 'literal', type: INT, value: null },
    ]);
  });

  it('rejects ungrouped columns and nested aggregates', () => {
    const e = fails(() => plan(query(select([item(col('a', 7)), item(call('count', [starArg]))], [table('t')]))));
    expect([e.code, e.message, e.position]).toEqual(['42803', 'column "t.a" must appear in the GROUP BY clause or be used in an aggregate function', 7]);
    const n = fails(() => plan(query(select([item(call('sum', [call('sum', [col('a')], { pos: 11 })]))], [table('t')]))));
    expect([n.code, n.position]).toEqual(['42803', 11]);
    const w = fails(() => plan(query(select([star()], [table('t')], { where: bin('>', call('sum', [col('a')], { pos: 3 }), num('1')) }))));
    expect([w.code, w.message]).toEqual(['42803', 'aggregate functions are not allowed in WHERE']);
  });

  it('binds DISTINCT and FILTER aggregates', () => {
    const p = plan(query(select([item(call('count', [col('b')], { distinct: true, filter: bin('>', col('a'), num('0')) }))], [table('t')])));
    const agg = (p as { input: LogicalPlan }).input;
    expect(agg).toMatchObject({ kind: 'aggregate', groupKeys: [], aggregates: [{ fn: 'count', distinct: true, filter: { kind: 'call', name: '>' } }] });
  });

  it('puts window functions after aggregation', () => {
    const over = { partitionBy: [col('b')], orderBy: [order(col('a'))], pos: 0 };
    const p = plan(query(select([item(col('a')), item(call('row_number', [], { over }))], [table('t')])));
    expect(kinds(p)).toBe('project(window(scan))');
    expect(p.schema[1]).toMatchObject({ name: 'row_number', type: BIGINT });
    if (p.kind !== 'project') throw new Error();
    expect(p.exprs[1]).toEqual({ kind: 'column', type: BIGINT, index: 3 });
  });

  it('sorts by ordinal, alias and hidden expressions, then limits', () => {
    const p = plan(query(select([item(col('a'), 'x')], [table('t')]), { orderBy: [order(col('x'), true), order(col('c'))], limit: num('10'), offset: param(1) }));
    expect(kinds(p)).toBe('project(limit(sort(project(scan))))');
    expect(names(p)).toEqual(['x']);
    const sort = (p as { input: { input: LogicalPlan } }).input.input;
    expect(sort).toMatchObject({ kind: 'sort', keys: [{ desc: true, nullsFirst: true, expr: { index: 0 } }, { desc: false, nullsFirst: false, expr: { index: 1 } }] });
    const lim = (p as { input: LogicalPlan }).input;
    expect(lim).toMatchObject({ limit: { type: BIGINT, value: 10n }, offset: { kind: 'param', type: BIGINT } });
    const d = fails(() => plan(query(select([item(col('a'))], [table('t')], { distinct: true }), { orderBy: [order(col('c', 5))] })));
    expect([d.code, d.position]).toEqual(['42P10', 5]);
  });

  it('binds DISTINCT ON as the first row per group', () => {
    const sel = { ...select([item(col('b')), item(col('a'))], [table('t')]), distinct: true, distinctOn: [col('b')] };
    const p = plan(query(sel, { orderBy: [order(col('b')), order(col('c'), true)] }));
    expect(kinds(p)).toBe('project(sort(project(filter(window(project(scan))))))');
    const e = fails(() => plan(query(sel, { orderBy: [order(col('c', 9))] })));
    expect([e.code, e.position]).toEqual(['42P10', 9]);
  });

  it('unifies set operation column types', () => {
    const p = plan(query({ kind: 'set-op', op: 'UNION', all: false, left: select([item(col('a'))], [table('t')]), right: select([item(col('c'))], [table('t')]), pos: 0 }));
    expect(kinds(p)).toBe('distinct(union(project(project(scan)), project(scan)))');
    expect(types(p)).toEqual(['DOUBLE']);
    const e = fails(() => plan(query({ kind: 'set-op', op: 'EXCEPT', all: false, left: select([item(col('a'))], [table('t')]), right: select([item(col('d'))], [table('u')]), pos: 3 })));
    expect([e.code, e.message, e.position]).toEqual(['42804', 'EXCEPT types integer and date cannot be matched', 3]);
  });

  it('binds VALUES with unified column types and SELECT without FROM', () => {
    const p = plan(query({ kind: 'values', rows: [[num('1'), str('a')], [num('2.5'), nul()]], pos: 0 }));
    expect(names(p)).toEqual(['column1', 'column2']);
    expect(types(p)).toEqual(['DECIMAL', 'VARCHAR']);
    const s = plan(query(select([item(num('1'))])));
    expect(kinds(s)).toBe('project(values)');
  });
});

describe('parameters', () => {
  it('infers parameter types from context and defaults to text', () => {
    const r = bind(query(select([item(param(2))], [table('t')], { where: bin('=', col('a'), param(1)) })));
    expect(r.paramTypes).toEqual([INT, STRING]);
    const declared = bind(query(select([item(param(1))], [])), [BIGINT]);
    expect(declared.paramTypes).toEqual([BIGINT]);
    const viaCast = bind(query(select([item(cast(param(1), typeName('DATE')))], [])));
    expect(viaCast.paramTypes).toEqual([{ kind: 'DATE' }]);
  });

  it('binds scalars against a schema', () => {
    const e = bindScalar(bin('>', col('x'), param(1)), [{ name: 'x', type: INT, nullable: true }], testContext());
    expect(e).toMatchObject({ kind: 'call', args: [{ kind: 'column', index: 0 }, { kind: 'param', type: INT }] });
  });
});

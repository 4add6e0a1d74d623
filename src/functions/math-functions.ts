/**
 * Math functions. Exact types stay exact: abs/ceil/floor/round/trunc/sign of an
 * integer or DECIMAL keep the argument's type family (ceil/floor/round without
 * a scale give DECIMAL(p, 0) for DECIMAL, as Flink); DECIMAL rounding is half
 * away from zero, DOUBLE round() half to even (Postgres uses rint()). The
 * transcendental functions work on DOUBLE; ln/log of zero or a negative
 * number give 2201E, sqrt of a negative 2201F, as Postgres. Unconstrained NUMERIC
 * stays NUMERIC for abs/ceil/floor/round/trunc/sign with Postgres' result scales
 * (abs keeps the scale, round/trunc(x, s) give scale max(s, 0), the others 0).
 */
import { BIGINT, DOUBLE, INT, isIntegral, NUMERIC, type SqlType } from '../../catalog/types.ts';
import { SqlError } from '../errors.ts';
import { pow10, rescale, roundDiv10 } from '../values/decimal.ts';
import {
  Numeric,
  numericAbs,
  numericCeil,
  numericFloor,
  numericRound,
  numericTrunc,
} from '../values/numeric.ts';
import { adjustedDecimal } from './coercion.ts';
import { checkBigint, checkFloat, checkSmallInt, divisionByZero } from './numeric-errors.ts';
import { fixed, generic, paramCost, pure } from './registry.ts';
import type { ScalarImpl } from './signatures.ts';

const ANY_DECIMAL: SqlType = { kind: 'DECIMAL', precision: 38, scale: 0 };
const NUMERIC_FAMILIES: readonly SqlType[] = [
  { kind: 'SMALLINT' },
  INT,
  BIGINT,
  ANY_DECIMAL,
  NUMERIC,
  { kind: 'FLOAT' },
  DOUBLE,
];

/** Registers `name(x)` for every numeric family, picking the cheapest. */
function unaryNumeric(
  names: string | readonly string[],
  returns: (t: SqlType) => SqlType,
  impl: (t: SqlType, rt: SqlType) => ScalarImpl,
): void {
  generic({
    name: names,
    id: typeof names === 'string' ? names : names[0]!,
    match: (args) => {
      if (args.length !== 1) return undefined;
      const a = args[0]!.kind === 'TINYINT' ? { kind: 'SMALLINT' as const } : args[0]!;
      if (a.kind === 'NULL') return { argTypes: [DOUBLE], returnType: returns(DOUBLE), cost: 1 };
      for (const p of NUMERIC_FAMILIES) {
        const c = paramCost(a, p);
        if (c !== undefined) return { argTypes: [c.target], returnType: returns(c.target), cost: c.cost };
      }
      return undefined;
    },
    make: (argTypes, rt) => impl(argTypes[0]!, rt),
  });
}

function rint(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** DECIMAL(p, s) rounded / truncated to 0 fraction digits has this type. */
function decimalNoScale(t: SqlType): SqlType {
  if (t.kind !== 'DECIMAL') return t;
  return adjustedDecimal(Math.max(1, t.precision - t.scale + (t.scale > 0 ? 1 : 0)), 0);
}

function floorDiv(v: bigint, d: bigint): bigint {
  const q = v / d;
  return v % d !== 0n && (v < 0n) !== (d < 0n) ? q - 1n : q;
}

unaryNumeric(['abs'], (t) => t, (t) => {
  if (t.kind === 'BIGINT') return (a) => checkBigint((a[0] as bigint) < 0n ? -(a[0] as bigint) : (a[0] as bigint));
  if (t.kind === 'DECIMAL') return (a) => ((a[0] as bigint) < 0n ? -(a[0] as bigint) : (a[0] as bigint));
  if (t.kind === 'NUMERIC') return (a) => numericAbs(a[0] as Numeric);
  if (isIntegral(t)) return (a) => checkSmallInt(t.kind, Math.abs(a[0] as number));
  return (a) => Math.abs(a[0] as number);
});

for (const [names, mode] of [
  [['ceil', 'ceiling'], 'ceil'],
  [['floor'], 'floor'],
] as const) {
  unaryNumeric(names, decimalNoScale, (t, rt) => {
    if (t.kind === 'NUMERIC') return mode === 'floor' ? (a) => numericFloor(a[0] as Numeric) : (a) => numericCeil(a[0] as Numeric);
    if (t.kind === 'DECIMAL') {
      const d = pow10(t.scale);
      return (a) => {
        const v = a[0] as bigint;
        const f = floorDiv(v, d);
        const r = mode === 'floor' ? f : f * d === v ? f : f + 1n;
        return rt.kind === 'DECIMAL' && rt.scale > 0 ? r * pow10(rt.scale) : r;
      };
    }
    if (isIntegral(t)) return (a) => a[0]!;
    // -0 stays -0 (ceil(-0.5) prints `-0`, as Postgres' float8 ceil).
    return mode === 'ceil' ? (a) => Math.ceil(a[0] as number) : (a) => Math.floor(a[0] as number);
  });
}

unaryNumeric(['round'], decimalNoScale, (t, rt) => {
  if (t.kind === 'DECIMAL') return (a) => rescale(rescale(a[0] as bigint, t.scale, 0), 0, (rt as { scale: number }).scale);
  if (t.kind === 'NUMERIC') return (a) => numericRound(a[0] as Numeric, 0);
  if (isIntegral(t)) return (a) => a[0]!;
  return (a) => rint(a[0] as number);
});
unaryNumeric(['trunc', 'truncate'], decimalNoScale, (t) => {
  if (t.kind === 'DECIMAL') return (a) => (a[0] as bigint) / pow10(t.scale);
  if (t.kind === 'NUMERIC') return (a) => numericTrunc(a[0] as Numeric, 0);
  if (isIntegral(t)) return (a) => a[0]!;
  return (a) => Math.trunc(a[0] as number);
});

/** round/trunc(x, s): DECIMAL keeps its type's scale; the value is rounded at digit s. */
function scaled(name: string, round: boolean): void {
  generic({
    name: name === 'trunc' ? ['trunc', 'truncate'] : name,
    id: `${name}(x,s)`,
    match: (args) => {
      if (args.length !== 2) return undefined;
      const s = paramCost(args[1]!, INT);
      if (s === undefined) return undefined;
      const a = args[0]!;
      if (a.kind === 'DOUBLE' || a.kind === 'FLOAT') return { argTypes: [a, INT], returnType: a, cost: s.cost };
      if (a.kind === 'NUMERIC') return { argTypes: [a, INT], returnType: a, cost: s.cost };
      const c = paramCost(a, ANY_DECIMAL);
      if (c === undefined) return undefined;
      const t = c.target.kind === 'NULL' ? { kind: 'DECIMAL' as const, precision: 38, scale: 6 } : c.target;
      const rt = isIntegral(a) ? a : t;
      return { argTypes: [t, INT], returnType: rt, cost: c.cost + s.cost };
    },
    make: (argTypes, rt) => {
      const t = argTypes[0]!;
      if (t.kind === 'NUMERIC') {
        return round ? (a) => numericRound(a[0] as Numeric, a[1] as number) : (a) => numericTrunc(a[0] as Numeric, a[1] as number);
      }
      if (t.kind === 'DECIMAL') {
        const from = t.scale;
        const toScale = rt.kind === 'DECIMAL' ? rt.scale : 0;
        return (a) => {
          const digits = a[1] as number;
          const v = a[0] as bigint;
          let r: bigint;
          if (digits >= from) r = v;
          else if (round) r = roundDiv10(v, from - digits) * pow10(from - digits);
          else r = (v / pow10(from - digits)) * pow10(from - digits);
          const out = rescale(r, from, toScale);
          return rt.kind === 'DECIMAL' ? out : isIntegral(rt) && rt.kind !== 'BIGINT' ? Number(out) : out;
        };
      }
      return (a) => {
        const f = 10 ** (a[1] as number);
        const x = (a[0] as number) * f;
        return (round ? (x < 0 ? -Math.round(-x) : Math.round(x)) : Math.trunc(x)) / f + 0;
      };
    },
  });
}
scaled('round', true);
scaled('trunc', false);

unaryNumeric(['sign'], (t) => t, (t) => {
  if (t.kind === 'BIGINT') return (a) => BigInt(Math.sign(Number(a[0] as bigint)));
  if (t.kind === 'DECIMAL') {
    const one = pow10(t.scale);
    return (a) => ((a[0] as bigint) > 0n ? one : (a[0] as bigint) < 0n ? -one : 0n);
  }
  if (t.kind === 'NUMERIC') {
    return (a) => {
      const u = (a[0] as Numeric).unscaled;
      return new Numeric(u > 0n ? 1n : u < 0n ? -1n : 0n, 0);
    };
  }
  return (a) => Math.sign(a[0] as number) + 0;
});

function dbl(names: string | readonly string[], f: (x: number) => number, check?: (x: number) => void): void {
  fixed({
    name: names,
    params: [DOUBLE],
    returns: DOUBLE,
    make: pure((a) => {
      const x = a[0] as number;
      if (check) check(x);
      return checkFloat(f(x), Number.isFinite(x), false);
    }),
  });
}

const logCheck = (x: number): void => {
  if (x === 0) throw new SqlError('2201E', 'cannot take logarithm of zero');
  if (x < 0) throw new SqlError('2201E', 'cannot take logarithm of a negative number');
};

dbl('sqrt', Math.sqrt, (x) => {
  if (x < 0) throw new SqlError('2201F', 'cannot take square root of a negative number');
});
dbl('cbrt', Math.cbrt);
dbl('exp', Math.exp);
dbl('ln', Math.log, logCheck);
dbl(['log10', 'log'], Math.log10, logCheck);
dbl('log2', Math.log2, logCheck);
dbl('sin', Math.sin);
dbl('cos', Math.cos);
dbl('tan', Math.tan);
dbl('cot', (x) => 1 / Math.tan(x));
dbl('asin', Math.asin);
dbl('acos', Math.acos);
dbl('atan', Math.atan);
dbl('sinh', Math.sinh);
dbl('cosh', Math.cosh);
dbl('tanh', Math.tanh);
dbl('degrees', (x) => (x * 180) / Math.PI);
dbl('radians', (x) => (x * Math.PI) / 180);
fixed({ name: 'atan2', params: [DOUBLE, DOUBLE], returns: DOUBLE, make: pure((a) => Math.atan2(a[0] as number, a[1] as number)) });
fixed({
  name: 'log',
  params: [DOUBLE, DOUBLE],
  returns: DOUBLE,
  make: pure((a) => {
    logCheck(a[0] as number);
    logCheck(a[1] as number);
    if ((a[0] as number) === 1) throw divisionByZero();
    return Math.log(a[1] as number) / Math.log(a[0] as number);
  }),
});
fixed({
  name: ['power', 'pow', '^'],
  params: [DOUBLE, DOUBLE],
  returns: DOUBLE,
  make: pure((a) => {
    const x = a[0] as number;
    const y = a[1] as number;
    if (x === 0 && y < 0) throw new SqlError('2201F', 'zero raised to a negative power is undefined');
    if (x < 0 && !Number.isInteger(y)) {
      throw new SqlError('2201F', 'a negative number raised to a non-integer power yields a complex result');
    }
    return checkFloat(x ** y, Number.isFinite(x) && Number.isFinite(y), false);
  }),
});
fixed({ name: 'pi', params: [], returns: DOUBLE, make: pure(() => Math.PI) });
fixed({ name: 'e', params: [], returns: DOUBLE, make: pure(() => Math.E) });
fixed({ name: ['random', 'rand'], params: [], returns: DOUBLE, volatile: true, make: () => () => Math.random() });
fixed({
  name: 'rand_integer',
  params: [INT],
  returns: INT,
  volatile: true,
  make: () => (a) => Math.floor(Math.random() * (a[0] as number)),
});
fixed({ name: 'uuid', params: [], returns: { kind: 'VARCHAR', length: 2147483647 }, volatile: true, make: () => () => crypto.randomUUID() });
fixed({ name: 'gen_random_uuid', params: [], returns: { kind: 'UUID' }, volatile: true, make: () => () => crypto.randomUUID() });
fixed({
  name: 'bin',
  params: [BIGINT],
  returns: { kind: 'VARCHAR', length: 2147483647 },
  make: pure((a) => BigInt.asUintN(64, a[0] as bigint).toString(2)),
});
fixed({
  name: 'hex',
  params: [BIGINT],
  returns: { kind: 'VARCHAR', length: 2147483647 },
  make: pure((a) => BigInt.asUintN(64, a[0] as bigint).toString(16).toUpperCase()),
});
fixed({
  name: 'hex',
  params: [{ kind: 'VARCHAR', length: 2147483647 }],
  returns: { kind: 'VARCHAR', length: 2147483647 },
  make: pure((a) => Buffer.from(a[0] as string, 'utf8').toString('hex').toUpperCase()),
});

/** Exposed for tests. */
export function roundHalfEven(x: number): number {
  return rint(x);
}


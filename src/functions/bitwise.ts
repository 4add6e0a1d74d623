/**
 * Bitwise operators on integers (Postgres): & | # (xor) ~ (not) << >>.
 * Both operands take the wider integer type; shifts take an INT count and
 * keep the left operand's type, wrapping within its width as Postgres does.
 */
import { INT, isIntegral, type SqlType, type Value } from '../../catalog/types.ts';
import { numericRank } from './coercion.ts';
import { generic, paramCost } from './registry.ts';
import type { ScalarImpl } from './signatures.ts';

const WIDTH: Partial<Record<SqlType['kind'], number>> = { TINYINT: 8, SMALLINT: 16, INT: 32, BIGINT: 64 };

function wrap(t: SqlType): (v: bigint) => Value {
  const bits = WIDTH[t.kind] ?? 32;
  return t.kind === 'BIGINT' ? (v) => BigInt.asIntN(64, v) : (v) => Number(BigInt.asIntN(bits, v));
}

function big(v: Value): bigint {
  return typeof v === 'bigint' ? v : BigInt(v as number);
}

function binary(op: '&' | '|' | '#', t: SqlType): ScalarImpl {
  const w = wrap(t);
  switch (op) {
    case '&':
      return (a) => w(big(a[0]!) & big(a[1]!));
    case '|':
      return (a) => w(big(a[0]!) | big(a[1]!));
    case '#':
      return (a) => w(big(a[0]!) ^ big(a[1]!));
  }
}

for (const op of ['&', '|', '#'] as const) {
  generic({
    name: op,
    id: `bit${op}`,
    match: (args) => {
      if (args.length !== 2) return undefined;
      const [a, b] = args as [SqlType, SqlType];
      const an = a.kind === 'NULL' ? b : a;
      const bn = b.kind === 'NULL' ? a : b;
      if (!isIntegral(an) || !isIntegral(bn)) return undefined;
      const t = numericRank(an) >= numericRank(bn) ? an : bn;
      return { argTypes: [t, t], returnType: t, cost: (a.kind === t.kind ? 0 : 1) + (b.kind === t.kind ? 0 : 1) };
    },
    make: (argTypes) => binary(op, argTypes[0]!),
  });
}

for (const op of ['<<', '>>'] as const) {
  generic({
    name: op,
    id: `bit${op}`,
    match: (args) => {
      if (args.length !== 2 || !isIntegral(args[0]!) || paramCost(args[1]!, INT) === undefined) return undefined;
      return { argTypes: [args[0]!, INT], returnType: args[0]!, cost: 0 };
    },
    make: (argTypes) => {
      const t = argTypes[0]!;
      const w = wrap(t);
      const bits = BigInt(WIDTH[t.kind] ?? 32);
      return op === '<<'
        ? (a) => w(big(a[0]!) << (BigInt(a[1] as number) % bits))
        : (a) => w(big(a[0]!) >> (BigInt(a[1] as number) % bits));
    },
  });
}

generic({
  name: '~',
  id: 'bit~',
  match: (args) => (args.length === 1 && isIntegral(args[0]!) ? { argTypes: args, returnType: args[0]!, cost: 0 } : undefined),
  make: (argTypes) => {
    const w = wrap(argTypes[0]!);
    return (a) => w(~big(a[0]!));
  },
});

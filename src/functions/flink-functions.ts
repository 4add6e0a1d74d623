/**
 * Flink-only scalar functions without a Postgres counterpart: IS_ALPHA,
 * IS_DIGIT, IS_DECIMAL, STR_TO_MAP, PARSE_URL, URL_ENCODE / URL_DECODE, SHA2
 * and the SHA family, RAND(seed) / RAND_INTEGER(seed, n) (deterministic per
 * seed within a call site), UNHEX, PROCTIME() and CURRENT_ROW_TIMESTAMP()
 * (the wall clock per evaluation, TIMESTAMP_LTZ(3)).
 */
import { createHash } from 'node:crypto';
import { BOOLEAN, BYTES, DOUBLE, INT, STRING, timestampLtz, type SqlType, type Value } from '../../catalog/types.ts';
import { SqlError, SqlState } from '../errors.ts';
import { fixed, generic, pure } from './registry.ts';

const MAP_SS: SqlType = { kind: 'MAP', key: STRING, value: STRING };

fixed({ name: 'is_alpha', params: [STRING], returns: BOOLEAN, make: pure((a) => /^\p{L}+$/u.test(a[0] as string)) });
fixed({ name: 'is_digit', params: [STRING], returns: BOOLEAN, make: pure((a) => /^[0-9]+$/.test(a[0] as string)) });
fixed({
  name: 'is_decimal',
  params: [STRING],
  returns: BOOLEAN,
  make: pure((a) => /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(a[0] as string)),
});

function strToMap(s: string, pairDelim: string, kvDelim: string): Map<Value, Value> {
  const out = new Map<Value, Value>();
  const pairRe = new RegExp(pairDelim, 'u');
  const kvRe = new RegExp(kvDelim, 'u');
  for (const pair of s.split(pairRe)) {
    const m = kvRe.exec(pair);
    if (m === null) out.set(pair, null);
    else out.set(pair.slice(0, m.index), pair.slice(m.index + m[0].length));
  }
  return out;
}

fixed({ name: 'str_to_map', params: [STRING], returns: MAP_SS, make: pure((a) => strToMap(a[0] as string, ',', '=')) });
fixed({
  name: 'str_to_map',
  params: [STRING, STRING, STRING],
  returns: MAP_SS,
  make: pure((a) => strToMap(a[0] as string, a[1] as string, a[2] as string)),
});

function parseUrl(url: string, part: string, key: string | undefined): Value {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  switch (part.toUpperCase()) {
    case 'HOST':
      return u.hostname;
    case 'PATH':
      return u.pathname;
    case 'QUERY':
      if (key !== undefined) return u.searchParams.get(key);
      return u.search === '' ? null : u.search.slice(1);
    case 'REF':
      return u.hash === '' ? null : u.hash.slice(1);
    case 'PROTOCOL':
      return u.protocol.replace(/:$/, '');
    case 'FILE':
      return u.pathname + u.search;
    case 'AUTHORITY':
      return u.host;
    case 'USERINFO':
      return u.username === '' ? null : u.password === '' ? u.username : `${u.username}:${u.password}`;
    default:
      return null;
  }
}

fixed({ name: 'parse_url', params: [STRING, STRING], returns: STRING, make: pure((a) => parseUrl(a[0] as string, a[1] as string, undefined)) });
fixed({
  name: 'parse_url',
  params: [STRING, STRING, STRING],
  returns: STRING,
  make: pure((a) => parseUrl(a[0] as string, a[1] as string, a[2] as string)),
});
fixed({
  name: 'url_encode',
  params: [STRING],
  returns: STRING,
  make: pure((a) => encodeURIComponent(a[0] as string).replace(/%20/g, '+').replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)),
});
fixed({
  name: 'url_decode',
  params: [STRING],
  returns: STRING,
  make: pure((a) => {
    try {
      return decodeURIComponent((a[0] as string).replace(/\+/g, ' '));
    } catch {
      return null;
    }
  }),
});

const SHA2_BITS: Readonly<Record<number, string>> = { 0: 'sha256', 224: 'sha224', 256: 'sha256', 384: 'sha384', 512: 'sha512' };
fixed({
  name: 'sha2',
  params: [STRING, INT],
  returns: STRING,
  make: pure((a) => {
    const alg = SHA2_BITS[a[1] as number];
    if (alg === undefined) return null;
    return createHash(alg).update(a[0] as string, 'utf8').digest('hex');
  }),
});
for (const alg of ['sha224', 'sha384', 'sha512']) {
  fixed({ name: alg, params: [STRING], returns: STRING, make: pure((a) => createHash(alg).update(a[0] as string, 'utf8').digest('hex')) });
}
fixed({
  name: 'unhex',
  params: [STRING],
  returns: BYTES,
  make: pure((a) => {
    const s = a[0] as string;
    if (!/^[0-9a-fA-F]*$/.test(s)) throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `invalid hexadecimal digit in "${s}"`);
    return Uint8Array.from(Buffer.from(s.length % 2 === 1 ? `0${s}` : s, 'hex'));
  }),
});

/** A seeded generator (mulberry32): the same seed gives the same sequence within one call site. */
function seeded(): (seed: number) => number {
  let lastSeed: number | undefined;
  let state = 0;
  return (seed) => {
    if (seed !== lastSeed) {
      lastSeed = seed;
      state = seed | 0;
    }
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

fixed({
  name: 'rand',
  params: [INT],
  returns: DOUBLE,
  volatile: true,
  make: () => {
    const next = seeded();
    return (a) => next(a[0] as number);
  },
});
fixed({
  name: 'rand_integer',
  params: [INT, INT],
  returns: INT,
  volatile: true,
  make: () => {
    const next = seeded();
    return (a) => Math.floor(next(a[0] as number) * (a[1] as number));
  },
});
// CURRENT_WATERMARK(rowtime): the input's current watermark, NULL before the first one and in
// bounded (batch) queries, typed as the rowtime column; typically `WHERE ts > CURRENT_WATERMARK(ts)`.
generic({
  name: 'current_watermark',
  id: 'current_watermark',
  strict: false,
  volatile: true,
  match: (argTypes) => {
    const t = argTypes[0];
    if (argTypes.length !== 1 || t === undefined || (t.kind !== 'TIMESTAMP' && t.kind !== 'TIMESTAMP_LTZ')) return undefined;
    return { argTypes: [t], returnType: t, cost: 0 };
  },
  make: () => (_a, ctx) => {
    const wm = ctx.currentWatermark?.() ?? null;
    return wm === null || !Number.isFinite(wm) || wm >= Number.MAX_SAFE_INTEGER ? null : wm;
  },
});
for (const name of ['proctime', 'current_row_timestamp']) {
  fixed({ name, params: [], returns: timestampLtz(3), volatile: true, make: () => () => Date.now() * 1000 });
}

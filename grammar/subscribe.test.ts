import { describe, expect, it } from 'vitest';
import type * as A from './ast.ts';
import { parseScript, parseSql, ParseError } from './parse.ts';
import { printStopJob, printSubscribe } from './printer.ts';

function one(text: string): A.ScriptStatement {
  const s = parseScript(text);
  expect(s).toHaveLength(1);
  return s[0]!;
}

function subscribe(text: string): A.Subscribe {
  const s = one(text);
  if (s.kind !== 'subscribe') throw new Error(`not a SUBSCRIBE: ${s.kind}`);
  return s;
}

function stopJob(text: string): A.StopJob {
  const s = one(text);
  if (s.kind !== 'stop-job') throw new Error(`not a STOP JOB: ${s.kind}`);
  return s;
}

function syntaxError(text: string): ParseError {
  try {
    parseScript(text);
  } catch (err) {
    if (err instanceof ParseError) return err;
    throw err;
  }
  throw new Error(`expected a syntax error: ${text}`);
}

/** Deep copy without positions and `quoted` (printed identifiers come back quoted). */
function norm(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(norm);
  if (x !== null && typeof x === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x)) {
      if (k === 'pos' || k === 'end' || k === 'quoted') continue;
      out[k] = norm(v);
    }
    return out;
  }
  return x;
}

const names = (q: A.QualifiedName): string[] => q.parts.map((p) => p.value);
const opts = (s: A.Subscribe): [string, string | boolean][] => s.options.map((o) => [o.key, o.value]);

describe('SUBSCRIBE', () => {
  it('takes a relation with or without TO', () => {
    for (const text of ['SUBSCRIBE TO t', 'SUBSCRIBE t', 'subscribe to T']) {
      const s = subscribe(text);
      expect(s.target.kind).toBe('relation');
      if (s.target.kind === 'relation') expect(names(s.target.name)).toEqual(['t']);
      expect(s.options).toEqual([]);
    }
    const q = subscribe('SUBSCRIBE TO db."My View"');
    expect(q.target).toMatchObject({ kind: 'relation', name: { parts: [{ value: 'db', quoted: false }, { value: 'My View', quoted: true }] } });
  });

  it('takes a parenthesised query', () => {
    const s = subscribe('SUBSCRIBE (SELECT a, count(*) FROM t GROUP BY a)');
    expect(s.target.kind).toBe('query');
    if (s.target.kind !== 'query') return;
    expect(s.target.query.body).toMatchObject({ kind: 'select', groupBy: [{ kind: 'expr' }], from: [{ kind: 'named' }] });
    expect(subscribe('SUBSCRIBE TO (VALUES (1), (2))').target).toMatchObject({ kind: 'query', query: { body: { kind: 'values' } } });
    expect(subscribe('SUBSCRIBE TO (WITH x AS (SELECT 1) SELECT * FROM x)').target).toMatchObject({ kind: 'query', query: { with: [{ name: { value: 'x' } }] } });
  });

  it('reads options: lower-cased keys, booleans, bare keys, other values as text', () => {
    expect(opts(subscribe('SUBSCRIBE t WITH (SNAPSHOT = true, PROGRESS = false)'))).toEqual([['snapshot', true], ['progress', false]]);
    expect(opts(subscribe('SUBSCRIBE t WITH (snapshot false, Progress)'))).toEqual([['snapshot', false], ['progress', true]]);
    expect(opts(subscribe('SUBSCRIBE t WITH (snapshot = ON, progress = off)'))).toEqual([['snapshot', true], ['progress', false]]);
    expect(opts(subscribe("SUBSCRIBE t WITH (snapshot = 'true', interval = 5, mode = Upsert, \"K\" = x)"))).toEqual([
      ['snapshot', 'true'],
      ['interval', '5'],
      ['mode', 'upsert'],
      ['K', 'x'],
    ]);
  });

  it('records positions and its span', () => {
    const text = 'SELECT 1; SUBSCRIBE TO t WITH (progress);';
    const s = parseScript(text)[1]!;
    expect(s).toMatchObject({ kind: 'subscribe', pos: 10, end: text.length - 1 });
    if (s.kind !== 'subscribe') return;
    expect(s.options[0]!.pos).toBe(text.indexOf('progress'));
    if (s.target.kind === 'relation') expect(s.target.name.pos).toBe(text.indexOf(' t ') + 1);
  });

  it('leaves subscribe usable as a name', () => {
    const [s] = parseScript('SELECT subscribe, job, stop FROM subscribe AS drain');
    expect(s).toMatchObject({
      kind: 'query-statement',
      query: { body: { items: [{ expr: { name: { parts: [{ value: 'subscribe' }] } } }, {}, {}], from: [{ name: { parts: [{ value: 'subscribe' }] }, alias: { name: { value: 'drain' } } }] } },
    });
    expect(parseSql('CREATE TABLE subscribe (subscribe INT, job STRING)')[0]).toMatchObject({ kind: 'create-table', columns: [{ name: { value: 'subscribe' } }, { name: { value: 'job' } }] });
    expect(subscribe('SUBSCRIBE TO subscribe').target).toMatchObject({ kind: 'relation', name: { parts: [{ value: 'subscribe' }] } });
    expect(parseSql('COPY subscribe TO STDOUT')[0]).toMatchObject({ kind: 'copy', source: { kind: 'table', table: { parts: [{ value: 'subscribe' }] } } });
  });

  it('reports syntax errors with the expected tokens', () => {
    const e1 = syntaxError('SUBSCRIBE');
    expect(e1.message).toBe('syntax error at end of input');
    expect(e1.expected).toEqual(expect.arrayContaining(['(', 'TO', 'an identifier']));
    const e2 = syntaxError('SUBSCRIBE TO t WITH');
    expect(e2.expected).toEqual(['(']);
    const e3 = syntaxError('SUBSCRIBE TO t WITH (snapshot = true');
    expect(e3.expected).toEqual(expect.arrayContaining([')', ',']));
    const e4 = syntaxError('SUBSCRIBE TO t u');
    expect(e4.message).toBe('syntax error at or near "u"');
    expect(e4.position).toBe(15);
    expect(e4.expected).toEqual(expect.arrayContaining(['WITH', ';']));
    expect(syntaxError('SUBSCRIBE TO (t)').message).toBe('syntax error at or near "t"');
    expect(syntaxError('SUBSCRIBE TO t WITH ()').message).toBe('syntax error at or near ")"');
  });

  it('is offered as a statement start in syntax error hints', () => {
    expect(syntaxError('FROB').expected).toEqual(expect.arrayContaining(['SUBSCRIBE', 'STOP', 'SELECT']));
  });
});

describe('COPY (SUBSCRIBE ...)', () => {
  it('is a subscribe source of COPY TO', () => {
    const [c] = parseScript('COPY (SUBSCRIBE TO t WITH (snapshot = false)) TO STDOUT WITH (FORMAT csv)');
    expect(c).toMatchObject({ kind: 'copy', direction: 'to', target: { kind: 'stdio' }, options: [{ name: 'format', value: 'csv' }] });
    if (c?.kind !== 'copy' || c.source.kind !== 'subscribe') throw new Error('no subscribe source');
    expect(c.source.subscribe).toMatchObject({ kind: 'subscribe', pos: 6, target: { kind: 'relation' }, options: [{ key: 'snapshot', value: false }] });
    const [q] = parseScript('COPY (SUBSCRIBE (SELECT * FROM t)) TO STDOUT');
    expect(q).toMatchObject({ source: { kind: 'subscribe', subscribe: { target: { kind: 'query' } } } });
  });

  it('keeps the query and table forms', () => {
    expect(parseSql('COPY (SELECT 1) TO STDOUT')[0]).toMatchObject({ kind: 'copy', source: { kind: 'query' } });
    expect(parseSql('COPY ((SELECT 1) UNION (SELECT 2)) TO STDOUT')[0]).toMatchObject({ kind: 'copy', source: { kind: 'query' } });
    expect(parseSql('COPY t (a) FROM STDIN')[0]).toMatchObject({ kind: 'copy', source: { kind: 'table' } });
  });

  it('cannot be COPY FROM', () => {
    expect(syntaxError('COPY (SUBSCRIBE TO t) FROM STDIN').message).toBe('syntax error at or near "FROM"');
  });
});

describe('DECLARE ... CURSOR FOR SUBSCRIBE', () => {
  it('sets subscribe and the snapshot query of a relation', () => {
    const d = one('DECLARE c CURSOR WITH HOLD FOR SUBSCRIBE TO s.t WITH (progress)');
    if (d.kind !== 'declare-cursor') throw new Error(d.kind);
    expect(d).toMatchObject({ name: 'c', hold: true, subscribe: { kind: 'subscribe', options: [{ key: 'progress', value: true }] } });
    expect(d.query.body).toMatchObject({ kind: 'select', items: [{ kind: 'star' }], from: [{ kind: 'named', name: { parts: [{ value: 's' }, { value: 't' }] } }] });
    expect(d.query.pos).toBe(d.subscribe!.target.kind === 'relation' ? d.subscribe!.target.name.pos : -1);
  });

  it('uses the subscribed query itself', () => {
    const d = one('DECLARE c CURSOR FOR SUBSCRIBE (SELECT a FROM t WHERE a > 1)');
    if (d.kind !== 'declare-cursor' || d.subscribe?.target.kind !== 'query') throw new Error('no subscribe');
    expect(d.query).toBe(d.subscribe.target.query);
  });

  it('leaves plain cursors alone', () => {
    const d = parseSql('DECLARE c NO SCROLL CURSOR FOR SELECT 1')[0]!;
    expect(d.kind).toBe('declare-cursor');
    expect('subscribe' in d).toBe(false);
  });
});

describe('STOP JOB', () => {
  it('reads the job id and the savepoint / drain flags', () => {
    expect(stopJob("STOP JOB 'a1b2'")).toMatchObject({ jobId: 'a1b2', withSavepoint: false, withDrain: false, pos: 0, end: 15 });
    expect(stopJob("stop job 'x' with savepoint")).toMatchObject({ jobId: 'x', withSavepoint: true, withDrain: false });
    expect(stopJob("STOP JOB 'x' WITH SAVEPOINT WITH DRAIN")).toMatchObject({ withSavepoint: true, withDrain: true });
    expect(stopJob("STOP JOB E'it\\'s'")).toMatchObject({ jobId: "it's" });
  });

  it('wants a string id', () => {
    const e = syntaxError('STOP JOB abc');
    expect(e.message).toBe('syntax error at or near "abc"');
    expect(e.position).toBe(9);
    expect(e.expected).toEqual(['a string']);
    expect(syntaxError("STOP 'x'").expected).toEqual(['JOB']);
    expect(syntaxError("STOP JOB 'x' WITH").expected).toEqual(['DRAIN', 'SAVEPOINT']);
  });
});

describe('SHOW JOBS / SHOW MATERIALIZED VIEWS', () => {
  it('parse as listings', () => {
    expect(parseSql('SHOW JOBS')[0]).toMatchObject({ kind: 'show', target: 'JOBS' });
    expect(parseSql('show materialized views')[0]).toMatchObject({ kind: 'show', target: 'MATERIALIZED VIEWS' });
    expect(parseSql("SHOW MATERIALIZED VIEWS LIKE 'a%'")[0]).toMatchObject({ kind: 'show', target: 'MATERIALIZED VIEWS', like: { pattern: 'a%', not: false } });
  });
});

describe('parseSql and streaming statements', () => {
  it('hands SUBSCRIBE, STOP JOB and their COPY / DECLARE forms to the session', () => {
    expect(parseSql('SELECT 1; SUBSCRIBE TO t')[1]).toMatchObject({ kind: 'subscribe' });
    expect(parseSql("STOP JOB 'x'")[0]).toMatchObject({ kind: 'stop-job', jobId: 'x' });
    expect(parseSql('COPY (SUBSCRIBE t) TO STDOUT')[0]).toMatchObject({ kind: 'copy', source: { kind: 'subscribe' } });
    expect(parseSql('DECLARE c CURSOR FOR SUBSCRIBE t')[0]).toMatchObject({ kind: 'declare-cursor', subscribe: { kind: 'subscribe' } });
  });
});

describe('printer round trip', () => {
  it.each([
    'SUBSCRIBE TO t',
    'SUBSCRIBE s."T x"',
    'SUBSCRIBE t WITH (snapshot = false, progress)',
    "SUBSCRIBE t WITH (mode = 'a''b', n = 5, on_off = on)",
    'SUBSCRIBE (SELECT a, sum(b) AS s FROM t WHERE a > 1 GROUP BY a)',
  ])('%s', (text) => {
    const s = subscribe(text);
    const printed = printSubscribe(s);
    expect(norm(subscribe(printed))).toEqual(norm(s));
  });

  it('prints in Flink style', () => {
    expect(printSubscribe(subscribe('subscribe t with (snapshot = false)'))).toBe('SUBSCRIBE TO `t` WITH (`snapshot` = FALSE)');
    expect(printStopJob(stopJob("stop job 'j''1' with drain"))).toBe("STOP JOB 'j''1' WITH DRAIN");
    for (const text of ["STOP JOB 'x'", "STOP JOB 'x' WITH SAVEPOINT", "STOP JOB 'x' WITH SAVEPOINT WITH DRAIN"]) {
      const s = stopJob(text);
      expect(norm(stopJob(printStopJob(s)))).toEqual(norm(s));
    }
  });
});

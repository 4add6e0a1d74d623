import { describe, expect, it } from 'vitest';
import { evaluateJsonPath, parseJsonPath, type JsonItem } from './json-path.ts';

const doc: JsonItem = { a: [{ c: 'c1' }, { c: 'c2' }, { d: 1 }], 'a.b': [0.998, 0.996], n: null, s: 'x' };
const select = (path: string, root: JsonItem = doc): JsonItem[] => evaluateJsonPath(parseJsonPath(path), root);

describe('SQL/JSON paths', () => {
  it('selects members, elements, ranges, last and wildcards', () => {
    expect(select('$')).toEqual([doc]);
    expect(select('$.s')).toEqual(['x']);
    expect(select('$.n')).toEqual([null]);
    expect(select('$.a[0].c')).toEqual(['c1']);
    expect(select('$.a[last].d')).toEqual([1]);
    expect(select('$.a[0 to 1].c')).toEqual(['c1', 'c2']);
    expect(select('$.a[last - 1, 0].c')).toEqual(['c2', 'c1']);
    expect(select('$.a[*].c')).toEqual(['c1', 'c2']);
    expect(select('$.["a.b"][1]')).toEqual([0.996]);
    expect(select("$['a.b'][0]")).toEqual([0.998]);
    expect(select('$."a.b"[0]')).toEqual([0.998]);
    expect(select('$.*').length).toBe(4);
  });

  it('lax mode unwraps arrays for members, wraps scalars for subscripts and skips what is missing', () => {
    expect(select('lax $.a.c')).toEqual(['c1', 'c2']);
    expect(select('$.s[0]')).toEqual(['x']);
    expect(select('$.missing')).toEqual([]);
    expect(select('$.a[7]')).toEqual([]);
    expect(select('$.s.t')).toEqual([]);
  });

  it('strict mode makes each of those an error with its SQLSTATE', () => {
    expect(() => select('strict $.missing')).toThrow(expect.objectContaining({ code: '2203A' }));
    expect(() => select('strict $.a.c')).toThrow(expect.objectContaining({ code: '2203C' }));
    expect(() => select('strict $.s[0]')).toThrow(expect.objectContaining({ code: '2203D' }));
    expect(() => select('strict $.a[7]')).toThrow(expect.objectContaining({ code: '22033' }));
    expect(select('strict $.a[*].c', { a: [{ c: 1 }] })).toEqual([1]);
  });

  it('refuses paths it cannot read with 42601', () => {
    for (const bad of ['a', '$.', '$.a[', '$.a[x]', '$["a"', '$ a', 'strict']) {
      expect(() => parseJsonPath(bad), bad).toThrow(expect.objectContaining({ code: '42601' }));
    }
  });
});

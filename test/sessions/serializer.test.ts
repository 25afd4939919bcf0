import { describe, expect, it } from 'vitest';
import { SessionValueError } from '../../server-agent/sessions/errors.js';
import { pythonJsonSerializer, pythonNumber } from '../../server-agent/sessions/serializer.js';

const dumps = (entries: [string, unknown][]) => pythonJsonSerializer.dumps(new Map(entries) as never);

describe('Python-compatible JSON', () => {
  it('escapes non-ASCII as \\uXXXX with surrogate pairs, like json.dumps', () => {
    expect(
      dumps([
        ['q', '’😀'],
        ['n', null],
        ['b', true],
      ]),
    ).toBe('{"q":"\\u2019\\ud83d\\ude00","n":null,"b":true}');
  });
  it('writes control characters, quotes and backslashes as Python does; "/" is not escaped', () => {
    expect(dumps([['s', 'a"b\\c\n\t\u0001/']])).toBe('{"s":"a\\"b\\\\c\\n\\t\\u0001/"}');
  });
  it.each([
    [1, '1'],
    [1.5, '1.5'],
    [1e16, '10000000000000000'],
    [1.5e16, '15000000000000000'],
    [2.5e-16, '2.5e-16'],
    [1e-7, '1e-07'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [-2.5e-10, '-2.5e-10'],
    [123456789012345.6, '123456789012345.6'],
    [Number.NaN, 'NaN'],
    [Number.POSITIVE_INFINITY, 'Infinity'],
    [Number.NEGATIVE_INFINITY, '-Infinity'],
    [1e21, '1000000000000000000000'],
  ])('number %d → %s', (value, text) => {
    expect(pythonNumber(value)).toBe(text);
  });
  it('keeps insertion order, including integer-like keys, through a round trip', () => {
    const text = '{"b":1,"10":2,"2":3}';
    expect([...pythonJsonSerializer.loads(text).keys()]).toEqual(['b', '10', '2']);
    expect(pythonJsonSerializer.dumps(pythonJsonSerializer.loads(text))).toBe(text);
  });
  it('reads NaN and Infinity that Python writes', () => {
    const data = pythonJsonSerializer.loads('{"a":NaN,"b":[Infinity,-Infinity],"c":{"d":1.0}}');
    expect(data.get('a')).toBeNaN();
    expect(data.get('b')).toEqual([Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]);
    expect(data.get('c')).toEqual({ d: 1 });
  });
  it('rejects non-objects and garbage', () => {
    for (const bad of ['[]', '1', '"x"', '{', '{"a":}', '{"a":1}x', 'null'])
      expect(() => pythonJsonSerializer.loads(bad)).toThrow(SyntaxError);
  });
  it('keeps __proto__ as plain data', () => {
    const data = pythonJsonSerializer.loads('{"__proto__":{"x":1},"a":{"__proto__":{"y":2}}}');
    expect(data.get('__proto__')).toEqual({ x: 1 });
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    expect(pythonJsonSerializer.dumps(data)).toBe('{"__proto__":{"x":1},"a":{"__proto__":{"y":2}}}');
  });
  it('names the key, the path and the type of a value JSON cannot carry', () => {
    const cases: [unknown, RegExp][] = [
      [new Date(0), /"when" holds a Date at when.*toISOString/],
      [{ deep: [1, 2n] }, /holds bigint at when\.deep\[1\]/],
      [() => 1, /holds function/],
      [new Set([1]), /holds a Set/],
      [{ u: undefined }, /holds undefined at when\.u/],
    ];
    for (const [value, message] of cases) {
      expect(() => dumps([['when', value]])).toThrow(SessionValueError);
      expect(() => dumps([['when', value]])).toThrow(message);
    }
    const cycle: Record<string, unknown> = {};
    cycle.me = cycle;
    expect(() => dumps([['c', cycle]])).toThrow(/cycle at c\.me/);
  });
  it('handles deep nesting without crashing: a clear error past the limit', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 600; i++) deep = [deep];
    expect(() => dumps([['d', deep]])).toThrow(/nests deeper than 512/);
    const text = `{"d":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    expect(pythonJsonSerializer.loads(text).has('d')).toBe(true);
  });
});

/**
 * Python's json.dumps output at its edges (CR-5): number spellings, ensure_ascii escapes, Maps as
 * dicts, and the refusal messages naming the session key, the path and the fix.
 */
import { describe, expect, it } from 'vitest';
import { SessionValueError } from '../../server-agent/sessions/errors.js';
import { pythonJsonDumps, pythonJsonSerializer } from '../../server-agent/sessions/serializer.js';

const refusal = (value: unknown): string => {
  try {
    pythonJsonSerializer.dumps(new Map([['k', value as never]]));
  } catch (error) {
    expect(error).toBeInstanceOf(SessionValueError);
    return (error as Error).message;
  }
  throw new Error('no refusal');
};

describe('CR-5 Python json.dumps edges', () => {
  it.each([
    [Number.NaN, 'NaN'],
    [Number.POSITIVE_INFINITY, 'Infinity'],
    [Number.NEGATIVE_INFINITY, '-Infinity'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [1.5e-7, '1.5e-07'],
    [-0.5, '-0.5'],
    [1.5, '1.5'],
    [123456789, '123456789'],
    [1e22, '10000000000000000000000'],
  ])('%s → %s', (value, text) => {
    expect(pythonJsonDumps(value)).toBe(text);
    expect(pythonJsonDumps([value])).toBe(`[${text}]`);
  });

  it('escapes exactly what ensure_ascii escapes', () => {
    expect(pythonJsonDumps(' ~!')).toBe('" ~!"');
    expect(pythonJsonDumps('\u001f\u007fé')).toBe('"\\u001f\\u007f\\u00e9"');
    expect(pythonJsonDumps('😀')).toBe('"\\ud83d\\ude00"');
    expect(pythonJsonDumps({ é: ['~'] })).toBe('{"\\u00e9":["~"]}');
  });

  it('a Map is a dict in insertion order; its keys must be strings', () => {
    expect(
      pythonJsonDumps(
        new Map<string, unknown>([
          ['b', 1],
          ['10', [true, null]],
          ['a', { x: 'y' }],
        ]),
      ),
    ).toBe('{"b":1,"10":[true,null],"a":{"x":"y"}}');
    expect(pythonJsonDumps(new Map())).toBe('{}');
    expect(() => pythonJsonDumps(new Map([[1, 'x']]))).toThrow(SessionValueError);
    expect(() => pythonJsonDumps(new Map([[1, 'x']]))).toThrow(/a Map key/);
  });

  it('refusals name the key, the path, the type and the fix', () => {
    expect(refusal(1n)).toMatch(/^Session key "k" .*bigint.*store it as a string/);
    expect(refusal(() => 1)).toMatch(/function.*store data, not code/);
    expect(refusal({ a: undefined })).toMatch(/undefined at k\.a.*use null, or remove the key/);
    expect(refusal([1, undefined])).toMatch(/undefined at k\[1\]/);
    expect(refusal(new Map())).toMatch(/a Map.*store Object\.fromEntries\(map\)/);
    expect(refusal(new Set())).toMatch(/a Set.*store \[\.\.\.set\]/);
    expect(refusal(new Date(0))).toMatch(/a Date/);
    expect(refusal(Object.create({ inherited: 1 }))).toMatch(/^Session key "k" holds a.* at k, /);
    expect(() => pythonJsonDumps(1n)).toThrow(/^The value /);
  });

  it('the same object twice is fine; a cycle is refused', () => {
    const shared = { a: 1 };
    expect(pythonJsonDumps({ x: shared, y: [shared] })).toBe('{"x":{"a":1},"y":[{"a":1}]}');
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(refusal(cycle)).toMatch(/cycle at k\.self/);
  });
});

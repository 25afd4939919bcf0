/**
 * U3 refusals when a value is mostly fine: the refusal explainer walks every good part (null,
 * strings, booleans, numbers, arrays, null-prototype objects, an object shared twice) without
 * complaint and names exactly the part JSON cannot carry, its session key and its path.
 */
import { describe, expect, it } from 'vitest';
import { SessionValueError } from '../../server-agent/sessions/errors.js';
import {
  assertStorable,
  pythonJsonDumps,
  pythonJsonSerializer,
} from '../../server-agent/sessions/serializer.js';

const refused = (run: () => unknown): SessionValueError => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SessionValueError);
    return error as SessionValueError;
  }
  throw new Error('not refused');
};

const nested = (depth: number, leaf: unknown, wrap: (inner: unknown) => unknown): unknown => {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = wrap(value);
  return value;
};

describe('the bad part is named, the good parts around it pass', () => {
  it('null, strings, booleans, numbers and arrays before the bad part are not blamed', () => {
    const bare = Object.create(null) as Record<string, unknown>;
    bare.ok = 1;
    const shared = { x: 1 };
    const value = {
      n: null,
      s: 'text',
      t: true,
      f: false,
      i: 3,
      list: [1, 'a', null, [2]],
      bare,
      one: shared,
      two: shared,
      when: new Date(0),
    };
    for (const run of [
      () => assertStorable('cart', value),
      () => pythonJsonSerializer.dumps(new Map([['cart', value as never]])),
    ]) {
      const error = refused(run);
      expect(error.key).toBe('cart');
      expect(error.message).toBe(
        'Session key "cart" holds a Date at cart.when, which JSON cannot carry; store date.toISOString() and parse it when reading. Nothing was saved.',
      );
    }
    const inList = refused(() => assertStorable('k', [null, 'a', false, 1.5, { y: [true] }, () => 1]));
    expect(inList.message).toMatch(/^Session key "k" holds function at k\[5\], /);
  });

  it('a value outside a session is "The value" at "value", and its error names no key', () => {
    const error = refused(() => pythonJsonDumps({ ok: [1], bad: 1n }));
    expect(error.key).toBe('');
    expect(error.message).toBe(
      'The value holds bigint at value.bad, which JSON cannot carry; store it as a string. Nothing was saved.',
    );
    const deep = refused(() => pythonJsonDumps(nested(600, 1, (inner) => [inner])));
    expect(deep.key).toBe('');
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    const loop = refused(() => pythonJsonDumps({ list: [cycle] }));
    expect(loop.key).toBe('');
    expect(loop.message).toMatch(/^The value holds a cycle at value\.list\[0\]\.self;/);
  });

  it('the depth bound: 512 levels, named at the level where it is crossed, for arrays and objects', () => {
    const arrays = refused(() =>
      assertStorable(
        'deep',
        nested(600, 1, (inner) => [inner]),
      ),
    );
    expect(arrays.key).toBe('deep');
    expect(arrays.message).toBe(
      `Session key "deep" nests deeper than 512 levels at deep${'[0]'.repeat(512)}; flatten the value.`,
    );
    const objects = refused(() =>
      assertStorable(
        'deep',
        nested(600, 1, (inner) => ({ a: inner })),
      ),
    );
    expect(objects.message).toBe(
      `Session key "deep" nests deeper than 512 levels at deep${'.a'.repeat(512)}; flatten the value.`,
    );
    // 512 levels are fine (the refused value above is only refused for its depth).
    expect(pythonJsonDumps(nested(511, 1, (inner) => [inner]))).toBe(`${'['.repeat(511)}1${']'.repeat(511)}`);
    expect(() =>
      assertStorable(
        'ok',
        nested(511, 1, (inner) => ({ a: inner })),
      ),
    ).not.toThrow();
  });

  it('a cycle is named where it closes, with the key', () => {
    const cycle: Record<string, unknown> = { name: 'ada' };
    cycle.self = cycle;
    const error = refused(() => assertStorable('user', { profile: cycle }));
    expect(error.key).toBe('user');
    expect(error.message).toMatch(/^Session key "user" holds a cycle at user\.profile\.self;/);
  });

  it('an object without a constructor is "an object with a custom prototype"', () => {
    const orphan = Object.create(Object.create(null));
    const error = refused(() => assertStorable('k', { orphan }));
    expect(error.message).toBe(
      'Session key "k" holds an object with a custom prototype at k.orphan, which JSON cannot carry; store plain objects, arrays, strings, numbers, booleans or null. Nothing was saved.',
    );
  });

  it('a type with no particular hint gets the general one', () => {
    class Point {
      x = 1;
    }
    expect(refused(() => assertStorable('p', new Point())).message).toBe(
      'Session key "p" holds a Point at p, which JSON cannot carry; store plain objects, arrays, strings, numbers, booleans or null. Nothing was saved.',
    );
    expect(refused(() => assertStorable('s', Symbol('x'))).message).toMatch(
      /holds symbol at s, which JSON cannot carry; store plain objects, arrays, strings, numbers, booleans or null\./,
    );
  });

  it('plain JSON passes assertStorable, including null-prototype objects and nulls', () => {
    const bare = Object.create(null) as Record<string, unknown>;
    bare.a = [null, { b: 'c' }];
    for (const value of [null, 0, '', false, [], {}, bare, [[[]]], { a: null }, 'é', -1.5])
      expect(() => assertStorable('k', value as never)).not.toThrow();
  });
});

describe('a value that answers differently the second time', () => {
  it('a getter undefined while written and defined while explained is refused as changing, nothing written', () => {
    let reads = 0;
    const shifty = {
      get note() {
        reads += 1;
        return reads === 1 ? undefined : 'now defined';
      },
    };
    const error = refused(() => pythonJsonSerializer.dumps(new Map([['cart', shifty as never]])));
    expect(error.message).toBe(
      'Session key "cart" changed while it was being written (a getter or proxy that answers differently each time); store a plain copy. Nothing was saved.',
    );
    expect(reads).toBe(2);
  });
});

describe('ensure_ascii outside the fast path', () => {
  it('"~" (0x7e) stays itself next to a character that needs escaping', () => {
    expect(pythonJsonDumps('~\n')).toBe('"~\\n"');
    expect(pythonJsonDumps('~é}')).toBe('"~\\u00e9}"');
  });
});

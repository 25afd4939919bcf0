/**
 * U3: a value JSON cannot carry is refused at set()/update() with the key, the type and the fix,
 * and the session is left as it was; the check at save stays for values mutated after set().
 */
import { describe, expect, it } from 'vitest';
import { SessionValueError } from '../../server-agent/sessions/errors.js';
import { createSessionManager } from '../../server-agent/sessions/manager.js';

const make = () =>
  createSessionManager({ SECRET_KEY: 'storable-secret-0123456789abcdefgh', DATABASE_URL: ':memory:' });

const cycle = (): Record<string, unknown> => {
  const value: Record<string, unknown> = { name: 'ada' };
  value.self = value;
  return value;
};

class Cart {
  items = ['socks'];
}

const bad: [string, () => unknown, RegExp, RegExp][] = [
  ['a Date', () => new Date(0), /a Date/, /toISOString/],
  ['a BigInt', () => 10n, /bigint/, /as a string/],
  ['a function', () => () => 1, /function/, /data, not code/],
  ['undefined', () => undefined, /undefined/, /null, or remove the key/],
  ['a cycle', cycle, /cycle/, /without back-references/],
  ['a Map', () => new Map([['a', 1]]), /a Map/, /Object\.fromEntries/],
  ['a Set', () => new Set([1]), /a Set/, /\[\.\.\.set\]/],
  ['a class instance', () => new Cart(), /a Cart/, /plain objects/],
  ['a symbol', () => Symbol('x'), /symbol/, /plain objects/],
  [
    'a nested Date',
    () => ({ profile: { born: new Date(0) } }),
    /a Date at when\.profile\.born/,
    /toISOString/,
  ],
];

describe('U3 values JSON cannot carry', () => {
  it.each(bad)(
    'U3 set() refuses %s with the key, the type and the fix; nothing changes',
    async (_name, value, type, fix) => {
      const sessions = make();
      const session = sessions.open();
      await session.set('kept', 1);
      const error = await session.set('when', value() as never).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(SessionValueError);
      expect((error as SessionValueError).code).toBe('SESSION_VALUE_NOT_SERIALIZABLE');
      expect((error as SessionValueError).key).toBe('when');
      expect((error as Error).message).toMatch(/"when"/);
      expect((error as Error).message).toMatch(type);
      expect((error as Error).message).toMatch(fix);
      expect(await session.has('when')).toBe(false);
      await session.save();
      expect(await sessions.open(session.sessionKey).items()).toEqual([['kept', 1]]);
      await sessions.close();
    },
  );

  it('U3 update() checks every value before applying any', async () => {
    const sessions = make();
    const session = sessions.open();
    await expect(session.update({ a: 1, b: new Date(0) as never })).rejects.toThrow(/"b" holds a Date/);
    expect(await session.keys()).toEqual([]);
    expect(session.modified).toBe(false);
    await sessions.close();
  });

  it('U3 NaN and ±Infinity are accepted, as Python json writes them', async () => {
    const sessions = make();
    const session = sessions.open();
    await session.set('n', Number.NaN);
    await session.set('inf', Number.POSITIVE_INFINITY);
    await session.save();
    expect(await sessions.open(session.sessionKey).get('inf')).toBe(Number.POSITIVE_INFINITY);
    await sessions.close();
  });

  it('U3 a value mutated after set() is still checked at save', async () => {
    const sessions = make();
    const session = sessions.open();
    const profile: Record<string, unknown> = { name: 'ada' };
    await session.set('profile', profile as never);
    profile.born = new Date(0);
    await expect(session.save()).rejects.toThrow(/"profile" holds a Date at profile\.born/);
    await sessions.close();
  });
});

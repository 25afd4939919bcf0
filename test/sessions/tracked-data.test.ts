/**
 * U2: `await session.data()` gives an object whose reads are synchronous and whose changes are
 * saved; the modified flag is Django's (reads never set it, assignment and deletion do); a change
 * inside a value counts as assigning its key.
 */
import { describe, expect, it } from 'vitest';
import { SessionValueError } from '../../server-agent/sessions/errors.js';
import { createSessionManager } from '../../server-agent/sessions/manager.js';

const make = () =>
  createSessionManager({ SECRET_KEY: 'tracked-secret-0123456789abcdefgh', DATABASE_URL: ':memory:' });

async function seeded(values: Record<string, unknown>) {
  const sessions = make();
  const s = sessions.open();
  await s.update(values as never);
  await s.save();
  return { sessions, key: s.sessionKey as string };
}

describe('U2 tracked session object', () => {
  it('U2 reads are synchronous after one await and never mark the session modified', async () => {
    const { sessions, key } = await seeded({ user: 'ada', cart: ['socks'], profile: { lang: 'en' } });
    const session = sessions.open(key);
    const data = await session.data();
    expect(data.user).toBe('ada');
    expect(data.cart).toEqual(['socks']);
    expect((data.profile as { lang: string }).lang).toBe('en');
    expect({ ...data }).toEqual({ user: 'ada', cart: ['socks'], profile: { lang: 'en' } });
    expect(Object.keys(data)).toEqual(['user', 'cart', 'profile']);
    expect(JSON.parse(JSON.stringify(data))).toEqual({
      user: 'ada',
      cart: ['socks'],
      profile: { lang: 'en' },
    });
    expect('user' in data).toBe(true);
    expect(data.missing).toBeUndefined();
    expect(session.accessed).toBe(true);
    expect(session.modified).toBe(false);
    await sessions.close();
  });

  it('U2 assignment, deletion and changes inside values are saved and set modified, as `session[key] = …` does', async () => {
    const { sessions, key } = await seeded({ user: 'ada', cart: ['socks'], drop: 1 });
    const session = sessions.open(key);
    const data = await session.data();
    data.user = 'ada'; // the same value: Django's __setitem__ still marks the session modified
    expect(session.modified).toBe(true);
    session.modified = false;
    delete data.nothing; // absent: nothing changes
    expect(session.modified).toBe(false);
    (data.cart as string[]).push('hat');
    expect(session.modified).toBe(true);
    data.theme = 'dark';
    delete data.drop;
    await session.save();
    expect(Object.fromEntries(await sessions.open(key).items())).toEqual({
      user: 'ada',
      cart: ['socks', 'hat'],
      theme: 'dark',
    });
    await sessions.close();
  });

  it('U2 the view follows the session through clear(); values are checked as set() checks them (U3)', async () => {
    const { sessions, key } = await seeded({ user: 'ada' });
    const session = sessions.open(key);
    const data = await session.data();
    session.clear();
    expect(data.user).toBeUndefined();
    data.user = 'grace';
    expect(await session.get('user')).toBe('grace');
    expect(() => {
      data.when = new Date(0) as never;
    }).toThrow(SessionValueError);
    expect(() => {
      (data as { nested?: unknown }).nested = { at: 10n };
    }).toThrow(/"nested" holds bigint at nested.at/);
    expect('when' in data).toBe(false);
    await sessions.close();
  });

  it('U2 the express-session habit: req.session.user = … becomes (await req.session.data()).user = …', async () => {
    const sessions = make();
    const session = sessions.open();
    const data = await session.data<{ user?: string; visits?: number }>();
    data.user = 'ada';
    data.visits = (data.visits ?? 0) + 1;
    await session.save();
    const again = await sessions.open(session.sessionKey).data<{ user?: string; visits?: number }>();
    expect([again.user, again.visits]).toEqual(['ada', 1]);
    await sessions.close();
  });
});

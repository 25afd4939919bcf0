/**
 * Session behaviour the conformance suite leaves open, on the memory cache with a frozen clock:
 * remove() and the test cookie as Django's, expiry options and the browser-close rule, set_expiry's
 * modified flag, the events a client sees for each change (op, policy, outcome, snapshot), keys that
 * never reach the store, and the schema check running on hits only.
 */
import { describe, expect, it } from 'vitest';
import { SessionKeyMissing } from '../../server-agent/sessions/errors.js';
import type { SessionManager } from '../../server-agent/sessions/manager.js';
import type { StandardSchemaV1 } from '../../server-agent/sessions/schema.js';
import type { LoadResult, SessionStore } from '../../server-agent/sessions/store.js';
import { resolveStore } from '../../server-agent/sessions/stores/index.js';
import { countStoreOps } from '../helpers/http.js';
import { AGE, frozenSessions, listen, NOW, of } from './frozen-sessions.js';

const make = frozenSessions('session-api-secret');

async function storedKey(sessions: SessionManager, data: Record<string, unknown> = { user: 'ada' }) {
  const session = sessions.open();
  await session.update(data as never);
  await session.save();
  return session.sessionKey as string;
}

describe("remove() is Django's `del session[key]`", () => {
  it('removes, marks modified, and a missing key throws SessionKeyMissing naming it', async () => {
    const sessions = make();
    const key = await storedKey(sessions, { a: 1, b: 2 });
    const session = sessions.open(key);
    await session.remove('a');
    expect(session.modified).toBe(true);
    expect(await session.keys()).toEqual(['b']);
    const fresh = sessions.open(key);
    const error = await fresh.remove('nope').then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SessionKeyMissing);
    expect((error as SessionKeyMissing).key).toBe('nope');
    expect(fresh.modified).toBe(false);
    expect(fresh.accessed).toBe(true);
  });
});

describe('the test cookie (set_test_cookie / test_cookie_worked / delete_test_cookie)', () => {
  it("stores testcookie='worked', reports it, and deletes it", async () => {
    const sessions = make();
    const session = sessions.open();
    expect(await session.testCookieWorked()).toBe(false);
    await session.setTestCookie();
    expect(await session.get('testcookie')).toBe('worked');
    await session.save();
    const again = sessions.open(session.sessionKey);
    expect(await again.testCookieWorked()).toBe(true);
    await again.deleteTestCookie();
    expect(await again.has('testcookie')).toBe(false);
    expect(again.modified).toBe(true);
    await again.set('testcookie', 'other');
    expect(await again.testCookieWorked()).toBe(false);
    await expect(sessions.open().deleteTestCookie()).rejects.toBeInstanceOf(SessionKeyMissing);
  });
});

describe('expiry', () => {
  it('getExpiryAge/getExpiryDate({ expiry }) use the given expiry, not the stored one', async () => {
    const sessions = make();
    const session = sessions.open();
    await session.setExpiry(600);
    expect(await session.getExpiryAge()).toBe(600);
    expect(await session.getExpiryAge({ expiry: 300 })).toBe(300);
    expect(await session.getExpiryAge({ expiry: null })).toBe(AGE);
    const at = new Date(NOW + 90_000);
    expect(await session.getExpiryAge({ expiry: at })).toBe(90);
    expect((await session.getExpiryDate({ expiry: at })).getTime()).toBe(NOW + 90_000);
    expect((await session.getExpiryDate({ expiry: 30 })).getTime()).toBe(NOW + 30_000);
    expect((await session.getExpiryDate()).getTime()).toBe(NOW + 600_000);
    const modification = new Date(NOW - 100_000);
    expect(await session.getExpiryAge({ modification, expiry: at })).toBe(190);
  });

  it('browser close: the setting when no expiry is stored; 0 or false when it is', async () => {
    const closing = make({ SESSION_EXPIRE_AT_BROWSER_CLOSE: true });
    const session = closing.open();
    expect(await session.getExpireAtBrowserClose()).toBe(true);
    await session.setExpiry(300);
    expect(await session.getExpireAtBrowserClose()).toBe(false);
    await session.setExpiry(null);
    expect(await session.getExpireAtBrowserClose()).toBe(true);
    const keeping = make().open();
    expect(await keeping.getExpireAtBrowserClose()).toBe(false);
    await keeping.setExpiry(0);
    expect(await keeping.getExpireAtBrowserClose()).toBe(true);
    // A record written elsewhere with False (Python: False == 0) closes with the browser too.
    await keeping.set('_session_expiry', false);
    expect(await keeping.getExpireAtBrowserClose()).toBe(true);
    await keeping.set('_session_expiry', null);
    expect(await keeping.getExpireAtBrowserClose()).toBe(false);
    await keeping.set('_session_expiry', new Date(NOW + 5_000).toISOString());
    expect(await keeping.getExpireAtBrowserClose()).toBe(false);
  });

  it("setExpiry(null) without a stored expiry changes nothing (Django's del raises KeyError before modified)", async () => {
    const sessions = make();
    const seen = listen(sessions);
    const key = await storedKey(sessions);
    seen.length = 0;
    const session = sessions.open(key);
    await session.setExpiry(null);
    expect(session.modified).toBe(false);
    expect(of(seen, 'session.modified')).toEqual([]);
    expect(of(seen, 'session.expiryChanged')).toEqual([]);
  });

  it('each setExpiry emits the change and the policy a client shows', async () => {
    const sessions = make();
    const seen = listen(sessions);
    const session = sessions.open();
    const date = new Date(NOW + 3_600_000);
    await session.setExpiry(300);
    await session.setExpiry(0);
    await session.setExpiry(-1);
    await session.setExpiry(date);
    await session.setExpiry(null);
    const changed = of(seen, 'session.expiryChanged');
    expect(changed.map(({ policy, value, expiresAt }) => ({ policy, value, expiresAt }))).toEqual([
      { policy: 'idle-seconds', value: 300, expiresAt: NOW + 300_000 },
      { policy: 'browser-close', value: 0, expiresAt: null },
      { policy: 'expired', value: -1, expiresAt: NOW - 1_000 },
      { policy: 'absolute', value: '2026-12-01T13:00:00+00:00', expiresAt: NOW + 3_600_000 },
      { policy: 'default', value: null, expiresAt: NOW + AGE * 1000 },
    ]);
    expect(changed.every((e) => e.at === NOW)).toBe(true);
    const modified = of(seen, 'session.modified').filter((e) => e.key === '_session_expiry');
    expect(modified.map(({ op, before, after }) => ({ op, before, after }))).toEqual([
      { op: 'set', before: undefined, after: 300 },
      { op: 'set', before: 300, after: 0 },
      { op: 'set', before: 0, after: -1 },
      { op: 'set', before: -1, after: '2026-12-01T13:00:00+00:00' },
      { op: 'removed', before: '2026-12-01T13:00:00+00:00', after: undefined },
    ]);
  });

  it("the policy 'browser-close' also follows the setting when no expiry is set", async () => {
    const sessions = make({ SESSION_EXPIRE_AT_BROWSER_CLOSE: true });
    const seen = listen(sessions);
    const session = sessions.open();
    await session.setExpiry(10);
    await session.setExpiry(null);
    expect(of(seen, 'session.expiryChanged').map((e) => [e.policy, e.expiresAt])).toEqual([
      ['idle-seconds', NOW + 10_000],
      ['browser-close', null],
    ]);
  });
});

describe('session.modified events', () => {
  it('name the operation of each change: set, removed (remove, pop), set (update), cleared', async () => {
    const sessions = make();
    const seen = listen(sessions);
    const session = sessions.open();
    await session.set('a', 1);
    await session.update({ b: 2, c: 3 });
    await session.pop('b');
    await session.remove('c');
    await session.setDefault('d', 4);
    session.clear();
    expect(
      of(seen, 'session.modified').map(({ key, op, before, after }) => [key, op, before, after]),
    ).toEqual([
      ['a', 'set', undefined, 1],
      ['b', 'set', undefined, 2],
      ['c', 'set', undefined, 3],
      ['b', 'removed', 2, undefined],
      ['c', 'removed', 3, undefined],
      ['d', 'set', undefined, 4],
      ['a', 'cleared', 1, undefined],
      ['d', 'cleared', 4, undefined],
    ]);
  });

  it('snapshot values: changing the object later does not rewrite the event', async () => {
    const sessions = make();
    const seen = listen(sessions);
    const session = sessions.open();
    const cart = { items: ['socks'] };
    await session.set('cart', cart);
    cart.items.push('hat');
    await session.set('cart', { items: ['coat'] });
    const [first, second] = of(seen, 'session.modified');
    expect(first?.after).toEqual({ items: ['socks'] });
    expect(second?.before).toEqual({ items: ['socks', 'hat'] });
    expect(first?.after).not.toBe(cart);
  });

  it('a value the app made uncloneable after set() is shown as text, and the change still happens', async () => {
    const sessions = make();
    const seen = listen(sessions);
    const session = sessions.open();
    const box: Record<string, unknown> = { a: 1 };
    await session.set('box', box as never);
    box.fn = () => 1;
    await session.set('box', 2);
    expect(of(seen, 'session.modified')[1]).toMatchObject({ op: 'set', before: '[object Object]', after: 2 });
    expect(await session.get('box')).toBe(2);
  });
});

describe('session.loaded and session.expired', () => {
  it("a key the store could never hold is 'malformed-key' and never reaches the store", async () => {
    const sessions = make();
    const seen = listen(sessions);
    const ops = countStoreOps(sessions.store);
    const session = sessions.open('UPPERCASE-not-a-key');
    expect(await session.get('user')).toBeUndefined();
    expect(ops.load).toBe(0);
    expect(await session.exists('UPPERCASE-not-a-key')).toBe(false);
    expect(ops.exists).toBe(0);
    const loaded = of(seen, 'session.loaded');
    expect(loaded).toHaveLength(1);
    expect(loaded[0]).toMatchObject({ outcome: 'malformed-key', keys: 0, at: NOW });
    const hit = sessions.open(await storedKey(sessions, { a: 1, b: 2 }));
    await hit.get('a');
    expect(of(seen, 'session.loaded')[1]).toMatchObject({ outcome: 'hit', keys: 2 });
    const ms = of(seen, 'session.loaded').map((e) => e.ms);
    for (const value of ms) {
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(60_000);
    }
  });

  it("an expired record is 'expired', with its reason and date (null when the store has none)", async () => {
    const expiredAt = new Date(NOW - 5_000);
    const answers: LoadResult[] = [
      { outcome: 'expired', expiredAt },
      { outcome: 'expired', expiredAt: null, reason: 'signature-too-old' },
    ];
    const sessions = make({
      SESSION_ENGINE: ((context: Parameters<typeof resolveStore>[1]) => {
        const store = resolveStore('cache', context);
        return {
          ...store,
          capabilities: store.capabilities,
          load: async () => answers.shift(),
        } as SessionStore;
      }) as never,
    });
    const seen = listen(sessions);
    for (let i = 0; i < 2; i++) expect(await sessions.open('abcdefgh12345678').get('x')).toBeUndefined();
    expect(of(seen, 'session.expired').map(({ reason, expiredAt: at }) => [reason, at])).toEqual([
      ['expiry-date-passed', NOW - 5_000],
      ['signature-too-old', null],
    ]);
    expect(of(seen, 'session.loaded').map((e) => e.outcome)).toEqual(['expired', 'expired']);
  });
});

describe('the schema check (Standard Schema) runs on stored data only', () => {
  it('validates a hit (its output becomes the data) and never runs on a miss or a new session', async () => {
    const seenByValidator: unknown[] = [];
    const schema: StandardSchemaV1 = {
      '~standard': {
        version: 1,
        vendor: 'test',
        validate: (value) => {
          seenByValidator.push(value);
          const data = value as Record<string, unknown>;
          if (typeof data.user !== 'string')
            return { issues: [{ message: 'user must be a string', path: ['user'] }] };
          return { value: { ...data, user: data.user.toUpperCase() } };
        },
      },
    };
    const sessions = make({ schema });
    const key = await storedKey(sessions, { user: 'ada' });
    expect(seenByValidator).toEqual([]);
    expect(await sessions.open(key).get('user')).toBe('ADA');
    expect(seenByValidator).toEqual([{ user: 'ada' }]);
    expect(await sessions.open('abcdefgh12345678abcdefgh12345678').get('user')).toBeUndefined();
    expect(seenByValidator).toHaveLength(1);
    const bad = await storedKey(sessions, { user: 7 });
    expect(await sessions.open(bad).keys()).toEqual([]);
  });
});

/**
 * The conformance suite every store runs: Django's SessionTestsMixin, test for test (names kept so
 * the mapping to tests/sessions_tests/tests.py is auditable), plus sessionscope's additions
 * (virtual clock, prototype safety, non-JSON values, listing). A store that cannot honour a test
 * skips it with a written reason, as Django's signed-cookie tests do.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SessionValueError, UpdateError } from '../../server-agent/sessions/errors.js';
import type { SessionManager } from '../../server-agent/sessions/manager.js';
import type { Session } from '../../server-agent/sessions/session.js';
import { countStoreOps } from '../helpers/http.js';
import { captureLogs } from '../helpers/log-capture.js';

export interface StoreUnderTest {
  /** A fresh manager (clean store) per test. */
  make: () => SessionManager | Promise<SessionManager>;
  /** Tests this store cannot honour, with the reason shown in the report. */
  skip?: Partial<Record<ConformanceTest, string>>;
  /** Read a record behind the session's back: true when the store holds this key. */
  rawExists?: (manager: SessionManager, key: string) => Promise<boolean>;
  /** Overwrite a stored record with garbage, for decode-failure tests. */
  corrupt?: (manager: SessionManager, key: string) => Promise<void>;
}

export type ConformanceTest = (typeof TESTS)[number];
const TESTS = [
  'new_session',
  'get_empty',
  'store',
  'pop',
  'pop_default',
  'pop_no_default_keyerror_raised',
  'setdefault',
  'update',
  'has_key',
  'values',
  'keys',
  'items',
  'clear',
  'save',
  'delete',
  'flush',
  'cycle',
  'cycle_with_no_session_cache',
  'save_doesnt_clear_data',
  'invalid_key',
  'session_key_empty_string_invalid',
  'session_key_too_short_invalid',
  'session_key_valid_string_saved',
  'session_key_is_read_only',
  'is_empty',
  'default_expiry',
  'custom_expiry_seconds',
  'custom_expiry_duration',
  'custom_expiry_datetime',
  'custom_expiry_reset',
  'get_expire_at_browser_close',
  'decode',
  'decode_failure_logged_to_security',
  'actual_expiry',
  'session_load_does_not_create_record',
  'session_save_does_not_resurrect_session_logged_out_in_other_context',
  'clear_expired',
  'virtual_clock_expires_sessions',
  'prototype_keys_are_plain_data',
  'non_json_value_rejected_nothing_written',
  'list_pages_sessions',
  'concurrent_reads_load_once',
  'integer_keys_keep_order',
] as const;

const NOW = Date.UTC(2023, 10, 14, 22, 13, 20); // 1700000000 s

export function describeStore(name: string, subject: StoreUnderTest): void {
  describe(`store conformance: ${name}`, () => {
    let sessions: SessionManager;
    let session: Session;

    beforeEach(async () => {
      sessions = await subject.make();
      sessions.clock.freeze(NOW);
      session = sessions.open();
    });
    afterEach(async () => {
      await sessions.close();
    });

    const test = (id: ConformanceTest, body: () => Promise<void>) => {
      const reason = subject.skip?.[id];
      if (reason) it.skip(`${id} (skipped: ${reason})`, body);
      else it(id, body);
    };
    const serverSide = () => sessions.store.capabilities.serverSide;
    const reopen = (s: Session = session) => sessions.open(s.sessionKey);

    test('new_session', async () => {
      expect(session.modified).toBe(false);
      expect(session.accessed).toBe(false);
      expect(session.loaded).toBe(false);
    });

    test('get_empty', async () => {
      expect(await session.get('cat')).toBeUndefined();
    });

    test('store', async () => {
      await session.set('cat', 'dog');
      expect(session.modified).toBe(true);
      expect(await session.pop('cat')).toBe('dog');
    });

    test('pop', async () => {
      await session.set('some key', 'exists');
      session.accessed = false;
      session.modified = false;
      expect(await session.pop('some key')).toBe('exists');
      expect(session.accessed).toBe(true);
      expect(session.modified).toBe(true);
      expect(await session.get('some key')).toBeUndefined();
    });

    test('pop_default', async () => {
      expect(await session.pop('some key', 'does not exist')).toBe('does not exist');
      expect(session.accessed).toBe(true);
      expect(session.modified).toBe(false);
    });

    test('pop_no_default_keyerror_raised', async () => {
      await expect(session.pop('some key')).rejects.toMatchObject({ code: 'SESSION_KEY_MISSING' });
    });

    test('setdefault', async () => {
      expect(await session.setDefault('foo', 'bar')).toBe('bar');
      expect(await session.setDefault('foo', 'baz')).toBe('bar');
      expect(session.accessed).toBe(true);
      expect(session.modified).toBe(true);
    });

    test('update', async () => {
      await session.update({ update: 'key' });
      expect(session.accessed).toBe(true);
      expect(session.modified).toBe(true);
      expect(await session.get('update')).toBe('key');
      const other = sessions.open();
      await other.update({});
      expect(other.modified).toBe(true);
    });

    test('has_key', async () => {
      await session.set('some key', 1);
      session.modified = false;
      session.accessed = false;
      expect(await session.has('some key')).toBe(true);
      expect(session.accessed).toBe(true);
      expect(session.modified).toBe(false);
    });

    test('values', async () => {
      expect(await session.values()).toEqual([]);
      expect(session.accessed).toBe(true);
      await session.set('some key', 1);
      session.modified = false;
      session.accessed = false;
      expect(await session.values()).toEqual([1]);
      expect(session.accessed).toBe(true);
      expect(session.modified).toBe(false);
    });

    test('keys', async () => {
      await session.set('x', 1);
      session.modified = false;
      session.accessed = false;
      expect(await session.keys()).toEqual(['x']);
      expect(session.accessed).toBe(true);
      expect(session.modified).toBe(false);
    });

    test('items', async () => {
      await session.set('x', 1);
      session.modified = false;
      session.accessed = false;
      expect(await session.items()).toEqual([['x', 1]]);
      expect(session.accessed).toBe(true);
      expect(session.modified).toBe(false);
    });

    test('clear', async () => {
      await session.set('x', 1);
      session.modified = false;
      session.accessed = false;
      expect(await session.items()).toEqual([['x', 1]]);
      session.clear();
      expect(await session.items()).toEqual([]);
      expect(session.accessed).toBe(true);
      expect(session.modified).toBe(true);
    });

    test('save', async () => {
      await session.save();
      expect(await session.exists(session.sessionKey)).toBe(true);
    });

    test('delete', async () => {
      await session.save();
      await session.delete(session.sessionKey);
      expect(await session.exists(session.sessionKey)).toBe(false);
    });

    test('flush', async () => {
      await session.set('foo', 'bar');
      await session.save();
      const previous = session.sessionKey;
      await session.flush();
      expect(await session.exists(previous)).toBe(false);
      expect(session.sessionKey).toBeNull();
      expect(session.modified).toBe(true);
      expect(session.accessed).toBe(true);
      expect(await reopen().get('foo')).toBeUndefined();
    });

    test('cycle', async () => {
      await session.set('a', 'c');
      await session.set('b', 'd');
      await session.save();
      const previousKey = session.sessionKey;
      const previousItems = await session.items();
      await session.cycleKey();
      expect(await session.exists(previousKey)).toBe(false);
      expect(session.sessionKey).not.toBe(previousKey);
      expect(await session.items()).toEqual(previousItems);
      if (serverSide()) expect(await reopen(sessions.open(previousKey)).get('a')).toBeUndefined();
    });

    test('cycle_with_no_session_cache', async () => {
      await session.set('a', 'c');
      await session.set('b', 'd');
      await session.save();
      const data = await session.items();
      const fresh = sessions.open(session.sessionKey);
      expect(fresh.loaded).toBe(false);
      await fresh.cycleKey();
      expect(await fresh.items()).toEqual(data);
    });

    test('save_doesnt_clear_data', async () => {
      await session.set('a', 'b');
      await session.save();
      expect(await session.get('a')).toBe('b');
    });

    test('invalid_key', async () => {
      // Submitting an invalid session key (either by guessing, or if the db has removed the key)
      // results in a new key being generated: the client's key is never adopted.
      const bogus = sessions.open('1234567890');
      await bogus.set('cat', 'dog');
      await bogus.save();
      expect(bogus.sessionKey).not.toBe('1234567890');
      if (serverSide()) expect(await bogus.exists('1234567890')).toBe(false);
      await bogus.delete();
    });

    test('session_key_empty_string_invalid', async () => {
      expect(sessions.open('').sessionKey).toBeNull();
    });

    test('session_key_too_short_invalid', async () => {
      expect(sessions.open('1234567').sessionKey).toBeNull();
    });

    test('session_key_valid_string_saved', async () => {
      expect(sessions.open('12345678').sessionKey).toBe('12345678');
    });

    test('session_key_is_read_only', async () => {
      expect(() => {
        (session as unknown as { sessionKey: string }).sessionKey = 'abcdefghijk';
      }).toThrow(TypeError);
    });

    test('is_empty', async () => {
      expect(session.isEmpty()).toBe(true);
      await session.set('x', 1);
      expect(session.isEmpty()).toBe(false);
      expect(sessions.open('12345678').isEmpty()).toBe(false);
    });

    test('default_expiry', async () => {
      const age = sessions.settings.sessionCookieAge;
      expect(await session.getExpiryAge()).toBe(age);
      expect((await session.getExpiryDate()).getTime()).toBe(NOW + age * 1000);
      await session.setExpiry(0);
      expect(await session.getExpiryAge()).toBe(age);
    });

    test('custom_expiry_seconds', async () => {
      const modification = new Date(NOW);
      await session.setExpiry(10);
      expect((await session.getExpiryDate({ modification })).getTime()).toBe(NOW + 10_000);
      expect(await session.getExpiryAge({ modification })).toBe(10);
    });

    test('custom_expiry_duration', async () => {
      await session.setExpiry({ seconds: 10 });
      expect((await session.getExpiryDate()).getTime()).toBe(NOW + 10_000);
      expect(await session.getExpiryAge()).toBe(10);
      expect(await session.get('_session_expiry')).toBe('2023-11-14T22:13:30+00:00');
    });

    test('custom_expiry_datetime', async () => {
      await session.setExpiry(new Date(NOW + 10_500));
      expect(await session.getExpiryAge()).toBe(10);
      expect(await session.getExpiryAge({ modification: new Date(NOW + 10_700) })).toBe(-1);
      expect(await session.get('_session_expiry')).toBe('2023-11-14T22:13:30.500000+00:00');
    });

    test('custom_expiry_reset', async () => {
      await session.setExpiry(null);
      await session.setExpiry(10);
      await session.setExpiry(null);
      expect(await session.getExpiryAge()).toBe(sessions.settings.sessionCookieAge);
      expect(await session.has('_session_expiry')).toBe(false);
    });

    test('get_expire_at_browser_close', async () => {
      await session.setExpiry(10);
      expect(await session.getExpireAtBrowserClose()).toBe(false);
      await session.setExpiry(0);
      expect(await session.getExpireAtBrowserClose()).toBe(true);
      await session.setExpiry(null);
      expect(await session.getExpireAtBrowserClose()).toBe(sessions.settings.sessionExpireAtBrowserClose);
    });

    test('decode', async () => {
      const data = new Map<string, string | number>([
        ['a test key', 'a test value'],
        ['n', 1],
      ]);
      expect(session.decode(session.encode(data))).toEqual(data);
    });

    test('decode_failure_logged_to_security', async () => {
      const logs = captureLogs();
      try {
        const tampered = `${session.encode({ a: 1 }).slice(0, -3)}xyz`;
        expect(session.decode(tampered)).toEqual(new Map());
        expect(
          logs.records.some(
            (r) => r.namespace.includes('security') && r.message === 'Session data corrupted',
          ),
        ).toBe(true);
        expect(session.decode('not a session')).toEqual(new Map());
      } finally {
        logs.stop();
      }
    });

    test('actual_expiry', async () => {
      await session.set('foo', 'bar');
      await session.setExpiry(-2);
      await session.save();
      const later = reopen();
      expect(await later.has('foo')).toBe(false);
    });

    test('session_load_does_not_create_record', async () => {
      const unknown = sessions.open('someunknownkey');
      await unknown.load();
      expect(unknown.sessionKey).toBeNull();
      expect(await session.exists('someunknownkey')).toBe(false);
      if (subject.rawExists) expect(await subject.rawExists(sessions, 'someunknownkey')).toBe(false);
    });

    test('session_save_does_not_resurrect_session_logged_out_in_other_context', async () => {
      await session.set('k', 'v');
      await session.save();
      const other = reopen();
      expect(await other.get('k')).toBe('v');
      await session.delete();
      await other.set('k', 'w');
      await expect(other.save()).rejects.toBeInstanceOf(UpdateError);
      expect(await reopen(other).get('k')).toBeUndefined();
      expect(await session.exists(other.sessionKey)).toBe(false);
    });

    test('clear_expired', async () => {
      const live = sessions.open();
      await live.set('live', true);
      await live.save();
      const dead = sessions.open();
      await dead.set('dead', true);
      await dead.setExpiry(-10);
      await dead.save();
      const removed = await sessions.clearExpired();
      if (!sessions.store.capabilities.expiresOnItsOwn) expect(removed).toBeGreaterThanOrEqual(1);
      expect(await live.exists(dead.sessionKey)).toBe(false);
      expect(await live.exists(live.sessionKey)).toBe(true);
    });

    test('virtual_clock_expires_sessions', async () => {
      await session.set('cart', ['apple']);
      await session.setExpiry(5);
      await session.save();
      expect(await reopen().get('cart')).toEqual(['apple']);
      sessions.clock.travel(6);
      const later = reopen();
      expect(await later.get('cart')).toBeUndefined();
      if (serverSide()) expect(later.sessionKey).toBeNull();
      sessions.clock.travel(-6);
    });

    test('prototype_keys_are_plain_data', async () => {
      const hostile = JSON.parse('{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":2}}}');
      await session.update(new Map(Object.entries(hostile)));
      await session.set('save', 1);
      await session.save();
      const loaded = reopen();
      expect(await loaded.get('__proto__')).toEqual({ polluted: 1 });
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(typeof loaded.save).toBe('function');
    });

    test('non_json_value_rejected_nothing_written', async () => {
      await session.set('ok', 1);
      await session.save();
      const key = session.sessionKey;
      const cycle: Record<string, unknown> = {};
      cycle.self = cycle;
      for (const bad of [new Date(), { nested: [1, 2n] }, cycle, () => 1, new Map()]) {
        const s = reopen();
        // U3: refused at set(), naming the key, before anything reaches the store.
        const refused = await s.set('bad', bad as never).then(
          () => null,
          (e: unknown) => e,
        );
        expect(refused).toBeInstanceOf(SessionValueError);
        expect((refused as SessionValueError).message).toContain('"bad"');
        // A value that was fine at set() and mutated afterwards is still refused at save.
        const box: Record<string, unknown> = {};
        await s.set('bad', box as never);
        box.later = bad;
        const error = await s.save().then(
          () => null,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(SessionValueError);
        expect((error as SessionValueError).message).toContain('"bad"');
      }
      // The record (or, for signed cookies, the token) from the last good save is untouched.
      expect(await sessions.open(key).items()).toEqual([['ok', 1]]);
    });

    test('list_pages_sessions', async () => {
      // A store that cannot list declares it in `skip` with its reason; one that loses the
      // capability by accident fails here instead of passing without checking anything.
      expect(sessions.store.capabilities.list, 'capabilities.list (or a skip reason)').toBe(true);
      expect(typeof sessions.store.list).toBe('function');
      if (!sessions.store.list) return;
      const keys = new Set<string>();
      for (let i = 0; i < 5; i++) {
        const s = sessions.open();
        await s.set('i', i);
        await s.save();
        keys.add(s.sessionKey!);
      }
      const seen = new Set<string>();
      let cursor: string | null = null;
      do {
        const page = await sessions.store.list({ cursor, limit: 2 });
        expect(page.items.length).toBeLessThanOrEqual(2);
        for (const item of page.items) seen.add(item.key);
        cursor = page.cursor;
      } while (cursor);
      for (const key of keys) expect(seen.has(key)).toBe(true);
    });

    test('concurrent_reads_load_once', async () => {
      await session.set('a', 1);
      await session.save();
      const s = reopen();
      const ops = countStoreOps(sessions.store);
      const [a, b, c] = await Promise.all([s.get('a'), s.get('a'), s.has('a')]);
      expect([a, b, c]).toEqual([1, 1, true]);
      expect(ops.load).toBe(1);
      expect(await s.get('a')).toBe(1);
      expect(ops.load).toBe(1);
    });

    test('integer_keys_keep_order', async () => {
      await session.set('b', 1);
      await session.set('10', 2);
      await session.set('2', 3);
      await session.save();
      expect(await reopen().keys()).toEqual(['b', '10', '2']);
    });
  });
}

/**
 * Session paths beside the conformance suite: Django's flags on a new session, the signed-cookie
 * engine's create/save/delete/cycleKey rules, key creation (collision retry, the exists() probe only
 * where inserts are not atomic, the exhausted error), which operations reach the store, the merge
 * strategy keeping both of two concurrent writers' keys, and the events a client sees for them.
 */
import { describe, expect, it } from 'vitest';
import { CreateError, SessionError } from '../../server-agent/sessions/errors.js';
import type { SessionManagerOptions } from '../../server-agent/sessions/manager.js';
import type { SessionStore } from '../../server-agent/sessions/store.js';
import { resolveStore } from '../../server-agent/sessions/stores/index.js';
import { countStoreOps } from '../helpers/http.js';
import { timingBarMs } from '../helpers/timing.js';
import { AGE, frozenSessions, listen, NOW, of } from './frozen-sessions.js';

const make = frozenSessions('session-paths-secret');

/** The memory cache with some of its parts replaced. */
function cacheWith(
  change: (store: SessionStore) => Partial<SessionStore>,
): SessionManagerOptions['SESSION_ENGINE'] {
  return ((context: Parameters<typeof resolveStore>[1]) => {
    const store = resolveStore('cache', context);
    return { ...store, capabilities: store.capabilities, ...change(store) } as SessionStore;
  }) as never;
}

describe('a session object', () => {
  it('reports loaded, its store and the cookie age; an empty keyless session is empty', async () => {
    const sessions = make({ SESSION_COOKIE_AGE: 600 });
    const session = sessions.open();
    expect(session.store).toBe(sessions.store);
    expect(session.getSessionCookieAge()).toBe(600);
    expect(session.loaded).toBe(false);
    expect(session.isEmpty()).toBe(true);
    expect(await session.get('x')).toBeUndefined();
    expect(session.loaded).toBe(true);
    expect(session.isEmpty()).toBe(true);
    await session.set('x', 1);
    expect(session.isEmpty()).toBe(false);
  });

  it('setExpiry marks the session modified', async () => {
    const sessions = make();
    const session = sessions.open();
    await session.get('x');
    expect(session.modified).toBe(false);
    await session.setExpiry(300);
    expect(session.modified).toBe(true);
  });

  it('clear() on a session never loaded emits nothing and throws nothing', () => {
    const sessions = make();
    const seen = listen(sessions);
    const session = sessions.open('abcdefgh12345678');
    expect(() => session.clear()).not.toThrow();
    expect(seen).toEqual([]);
    expect(session.modified).toBe(true);
  });

  it('the tracked object (U2) reports set and removed changes', async () => {
    const sessions = make();
    const seen = listen(sessions);
    const data = await sessions.open().data<Record<string, unknown>>();
    data.user = 'ada';
    delete data.user;
    expect(of(seen, 'session.modified').map((e) => [e.key, e.op])).toEqual([
      ['user', 'set'],
      ['user', 'removed'],
    ]);
  });
});

describe('what reaches the store', () => {
  it('a new session is never read; a keyless load() reads nothing and emits nothing', async () => {
    const sessions = make();
    const seen = listen(sessions);
    const ops = countStoreOps(sessions.store);
    const session = sessions.open();
    expect(await session.load()).toEqual(new Map());
    await session.set('a', 1);
    await session.save();
    expect(ops.load).toBe(0);
    expect(ops.save).toBe(1);
    expect(of(seen, 'session.loaded')).toEqual([]);
  });

  it('flush() of a keyless session deletes nothing; a malformed key is never sent to delete', async () => {
    const sessions = make();
    const seen = listen(sessions);
    const ops = countStoreOps(sessions.store);
    await sessions.open().flush();
    await sessions.open().delete('UPPERCASE-not-a-key');
    expect(ops.delete).toBe(0);
    expect(of(seen, 'session.deleted').map((e) => e.session)).toEqual([
      sessions.handles.handleFor('UPPERCASE-not-a-key'),
    ]);
  });

  it('a key found unknown at save is never adopted: a new key is minted', async () => {
    const sessions = make();
    const unknown = 'abcdefgh12345678abcdefgh12345678';
    const session = sessions.open(unknown);
    await session.save();
    expect(session.sessionKey).not.toBe(unknown);
    expect(session.sessionKey).toMatch(/^[a-z0-9]{32}$/);
    expect(await sessions.store.exists(unknown)).toBe(false);
    expect(await sessions.store.exists(session.sessionKey as string)).toBe(true);
  });

  it('a load that failed once is tried again on the next access', async () => {
    let failures = 1;
    const sessions = make({
      SESSION_ENGINE: cacheWith((store) => ({
        load: async (key) => {
          if (failures-- > 0) throw new Error('transient');
          return store.load(key);
        },
      })),
    });
    const key = sessions.open();
    await key.set('user', 'ada');
    await key.save();
    const session = sessions.open(key.sessionKey);
    await expect(session.get('user')).rejects.toThrow();
    expect(await session.get('user')).toBe('ada');
  });
});

describe('creating keys', () => {
  it('an atomic store is not probed with exists(); a non-atomic one is, once per key', async () => {
    const atomic = make();
    const atomicOps = countStoreOps(atomic.store);
    await atomic.open().create();
    expect(atomicOps.exists).toBe(0);
    const probing = make({
      SESSION_ENGINE: cacheWith((store) => ({
        capabilities: { ...store.capabilities, atomicCreate: false },
      })),
    });
    const ops = countStoreOps(probing.store);
    const session = probing.open();
    await session.create();
    expect(ops.exists).toBe(1);
    expect(ops.save).toBe(1);
    expect(session.modified).toBe(true);
  });

  it('a non-atomic store: a key that exists is skipped before the insert', async () => {
    let taken = 2;
    const sessions = make({
      SESSION_ENGINE: cacheWith((store) => ({
        capabilities: { ...store.capabilities, atomicCreate: false },
        exists: async (key) => taken-- > 0 || store.exists(key),
      })),
    });
    const ops = countStoreOps(sessions.store);
    await sessions.open().create();
    expect(ops.exists).toBe(3);
    expect(ops.save).toBe(1);
  });

  it('a collision (CreateError) is retried with a new key; any other error is not', async () => {
    const tried: string[] = [];
    let collisions = 2;
    const sessions = make({
      SESSION_ENGINE: cacheWith((store) => ({
        save: async (key, record, mustCreate) => {
          tried.push(key);
          if (mustCreate && collisions-- > 0) throw new CreateError();
          return store.save(key, record, mustCreate);
        },
      })),
    });
    const seen = listen(sessions);
    const session = sessions.open();
    await session.set('a', 1);
    await session.save();
    expect(tried).toHaveLength(3);
    expect(new Set(tried).size).toBe(3);
    expect(session.sessionKey).toBe(tried[2]);
    expect(of(seen, 'session.created')).toHaveLength(1);
    expect(of(seen, 'session.created')[0]).toMatchObject({
      session: sessions.handles.handleFor(tried[2] as string),
      at: NOW,
    });
    const broken = make({
      SESSION_ENGINE: cacheWith(() => ({ save: async () => Promise.reject(new TypeError('disk')) })),
    });
    await expect(broken.open().create()).rejects.toThrow(TypeError);
  });

  it(
    'a store that always collides ends in SESSION_CREATE_EXHAUSTED after 10,000 tries',
    async () => {
      let attempts = 0;
      const sessions = make({
        SESSION_ENGINE: cacheWith(() => ({
          save: async () => {
            attempts++;
            throw new CreateError();
          },
        })),
      });
      const error = await sessions
        .open()
        .create()
        .then(
          () => null,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(SessionError);
      expect((error as SessionError).code).toBe('SESSION_CREATE_EXHAUSTED');
      expect((error as SessionError).message).toBe(
        'Unable to create a new session key. It is likely that the store is unavailable.',
      );
      expect(attempts).toBe(10_000);
      // 10,000 create attempts: seconds in a normal run, far more once instrumented on a loaded box.
    },
    timingBarMs(20_000),
  );
});

describe('signed cookies (the key is the signed data)', () => {
  const signed = () => make({ SESSION_ENGINE: 'signed_cookies' });

  it("create() only marks the session modified (Django's signed_cookies create)", async () => {
    const session = signed().open();
    await session.create();
    expect(session.modified).toBe(true);
    expect(session.sessionKey).toBeNull();
  });

  it('save() makes the key the signed token and marks modified; it loads back', async () => {
    const sessions = signed();
    const session = sessions.open();
    await session.set('user', 'ada');
    session.modified = false;
    await session.save();
    expect(session.modified).toBe(true);
    expect(session.sessionKey).toMatch(/^[\w.-]+:[\w-]+:[\w-]+$/);
    expect(await sessions.open(session.sessionKey).get('user')).toBe('ada');
  });

  it('cycleKey() keeps the data in a new token', async () => {
    const sessions = signed();
    const first = sessions.open();
    await first.set('user', 'ada');
    await first.save();
    const session = sessions.open(first.sessionKey);
    await session.cycleKey();
    expect(session.sessionKey).not.toBeNull();
    expect(await session.get('user')).toBe('ada');
    expect(await sessions.open(session.sessionKey).get('user')).toBe('ada');
  });

  it('delete()/flush() drop the key and the data and mark modified; a bad token is replaced', async () => {
    const sessions = signed();
    const first = sessions.open();
    await first.set('user', 'ada');
    await first.save();
    const session = sessions.open(first.sessionKey);
    await session.get('user');
    session.modified = false;
    await session.delete();
    expect(session.sessionKey).toBeNull();
    expect(session.modified).toBe(true);
    expect(await session.keys()).toEqual([]);
    const forged = sessions.open('eyJ1c2VyIjoiZXZlIn0:1xYMWe:forgedsignature');
    expect(await forged.get('user')).toBeUndefined();
    expect(forged.modified).toBe(true);
    expect(forged.sessionKey).toBe('eyJ1c2VyIjoiZXZlIn0:1xYMWe:forgedsignature');
  });
});

describe('lifecycle events', () => {
  it('saved, deleted, flushed and keyCycled carry what a client shows', async () => {
    const sessions = make();
    const seen = listen(sessions);
    const session = sessions.open();
    await session.update({ a: 1, b: [2] });
    await session.save();
    const first = session.sessionKey as string;
    const saved = of(seen, 'session.saved');
    expect(saved).toHaveLength(1);
    expect(saved[0]).toMatchObject({
      session: sessions.handles.handleFor(first),
      mustCreate: true,
      keys: ['a', 'b'],
      expiresAt: NOW + AGE * 1000,
      at: NOW,
    });
    expect(saved[0]?.bytes).toBeGreaterThan(10);
    expect(saved[0]?.ms).toBeGreaterThanOrEqual(0);
    expect(saved[0]?.ms).toBeLessThan(60_000);
    await session.cycleKey();
    const second = session.sessionKey as string;
    expect(of(seen, 'session.keyCycled')).toEqual([
      expect.objectContaining({
        from: sessions.handles.handleFor(first),
        to: sessions.handles.handleFor(second),
        at: NOW,
      }),
    ]);
    expect(of(seen, 'session.deleted').map((e) => e.session)).toEqual([sessions.handles.handleFor(first)]);
    await session.flush();
    expect(of(seen, 'session.flushed')).toEqual([
      expect.objectContaining({ session: sessions.handles.handleFor(second), keys: ['a', 'b'], at: NOW }),
    ]);
    expect(of(seen, 'session.deleted').map((e) => e.session)).toEqual([
      sessions.handles.handleFor(first),
      sessions.handles.handleFor(second),
    ]);
    const saves = of(seen, 'session.saved');
    expect(saves.at(-1)).toMatchObject({ session: sessions.handles.handleFor(second), mustCreate: true });
  });

  it('a flush of a session never loaded lists no keys; a keyless cycleKey names no old key', async () => {
    const sessions = make();
    const seen = listen(sessions);
    await sessions.open('abcdefgh12345678abcdefgh12345678').flush();
    expect(of(seen, 'session.flushed')[0]?.keys).toEqual([]);
    const fresh = sessions.open();
    await fresh.set('a', 1);
    await fresh.cycleKey();
    expect(of(seen, 'session.keyCycled')[0]).toMatchObject({
      from: null,
      to: sessions.handles.handleFor(fresh.sessionKey as string),
    });
  });
});

describe("SESSION_SAVE_STRATEGY 'merge'", () => {
  it('two requests on one session changing different keys: both changes are kept', async () => {
    const sessions = make({ SESSION_SAVE_STRATEGY: 'merge' });
    const first = sessions.open();
    await first.set('base', 0);
    await first.save();
    const key = first.sessionKey as string;
    const a = sessions.open(key);
    const b = sessions.open(key);
    await a.get('base');
    await b.get('base');
    await a.set('cart', 1);
    await b.set('theme', 'dark');
    await a.save();
    await b.save();
    const stored = sessions.open(key);
    expect(Object.fromEntries(await stored.items())).toEqual({ base: 0, cart: 1, theme: 'dark' });
    // The later writer's session now holds the merged data too.
    expect(Object.fromEntries(await b.items())).toEqual({ base: 0, cart: 1, theme: 'dark' });
    // A second save from the same object merges against what it saved last, not what it first loaded.
    await a.set('cart', 2);
    await a.save();
    expect(Object.fromEntries(await sessions.open(key).items())).toEqual({ base: 0, cart: 2, theme: 'dark' });
  });

  it("'replace' (Django's): the later writer's data wins whole", async () => {
    const sessions = make();
    const first = sessions.open();
    await first.set('base', 0);
    await first.save();
    const key = first.sessionKey as string;
    const a = sessions.open(key);
    const b = sessions.open(key);
    await a.set('cart', 1);
    await b.set('theme', 'dark');
    await a.save();
    await b.save();
    expect(Object.fromEntries(await sessions.open(key).items())).toEqual({ base: 0, theme: 'dark' });
  });

  it('merge: a key removed by one request and set by none stays removed', async () => {
    const sessions = make({ SESSION_SAVE_STRATEGY: 'merge' });
    const first = sessions.open();
    await first.update({ keep: 1, drop: 2 });
    await first.save();
    const key = first.sessionKey as string;
    const a = sessions.open(key);
    const b = sessions.open(key);
    await a.remove('drop');
    await b.set('extra', 3);
    await a.save();
    await b.save();
    expect(Object.fromEntries(await sessions.open(key).items())).toEqual({ keep: 1, extra: 3 });
  });
});

import { describe, expect, it } from 'vitest';
import type { SessionEvent } from '../../server-agent/sessions/events.js';
import { createSessionManager } from '../../server-agent/sessions/manager.js';
import type { SessionStore } from '../../server-agent/sessions/store.js';

const make = (extra: Record<string, unknown> = {}) =>
  createSessionManager({ SECRET_KEY: 'test-secret-key', DATABASE_URL: ':memory:', ...extra });

describe('lifecycle events', () => {
  it('emits created, modified (before/after), saved, loaded, keyCycled, flushed — with handles, never raw keys', async () => {
    const sessions = make();
    const seen: SessionEvent[] = [];
    sessions.events.onAny((event) => seen.push(event));
    const s = sessions.open();
    await s.set('cart', ['apple']);
    await s.save();
    const firstKey = s.sessionKey!;
    const again = sessions.open(firstKey);
    await again.set('cart', ['apple', 'pear']);
    await again.cycleKey();
    await again.flush();
    const types = seen.map((e) => e.type);
    expect(types).toEqual([
      'session.modified',
      'session.saved',
      'session.created',
      'session.loaded',
      'session.modified',
      'session.saved',
      'session.created',
      'session.deleted',
      'session.keyCycled',
      'session.modified',
      'session.deleted',
      'session.flushed',
    ]);
    const modified = seen.filter((e) => e.type === 'session.modified');
    expect(modified[1]).toMatchObject({
      key: 'cart',
      op: 'set',
      before: ['apple'],
      after: ['apple', 'pear'],
    });
    const text = JSON.stringify(seen);
    expect(text).not.toContain(firstKey);
    const handle = sessions.handles.handleFor(firstKey);
    expect(sessions.handles.keyFor(handle)).toBe(firstKey);
    expect(seen.find((e) => e.type === 'session.loaded')).toMatchObject({
      outcome: 'hit',
      keys: 1,
      session: handle,
    });
    await sessions.close();
  });

  it('reports expired loads with the reason, on the virtual clock', async () => {
    const sessions = make();
    sessions.clock.freeze(1_700_000_000_000);
    const s = sessions.open();
    await s.set('a', 1);
    await s.setExpiry(5);
    await s.save();
    const seen: SessionEvent[] = [];
    sessions.events.onAny((event) => seen.push(event));
    sessions.clock.travel(10);
    await sessions.open(s.sessionKey).load();
    expect(seen.map((e) => e.type)).toEqual(['clock.changed', 'session.loaded', 'session.expired']);
    expect(seen[1]).toMatchObject({ outcome: 'expired' });
    expect(seen[2]).toMatchObject({ reason: 'expiry-date-passed', expiredAt: 1_700_000_005_000 });
    await sessions.close();
  });

  it('costs nothing without listeners: no payload is built', async () => {
    const sessions = make();
    expect(sessions.events.active).toBe(false);
    const stop = sessions.events.on('session.saved', () => {});
    expect(sessions.events.active).toBe(true);
    stop();
    expect(sessions.events.active).toBe(false);
    await sessions.close();
  });

  it("value copies are made only for a listener that wants the request's detail", async () => {
    const sessions = make();
    const seen: SessionEvent[] = [];
    const asked: (string | undefined)[] = [];
    const stop = sessions.events.onAny(
      (event) => seen.push(event),
      (requestId) => {
        asked.push(requestId);
        return requestId === 'watched';
      },
    );
    const quiet = sessions.open();
    quiet.requestId = 'summary-only';
    await quiet.set('cart', ['apple']);
    const loud = sessions.open();
    loud.requestId = 'watched';
    await loud.set('cart', ['pear']);
    const modified = seen.filter((e) => e.type === 'session.modified');
    expect(modified.map((e) => [e.requestId, e.key, e.after])).toEqual([
      ['summary-only', 'cart', undefined],
      ['watched', 'cart', ['pear']],
    ]);
    expect(asked).toContain('summary-only');
    expect(sessions.events.detail('summary-only')).toBe(false);
    // Any other listener (the app's own) takes every event whole: detail for every request again.
    const own = sessions.events.on('session.saved', () => {});
    expect(sessions.events.detail('summary-only')).toBe(true);
    own();
    expect(sessions.events.detail('summary-only')).toBe(false);
    stop();
    expect(sessions.events.active).toBe(false);
    await sessions.close();
  });

  it('a throwing listener never breaks the session path', async () => {
    const sessions = make();
    sessions.events.onAny(() => {
      throw new Error('observer bug');
    });
    const s = sessions.open();
    await s.set('a', 1);
    await expect(s.save()).resolves.toBeUndefined();
    await sessions.close();
  });
});

describe('store calls fail fast', () => {
  it('a store that hangs becomes StoreUnavailable (503) within storeTimeoutMs', async () => {
    const hanging: SessionStore = {
      engine: 'hanging',
      capabilities: { serverSide: true, list: false, expiresOnItsOwn: false, keyPattern: null },
      load: () => new Promise(() => {}),
      exists: () => new Promise(() => {}),
      save: () => new Promise(() => {}),
      delete: () => new Promise(() => {}),
      clearExpired: async () => 0,
      close: async () => {},
    };
    const sessions = createSessionManager({
      SECRET_KEY: 'k',
      SESSION_ENGINE: hanging,
      SESSION_STORE_TIMEOUT_MS: 50,
    });
    const started = Date.now();
    await expect(sessions.open('abcdefghijkl').get('x')).rejects.toMatchObject({
      code: 'SESSION_STORE_UNAVAILABLE',
      status: 503,
    });
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

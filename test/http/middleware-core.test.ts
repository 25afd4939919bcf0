/**
 * The framework-free middleware core (http/middleware.ts), driven directly: Django's
 * SessionMiddleware.process_response decisions (Vary, save, Set-Cookie, deletion), the failure
 * answers (400/409/503/500), the events a client sees (no raw key), U1's wait for unawaited calls
 * and S0's development warning. Real sessions on the memory cache and on signed cookies; the
 * adapter suites check the same through real HTTP servers.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createMiddlewareCore, type RequestInfo } from '../../server-agent/http/middleware.js';
import { SaveConflict, StoreUnavailable } from '../../server-agent/sessions/errors.js';
import type { SessionEvent } from '../../server-agent/sessions/events.js';
import {
  createSessionManager,
  type SessionManager,
  type SessionManagerOptions,
} from '../../server-agent/sessions/manager.js';
import type { SessionStore } from '../../server-agent/sessions/store.js';
import { resolveStore } from '../../server-agent/sessions/stores/index.js';
import { captureLogs } from '../helpers/log-capture.js';

const SECRET_KEY = 'middleware-core-secret-key';
const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);
const AGE = 1_209_600;
const PRODUCTION_KEY = randomBytes(32).toString('base64url');

const open: SessionManager[] = [];
const stops: (() => void)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) stop();
  for (const sessions of open.splice(0)) await sessions.close();
});

function manager(options: SessionManagerOptions = {}): SessionManager {
  const sessions = createSessionManager({ SECRET_KEY, SESSION_ENGINE: 'cache', ...options });
  sessions.clock.freeze(NOW);
  open.push(sessions);
  return sessions;
}

function logs() {
  const capture = captureLogs();
  stops.push(capture.stop);
  return capture.records;
}

function listen(sessions: SessionManager): SessionEvent[] {
  const seen: SessionEvent[] = [];
  stops.push(sessions.events.onAny((event) => seen.push(event)));
  return seen;
}

/** A stored session with `data`; returns its key. */
async function stored(
  sessions: SessionManager,
  data: Record<string, string> = { user: 'ada' },
): Promise<string> {
  const session = sessions.open();
  await session.update(data);
  await session.save();
  return session.sessionKey as string;
}

const get = (cookieHeader?: string, more: Partial<RequestInfo> = {}): RequestInfo => ({
  method: 'GET',
  url: '/page?q=1',
  cookieHeader,
  ...more,
});

/** The memory cache store with its save() replaced, for the failure answers. */
function failingSave(error: () => Error): SessionManagerOptions['SESSION_ENGINE'] {
  return ((context: Parameters<typeof resolveStore>[1]) => {
    const store = resolveStore('cache', context);
    return {
      ...store,
      capabilities: store.capabilities,
      save: async () => Promise.reject(error()),
    } as SessionStore;
  }) as never;
}

describe("process_response: Vary and the cookie (Django's SessionMiddleware)", () => {
  it('a request that never touches the session gets no cookie and no Vary', async () => {
    const core = createMiddlewareCore(manager());
    const result = await core.finish(core.begin(get()), { status: 200, vary: 'Accept' });
    expect(result).toEqual({ setCookie: [] });
  });

  it('reading without changing adds Vary: Cookie to the app Vary and sets no cookie', async () => {
    const sessions = manager();
    const key = await stored(sessions);
    const core = createMiddlewareCore(sessions);
    const state = core.begin(get(`other=1; sessionid=${key}`));
    expect(await state.session.get('user')).toBe('ada');
    const result = await core.finish(state, { status: 200, vary: 'Accept-Encoding' });
    expect(result.setCookie).toEqual([]);
    expect(result.vary).toBe('Accept-Encoding, Cookie');
    expect(result.replaceWith).toBeUndefined();
  });

  it('a change is saved and sent as the session cookie with Max-Age and Expires', async () => {
    const sessions = manager();
    const core = createMiddlewareCore(sessions);
    const state = core.begin(get());
    expect(state.cookiePresent).toBe(false);
    await state.session.set('cart', '3 apples');
    const result = await core.finish(state, { status: 302, vary: ['Accept', 'Origin'] });
    const key = state.session.sessionKey as string;
    expect(key).toMatch(/^[a-z0-9]{32}$/);
    expect(result.setCookie).toEqual([
      `sessionid=${key}; Max-Age=${AGE}; Path=/; Expires=${new Date(NOW + AGE * 1000).toUTCString()}; HttpOnly; SameSite=Lax`,
    ]);
    expect(result.vary).toBe('Accept, Origin, Cookie');
    expect(await sessions.open(key).get('cart')).toBe('3 apples');
  });

  it('a cookie whose session is empty is deleted, with Vary: Cookie', async () => {
    const core = createMiddlewareCore(manager());
    const state = core.begin(get('sessionid=abcdefgh12345678abcdefgh12345678'));
    expect(state.cookiePresent).toBe(true);
    expect(await state.session.get('user')).toBeUndefined();
    const result = await core.finish(state, { status: 200, vary: undefined });
    expect(result.setCookie).toEqual([
      'sessionid=; Max-Age=0; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; SameSite=Lax',
    ]);
    expect(result.vary).toBe('Cookie');
  });

  it('flush() on a logged-in request deletes the cookie and the record', async () => {
    const sessions = manager();
    const key = await stored(sessions);
    const core = createMiddlewareCore(sessions);
    const state = core.begin(get(`sessionid=${key}`));
    await state.session.flush();
    const result = await core.finish(state, { status: 200, vary: undefined });
    expect(result.setCookie).toHaveLength(1);
    expect(result.setCookie[0]).toMatch(/^sessionid=; Max-Age=0;/);
    expect(await sessions.store.exists(key)).toBe(false);
  });

  it('an empty session without a cookie sets nothing, even when modified', async () => {
    const core = createMiddlewareCore(manager());
    const state = core.begin(get());
    await state.session.set('x', 1);
    await state.session.remove('x');
    const result = await core.finish(state, { status: 200, vary: undefined });
    expect(result.setCookie).toEqual([]);
    expect(result.vary).toBe('Cookie');
  });

  it('a 5xx response is not saved (Django skips the save on status >= 500); 499 is', async () => {
    const sessions = manager();
    for (const [status, saved] of [
      [500, false],
      [503, false],
      [499, true],
    ] as const) {
      const core = createMiddlewareCore(sessions);
      const state = core.begin(get());
      await state.session.set('n', status);
      const result = await core.finish(state, { status, vary: undefined });
      expect(result.setCookie.length === 1).toBe(saved);
      expect(state.session.sessionKey !== null).toBe(saved);
      expect(result.vary).toBe('Cookie');
    }
  });

  it('SESSION_EXPIRE_AT_BROWSER_CLOSE: the cookie has neither Max-Age nor Expires', async () => {
    const core = createMiddlewareCore(manager({ SESSION_EXPIRE_AT_BROWSER_CLOSE: true }));
    const state = core.begin(get());
    await state.session.set('a', 1);
    const result = await core.finish(state, { status: 200, vary: undefined });
    expect(result.setCookie).toEqual([
      `sessionid=${state.session.sessionKey}; Path=/; HttpOnly; SameSite=Lax`,
    ]);
  });

  it('a per-session expiry sets the cookie age', async () => {
    const core = createMiddlewareCore(manager());
    const state = core.begin(get());
    await state.session.set('a', 1);
    await state.session.setExpiry(300);
    const result = await core.finish(state, { status: 200, vary: undefined });
    expect(result.setCookie[0]).toContain('; Max-Age=300;');
  });

  it("SESSION_SAVE_EVERY_REQUEST re-sends an untouched session's cookie, with Vary: Cookie (S0)", async () => {
    const sessions = manager({ SESSION_SAVE_EVERY_REQUEST: true });
    const key = await stored(sessions);
    const core = createMiddlewareCore(sessions);
    const state = core.begin(get(`sessionid=${key}`));
    const result = await core.finish(state, { status: 200, vary: 'Accept' });
    expect(result.setCookie).toHaveLength(1);
    expect(result.setCookie[0]).toMatch(new RegExp(`^sessionid=${key}; Max-Age=${AGE};`));
    expect(result.vary).toBe('Accept, Cookie');
  });

  it('without SESSION_SAVE_EVERY_REQUEST an untouched session is neither saved nor varied', async () => {
    const sessions = manager();
    const key = await stored(sessions);
    const core = createMiddlewareCore(sessions);
    const result = await core.finish(core.begin(get(`sessionid=${key}`)), { status: 200, vary: 'Accept' });
    expect(result).toEqual({ setCookie: [] });
  });

  it('SESSION_SAVE_EVERY_REQUEST with an unknown cookie key deletes the cookie and creates no record', async () => {
    const sessions = manager({ SESSION_SAVE_EVERY_REQUEST: true });
    const core = createMiddlewareCore(sessions);
    const state = core.begin(get('sessionid=abcdefgh12345678abcdefgh12345678'));
    const result = await core.finish(state, { status: 200, vary: undefined });
    expect(result.setCookie).toHaveLength(1);
    expect(result.setCookie[0]).toMatch(/^sessionid=; Max-Age=0;/);
    expect(result.vary).toBe('Cookie');
  });

  it("SESSION_COOKIE_SECURE 'auto' follows the request's scheme", async () => {
    const sessions = manager({ SESSION_COOKIE_SECURE: 'auto' });
    for (const secure of [true, false, undefined]) {
      const core = createMiddlewareCore(sessions);
      const state = core.begin(get(undefined, secure === undefined ? {} : { secure }));
      expect(state.secure).toBe(secure === true);
      await state.session.set('a', 1);
      const result = await core.finish(state, { status: 200, vary: undefined });
      expect(result.setCookie[0]?.includes('; Secure')).toBe(secure === true);
    }
  });

  it('signed cookies: a change is sent as the new signed token; flush() deletes it', async () => {
    const sessions = manager({ SESSION_ENGINE: 'signed_cookies' });
    const core = createMiddlewareCore(sessions);
    const first = core.begin(get());
    await first.session.set('user', 'ada');
    const set = await core.finish(first, { status: 200, vary: undefined });
    const token = set.setCookie[0]?.match(/^sessionid=([^;]+);/)?.[1] as string;
    expect(token).toBeTruthy();
    const second = core.begin(get(`sessionid=${token}`));
    expect(await second.session.get('user')).toBe('ada');
    await second.session.flush();
    const cleared = await core.finish(second, { status: 200, vary: undefined });
    expect(cleared.setCookie[0]).toMatch(/^sessionid=; Max-Age=0;/);
  });
});

describe('failures while saving', () => {
  it("a session deleted by another request while this one ran: 400 with Django's message", async () => {
    const sessions = manager();
    const key = await stored(sessions);
    const core = createMiddlewareCore(sessions);
    const events = listen(sessions);
    const state = core.begin(get(`sessionid=${key}`));
    await state.session.set('cart', 1);
    await sessions.open(key).flush();
    const result = await core.finish(state, { status: 200, vary: undefined });
    expect(result.replaceWith?.status).toBe(400);
    expect(result.replaceWith?.body).toMatch(/session was deleted before the request completed/);
    expect(result.setCookie).toEqual([]);
    const interrupted = events.find((e) => e.type === 'session.interrupted');
    expect(interrupted).toMatchObject({ requestId: state.requestId, message: result.replaceWith?.body });
    expect(events.find((e) => e.type === 'request.end')).toMatchObject({
      status: 400,
      saved: false,
      notSavedReason: 'interrupted',
    });
  });

  it("a store that does not answer: 503 under 'fail', the app's response under 'continue'", async () => {
    for (const [policy, replaced] of [
      ['fail', true],
      ['continue', false],
    ] as const) {
      const records = logs();
      const sessions = manager({
        SESSION_ENGINE: failingSave(() => new StoreUnavailable('store down')),
        SESSION_ON_STORE_UNAVAILABLE: policy,
      });
      const core = createMiddlewareCore(sessions);
      const events = listen(sessions);
      const state = core.begin(get());
      await state.session.set('a', 1);
      const result = await core.finish(state, { status: 200, vary: undefined });
      expect(result.setCookie).toEqual([]);
      if (replaced)
        expect(result.replaceWith).toEqual({
          status: 503,
          body: 'Service Unavailable: the session store did not answer.',
        });
      else expect(result.replaceWith).toBeUndefined();
      expect(events.find((e) => e.type === 'request.end')).toMatchObject({
        status: replaced ? 503 : 200,
        notSavedReason: 'store-error',
      });
      expect(
        records.some((r) => r.level === 'error' && r.message.includes('store unavailable while saving')),
      ).toBe(true);
    }
  });

  it('a merge that keeps losing (SaveConflict): logged, not saved, the response stands', async () => {
    const records = logs();
    const sessions = manager({ SESSION_ENGINE: failingSave(() => new SaveConflict(8)) });
    const core = createMiddlewareCore(sessions);
    const events = listen(sessions);
    const state = core.begin(get());
    await state.session.set('a', 1);
    const result = await core.finish(state, { status: 200, vary: undefined });
    expect(result.replaceWith).toBeUndefined();
    expect(result.setCookie).toEqual([]);
    expect(
      records.some((r) => r.level === 'warn' && r.message.startsWith('Session not saved: 409 Conflict')),
    ).toBe(true);
    expect(events.find((e) => e.type === 'request.end')).toMatchObject({ notSavedReason: 'conflict' });
  });

  it('any other error: 500 with a fixed body (no error text)', async () => {
    const records = logs();
    const sessions = manager({ SESSION_ENGINE: failingSave(() => new Error('EROFS: /tmp/sessionidsecret')) });
    const events = listen(sessions);
    const core = createMiddlewareCore(sessions);
    const state = core.begin(get());
    await state.session.set('a', 1);
    const result = await core.finish(state, { status: 201, vary: undefined });
    expect(result.replaceWith).toEqual({
      status: 500,
      body: 'Internal Server Error: the session could not be saved.',
    });
    expect(result.setCookie).toEqual([]);
    expect(records.some((r) => r.level === 'error' && r.message === 'Session could not be saved')).toBe(true);
    expect(events.find((e) => e.type === 'request.end')).toMatchObject({
      status: 500,
      saved: false,
      notSavedReason: 'store-error',
    });
  });

  it('a SessionError is logged with its code', async () => {
    const records = logs();
    // A cookie past 4096 bytes (signed cookies) fails the save with CookieTooLarge.
    const sessions = manager({ SESSION_ENGINE: 'signed_cookies' });
    const core = createMiddlewareCore(sessions);
    const state = core.begin(get());
    await state.session.set('big', randomBytes(4000).toString('hex'));
    const result = await core.finish(state, { status: 200, vary: undefined });
    expect(result.replaceWith?.status).toBe(500);
    const line = records.find(
      (r) => r.level === 'error' && r.message.startsWith('Session could not be saved ('),
    );
    expect(line?.message).toMatch(/^Session could not be saved \([A-Z_]+\)$/);
  });

  it("onStoreUnavailable 'continue' while loading: a write is neither saved nor tried, nothing logged", async () => {
    const DOWN = { default: { BACKEND: 'redis', LOCATION: 'redis://127.0.0.1:1/0' } };
    const records = logs();
    const sessions = manager({
      CACHES: DOWN,
      SESSION_ON_STORE_UNAVAILABLE: 'continue',
      SESSION_STORE_TIMEOUT_MS: 500,
    });
    const events = listen(sessions);
    const core = createMiddlewareCore(sessions);
    const state = core.begin(get('sessionid=abcdefgh12345678abcdefgh12345678'));
    expect(await state.session.get('user')).toBeUndefined();
    await state.session.set('visited', true);
    const result = await core.finish(state, { status: 200, vary: undefined });
    expect(result).toMatchObject({ setCookie: [], vary: 'Cookie' });
    expect(result.replaceWith).toBeUndefined();
    expect(records.filter((r) => r.message.includes('while saving'))).toEqual([]);
    expect(events.find((e) => e.type === 'request.end')).toMatchObject({
      saved: false,
      notSavedReason: 'store-error',
    });
  });

  it("onStoreUnavailable 'continue' while loading: Vary only when the session was read", async () => {
    const DOWN = { default: { BACKEND: 'redis', LOCATION: 'redis://127.0.0.1:1/0' } };
    logs();
    const sessions = manager({
      CACHES: DOWN,
      SESSION_ON_STORE_UNAVAILABLE: 'continue',
      SESSION_STORE_TIMEOUT_MS: 500,
    });
    const core = createMiddlewareCore(sessions);
    const read = core.begin(get('sessionid=abcdefgh12345678abcdefgh12345678'));
    await read.session.get('user');
    expect(await core.finish(read, { status: 200, vary: 'Accept' })).toEqual({
      setCookie: [],
      vary: 'Accept, Cookie',
    });
  });
});

describe('events and request ids (ID-6: no raw key)', () => {
  it('no listener: no request id, no header', async () => {
    const core = createMiddlewareCore(manager());
    const state = core.begin(get());
    expect(state.requestId).toBeUndefined();
    expect(state.session.requestId).toBeUndefined();
    expect(state.cookieHandle).toBeUndefined();
    const result = await core.finish(state, { status: 200, vary: undefined });
    expect(result.requestIdHeader).toBeUndefined();
  });

  it('request.start, cookie.set and request.end describe the request; the key appears only as its handle', async () => {
    const sessions = manager();
    const events = listen(sessions);
    const core = createMiddlewareCore(sessions);
    const state = core.begin({ method: 'POST', url: '/cart/add?item=7', cookieHeader: undefined });
    expect(state.requestId).toMatch(/^r[0-9a-z]{4}[0-9a-z]+$/);
    expect(state.session.requestId).toBe(state.requestId);
    expect(state.path).toBe('/cart/add');
    await state.session.set('cart', 7);
    const result = await core.finish(state, { status: 201, vary: undefined });
    expect(result.requestIdHeader).toBe(state.requestId);
    const key = state.session.sessionKey as string;
    const handle = sessions.handles.handleFor(key);
    const start = events.find((e) => e.type === 'request.start');
    expect(start).toMatchObject({
      requestId: state.requestId,
      method: 'POST',
      path: '/cart/add',
      cookiePresent: false,
    });
    expect(start?.at).toBe(NOW);
    const cookie = events.find((e) => e.type === 'cookie.set');
    expect(cookie).toMatchObject({ requestId: state.requestId, session: handle, at: NOW });
    if (cookie?.type !== 'cookie.set') throw new Error('no cookie.set');
    expect(cookie.cookie.value).toBe(`‹${handle}›`);
    expect(cookie.cookie.name).toBe('sessionid');
    expect(cookie.cookie.maxAge).toBe(AGE);
    expect(cookie.header).toBe(result.setCookie[0]?.replace(key, `‹${handle}›`));
    expect(JSON.stringify(events)).not.toContain(key);
    const end = events.find((e) => e.type === 'request.end');
    expect(end).toMatchObject({
      requestId: state.requestId,
      method: 'POST',
      path: '/cart/add',
      status: 201,
      accessed: true,
      modified: true,
      saved: true,
      at: NOW,
    });
    if (end?.type !== 'request.end') throw new Error('no request.end');
    expect(end.notSavedReason).toBeUndefined();
    expect(end.ms).toBeGreaterThanOrEqual(0);
    expect(end.ms).toBeLessThan(60_000);
  });

  it('two requests get different ids', async () => {
    const sessions = manager();
    listen(sessions);
    const core = createMiddlewareCore(sessions);
    expect(core.begin(get()).requestId).not.toBe(core.begin(get()).requestId);
  });

  it('cookie.deleted names the session the cookie carried, never its key', async () => {
    const sessions = manager();
    const events = listen(sessions);
    const core = createMiddlewareCore(sessions);
    const key = 'abcdefgh12345678abcdefgh12345678';
    const state = core.begin(get(`sessionid=${key}`));
    expect(state.cookieHandle).toBe(sessions.handles.handleFor(key));
    expect(events.find((e) => e.type === 'request.start')).toMatchObject({ cookiePresent: true });
    await state.session.get('x');
    const result = await core.finish(state, { status: 200, vary: undefined });
    const deleted = events.find((e) => e.type === 'cookie.deleted');
    expect(deleted).toMatchObject({
      requestId: state.requestId,
      session: sessions.handles.handleFor(key),
      header: result.setCookie[0],
      at: NOW,
    });
    if (deleted?.type !== 'cookie.deleted') throw new Error('no cookie.deleted');
    expect(deleted.cookie).toMatchObject({ name: 'sessionid', value: '', maxAge: 0 });
    expect(events.find((e) => e.type === 'request.end')).toMatchObject({
      saved: false,
      notSavedReason: 'empty',
      accessed: true,
      modified: false,
    });
  });

  it('a cookie.deleted after flush names the session the cookie held (its key, though the record is gone)', async () => {
    const sessions = manager({ SESSION_SAVE_EVERY_REQUEST: true });
    const key = await stored(sessions);
    const events = listen(sessions);
    const core = createMiddlewareCore(sessions);
    const state = core.begin(get(`sessionid=${key}`));
    await state.session.flush();
    await core.finish(state, { status: 200, vary: undefined });
    const deleted = events.find((e) => e.type === 'cookie.deleted');
    expect(deleted).toMatchObject({ session: sessions.handles.handleFor(key) });
  });

  it("request.end's reasons: unmodified, empty, server-error", async () => {
    const sessions = manager();
    const key = await stored(sessions);
    const events = listen(sessions);
    const core = createMiddlewareCore(sessions);
    const reasons: (string | undefined)[] = [];
    const read = core.begin(get(`sessionid=${key}`));
    await read.session.get('user');
    await core.finish(read, { status: 200, vary: undefined });
    const none = core.begin(get());
    await core.finish(none, { status: 200, vary: undefined });
    const failed = core.begin(get(`sessionid=${key}`));
    await failed.session.set('user', 'bob');
    await core.finish(failed, { status: 500, vary: undefined });
    const saved: boolean[] = [];
    for (const e of events)
      if (e.type === 'request.end') {
        reasons.push(e.notSavedReason);
        saved.push(e.saved);
      }
    expect(reasons).toEqual(['unmodified', 'empty', 'server-error']);
    expect(saved).toEqual([false, false, false]);
    expect(await sessions.open(key).get('user')).toBe('ada');
  });

  it('a forwarded key is served the new key and sets its cookie once; the retired key deletes nothing', async () => {
    const sessions = manager();
    const events = listen(sessions);
    const to = await stored(sessions, { user: 'grace' });
    const from = 'abcdefgh12345678abcdefgh12345678';
    sessions.forwards.add(from, to, 60_000);
    const core = createMiddlewareCore(sessions);
    const hop = core.begin(get(`sessionid=${from}`));
    expect(hop.forwarded).toBe(true);
    expect(hop.retired).toBe(false);
    expect(hop.session.sessionKey).toBe(to);
    const result = await core.finish(hop, { status: 200, vary: undefined });
    expect(result.setCookie).toHaveLength(1);
    expect(result.setCookie[0]).toMatch(new RegExp(`^sessionid=${to};`));
    const warning = events.find((e) => e.type === 'session.warning');
    expect(warning).toMatchObject({
      message:
        'The cookie held a key cycled from the inspector; this request was served the new key, whose cookie it now sets. The old key is dead.',
      code: 'key-forwarded',
      session: sessions.handles.handleFor(to),
      requestId: hop.requestId,
    });
    const late = core.begin(get(`sessionid=${from}`));
    expect(late.retired).toBe(true);
    expect(late.forwarded).toBe(false);
    expect(late.session.sessionKey).toBe(from);
    await late.session.get('user');
    const lateResult = await core.finish(late, { status: 200, vary: undefined });
    expect(lateResult.setCookie).toEqual([]);
  });

  it('no forward: a plain request is neither forwarded nor retired, and warns nothing', async () => {
    const sessions = manager();
    const events = listen(sessions);
    const core = createMiddlewareCore(sessions);
    const state = core.begin(get('sessionid=abcdefgh12345678abcdefgh12345678'));
    expect(state.forwarded).toBe(false);
    expect(state.retired).toBe(false);
    expect(events.some((e) => e.type === 'session.warning')).toBe(false);
  });
});

describe('U1: calls the handler did not await', () => {
  it('are waited for and saved; development warns once per route, naming the call and the fix', async () => {
    const records = logs();
    const sessions = manager();
    const core = createMiddlewareCore(sessions, { accessor: 'ctx.session' });
    for (let i = 0; i < 2; i++) {
      const state = core.begin({ method: 'POST', url: '/login?next=/', cookieHeader: undefined });
      void state.session.set('user', 'ada');
      const result = await core.finish(state, { status: 302, vary: undefined });
      expect(result.setCookie).toHaveLength(1);
      expect(await sessions.open(state.session.sessionKey).get('user')).toBe('ada');
    }
    const warnings = records.filter((r) => r.level === 'warn' && r.message.includes('was not awaited'));
    expect(warnings.map((r) => r.message)).toEqual([
      'POST /login: ctx.session.set() was not awaited and was still running when the response started. sessionscope waited for it so nothing is lost, but the handler should `await ctx.session.set(…)` before responding.',
    ]);
  });

  it('the default accessor is req.session; another route warns again; production stays quiet', async () => {
    const records = logs();
    const core = createMiddlewareCore(manager());
    for (const url of ['/a', '/b']) {
      const state = core.begin(get(undefined, { url }));
      void state.session.set('x', 1);
      await core.finish(state, { status: 200, vary: undefined });
    }
    const quiet = createMiddlewareCore(
      manager({ SECRET_KEY: PRODUCTION_KEY, env: { NODE_ENV: 'production' } }),
    );
    const state = quiet.begin(get());
    void state.session.set('x', 1);
    await quiet.finish(state, { status: 200, vary: undefined });
    const warnings = records.filter((r) => r.message.includes('was not awaited'));
    expect(warnings.map((r) => r.message.split(':')[0])).toEqual(['GET /a', 'GET /b']);
    expect(warnings[0]?.message).toContain('req.session.set()');
  });
});

describe('S0: development warning for Cache-Control: public with the session cookie', () => {
  const run = async (
    sessions: SessionManager,
    cacheControl: string | string[] | undefined,
    url = '/public',
    change = true,
  ) => {
    const core = createMiddlewareCore(sessions);
    const state = core.begin(get(undefined, { url }));
    if (change) await state.session.set('seen', true);
    return core.finish(state, { status: 200, vary: undefined, cacheControl });
  };

  it('warns once per route when a response that sets the cookie is public', async () => {
    const records = logs();
    const sessions = manager();
    const core = createMiddlewareCore(sessions);
    for (const url of ['/public', '/public?x=2', '/other']) {
      const state = core.begin(get(undefined, { url }));
      await state.session.set('seen', true);
      await core.finish(state, { status: 200, vary: undefined, cacheControl: 'max-age=600, PUBLIC' });
    }
    const warnings = records.filter((r) => r.level === 'warn' && r.message.includes('shared cache'));
    expect(warnings.map((r) => r.message.split(' answered')[0])).toEqual(['GET /public', 'GET /other']);
    expect(warnings[0]?.message).toContain('"Cache-Control: max-age=600, PUBLIC"');
  });

  it.each([
    ['public', true],
    [' public ', true],
    ['public, max-age=600', true],
    [['max-age=60', 'public'], true],
    ['private', false],
    ['no-store', false],
    ['publicity', false],
    ['max-age=60, not-public', false],
    [undefined, false],
  ])('Cache-Control %j warns: %s', async (cacheControl, warns) => {
    const records = logs();
    await run(manager(), cacheControl as string | string[] | undefined);
    expect(records.some((r) => r.message.includes('shared cache'))).toBe(warns);
  });

  it('no warning when nothing is saved, or in production', async () => {
    const records = logs();
    await run(manager(), 'public', '/public', false);
    await run(manager({ SECRET_KEY: PRODUCTION_KEY, env: { NODE_ENV: 'production' } }), 'public');
    expect(records.some((r) => r.message.includes('shared cache'))).toBe(false);
  });
});

describe('request state and late listeners', () => {
  it('finished is false from begin until finish', async () => {
    const core = createMiddlewareCore(manager());
    const state = core.begin(get());
    expect(state.finished).toBe(false);
    await core.finish(state, { status: 200, vary: undefined });
    expect(state.finished).toBe(true);
  });

  it('a client that starts listening mid-request sees no half request (no end, cookie or interruption events)', async () => {
    const sessions = manager();
    const key = await stored(sessions);
    const core = createMiddlewareCore(sessions);
    const saving = core.begin(get());
    const deleting = core.begin(get('sessionid=abcdefgh12345678abcdefgh12345678'));
    const interrupted = core.begin(get(`sessionid=${key}`));
    await saving.session.set('a', 1);
    await deleting.session.get('a');
    await interrupted.session.set('a', 2);
    await sessions.open(key).flush();
    const events = listen(sessions);
    const results = [
      await core.finish(saving, { status: 200, vary: undefined }),
      await core.finish(deleting, { status: 200, vary: undefined }),
      await core.finish(interrupted, { status: 200, vary: undefined }),
    ];
    expect(results.map((r) => r.setCookie.length)).toEqual([1, 1, 0]);
    expect(results[2]?.replaceWith?.status).toBe(400);
    expect(results.every((r) => r.requestIdHeader === undefined)).toBe(true);
    const types = events.map((e) => e.type);
    for (const type of ['request.end', 'cookie.set', 'cookie.deleted', 'session.interrupted'])
      expect(types).not.toContain(type);
  });

  it('a retired key under SESSION_SAVE_EVERY_REQUEST neither saves nor deletes the (new) cookie', async () => {
    const sessions = manager({ SESSION_SAVE_EVERY_REQUEST: true });
    const events = listen(sessions);
    const to = await stored(sessions, { user: 'grace' });
    const from = 'abcdefgh12345678abcdefgh12345678';
    sessions.forwards.add(from, to, 60_000);
    const core = createMiddlewareCore(sessions);
    await core.finish(core.begin(get(`sessionid=${from}`)), { status: 200, vary: undefined });
    const late = core.begin(get(`sessionid=${from}`));
    expect(late.retired).toBe(true);
    const result = await core.finish(late, { status: 200, vary: undefined });
    expect(result.setCookie).toEqual([]);
    const ends = events.filter((e) => e.type === 'request.end');
    expect(ends[1]).toMatchObject({ saved: false, notSavedReason: 'empty' });
  });

  it("SESSION_SAVE_EVERY_REQUEST and an unknown key: request.end says 'empty', not saved", async () => {
    const sessions = manager({ SESSION_SAVE_EVERY_REQUEST: true });
    const events = listen(sessions);
    const core = createMiddlewareCore(sessions);
    await core.finish(core.begin(get('sessionid=abcdefgh12345678abcdefgh12345678')), {
      status: 200,
      vary: undefined,
    });
    expect(events.find((e) => e.type === 'request.end')).toMatchObject({
      saved: false,
      notSavedReason: 'empty',
    });
  });
});

describe('U1 details', () => {
  /** The memory cache with every store call delayed, so a chain of calls outlasts the store timeout. */
  function slowStore(delayMs: number): SessionManagerOptions['SESSION_ENGINE'] {
    return ((context: Parameters<typeof resolveStore>[1]) => {
      const store = resolveStore('cache', context);
      const later =
        <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
        async (...args: A): Promise<R> => {
          await new Promise((resolve) => setTimeout(resolve, delayMs));
          return call(...args);
        };
      return {
        ...store,
        capabilities: store.capabilities,
        load: later(store.load.bind(store)),
        save: later(store.save.bind(store)),
        delete: later(store.delete.bind(store)),
        exists: later(store.exists.bind(store)),
      } as SessionStore;
    }) as never;
  }

  it('several unawaited calls are all named; awaited calls warn nothing', async () => {
    const records = logs();
    const sessions = manager();
    const key = await stored(sessions);
    const core = createMiddlewareCore(sessions);
    const awaited = core.begin(get(`sessionid=${key}`, { url: '/awaited' }));
    await awaited.session.set('x', 1);
    await core.finish(awaited, { status: 200, vary: undefined });
    const state = core.begin(get(`sessionid=${key}`, { url: '/two' }));
    void state.session.set('cart', 2);
    void state.session.get('user');
    await core.finish(state, { status: 200, vary: undefined });
    const warnings = records.filter((r) => r.message.includes('was not awaited'));
    expect(warnings).toHaveLength(1);
    // Only the handler's calls: the load() that get() and set() make inside is waited for, not named.
    expect(warnings[0]?.message).toBe(
      'GET /two: req.session.set(), req.session.get() was not awaited and was still running when the response started. sessionscope waited for it so nothing is lost, but the handler should `await req.session.set(…)` before responding.',
    );
  });

  it('a call still running after SESSION_STORE_TIMEOUT_MS is given up on, with a warning naming it', async () => {
    const records = logs();
    const sessions = manager({ SESSION_ENGINE: slowStore(60), SESSION_STORE_TIMEOUT_MS: 100 });
    const key = await stored(sessions);
    const core = createMiddlewareCore(sessions);
    const state = core.begin(get(`sessionid=${key}`, { url: '/cycle' }));
    // load, save (create) and delete: each within the timeout, together well past it.
    const cycling = state.session.cycleKey();
    const started = performance.now();
    await core.finish(state, { status: 200, vary: undefined });
    const waited = performance.now() - started;
    await cycling;
    expect(waited).toBeGreaterThanOrEqual(90);
    const line = records.find((r) => r.message.includes('did not finish within'));
    expect(line?.message).toBe(
      'GET /cycle: cycleKey did not finish within SESSION_STORE_TIMEOUT_MS (100 ms); the response goes on without waiting longer.',
    );
  });

  it('warnings are remembered for at most 1000 routes (a path per visitor cannot grow memory)', async () => {
    const records = logs();
    const sessions = manager();
    const core = createMiddlewareCore(sessions);
    for (let i = 0; i < 1002; i++) {
      const state = core.begin(get(undefined, { url: `/u/${i}` }));
      void state.session.set('x', i);
      await core.finish(state, { status: 200, vary: undefined, cacheControl: 'public' });
    }
    const unawaited = records.filter((r) => r.message.includes('was not awaited'));
    const cached = records.filter((r) => r.message.includes('shared cache'));
    expect(unawaited).toHaveLength(1000);
    expect(cached).toHaveLength(1000);
    expect(unawaited.at(-1)?.message.startsWith('GET /u/999:')).toBe(true);
  });
});

describe('finishNow: the synchronous answer when nothing is to wait for or save', () => {
  it('answers as finish() would for untouched, read-only and deleted-cookie requests, and marks the state finished', async () => {
    const sessions = manager();
    const key = await stored(sessions);
    const events = listen(sessions);
    const core = createMiddlewareCore(sessions);
    const untouched = core.begin(get(`sessionid=${key}`));
    const none = core.finishNow(untouched, { status: 200, vary: 'Accept' });
    expect(none).toMatchObject({ setCookie: [] });
    expect(none?.vary).toBeUndefined();
    expect(untouched.finished).toBe(true);
    const read = core.begin(get(`sessionid=${key}`));
    await read.session.get('user');
    expect(core.finishNow(read, { status: 200, vary: 'Accept' })).toMatchObject({
      setCookie: [],
      vary: 'Accept, Cookie',
    });
    const unknown = core.begin(get('sessionid=abcdefgh12345678abcdefgh12345678'));
    await unknown.session.get('user');
    const deleted = core.finishNow(unknown, { status: 200, vary: undefined });
    expect(deleted?.setCookie[0]).toMatch(/^sessionid=; Max-Age=0;/);
    expect(deleted?.vary).toBe('Cookie');
    const ends = events.filter((e) => e.type === 'request.end');
    expect(
      ends.map((e) => (e.type === 'request.end' ? [e.accessed, e.modified, e.saved, e.notSavedReason] : [])),
    ).toEqual([
      [false, false, false, 'unmodified'],
      [true, false, false, 'unmodified'],
      [true, false, false, 'empty'],
    ]);
  });

  it('returns null (finish() must run) while a call runs or when a save is due', async () => {
    const sessions = manager();
    const key = await stored(sessions);
    const core = createMiddlewareCore(sessions);
    const running = core.begin(get(`sessionid=${key}`));
    const call = running.session.get('user');
    expect(core.finishNow(running, { status: 200, vary: undefined })).toBeNull();
    expect(running.finished).toBe(false);
    await call;
    const changed = core.begin(get(`sessionid=${key}`));
    await changed.session.set('user', 'bob');
    expect(core.finishNow(changed, { status: 200, vary: undefined })).toBeNull();
    expect(changed.finished).toBe(false);
    expect((await core.finish(changed, { status: 200, vary: undefined })).setCookie).toHaveLength(1);
    const everyRequest = createMiddlewareCore(manager({ SESSION_SAVE_EVERY_REQUEST: true }));
    const other = everyRequest.begin(get());
    await other.session.set('a', 1);
    other.session.modified = false;
    expect(everyRequest.finishNow(other, { status: 200, vary: undefined })).toBeNull();
    // An empty session under SAVE_EVERY_REQUEST has nothing to save: answered at once.
    const empty = everyRequest.begin(get());
    expect(everyRequest.finishNow(empty, { status: 200, vary: undefined })).toMatchObject({ setCookie: [] });
  });

  it('a forwarded key must be saved (its new cookie): null; a store that was unavailable: answered', async () => {
    const sessions = manager();
    const to = await stored(sessions, { user: 'grace' });
    sessions.forwards.add('abcdefgh12345678abcdefgh12345678', to, 60_000);
    const core = createMiddlewareCore(sessions);
    const hop = core.begin(get('sessionid=abcdefgh12345678abcdefgh12345678'));
    expect(core.finishNow(hop, { status: 200, vary: undefined })).toBeNull();
    logs();
    const down = manager({
      CACHES: { default: { BACKEND: 'redis', LOCATION: 'redis://127.0.0.1:1/0' } },
      SESSION_ON_STORE_UNAVAILABLE: 'continue',
      SESSION_STORE_TIMEOUT_MS: 500,
    });
    const downCore = createMiddlewareCore(down);
    const state = downCore.begin(get('sessionid=abcdefgh12345678abcdefgh12345678'));
    await state.session.get('user');
    await state.session.set('x', 1);
    expect(downCore.finishNow(state, { status: 200, vary: undefined })).toMatchObject({
      setCookie: [],
      vary: 'Cookie',
    });
  });
});

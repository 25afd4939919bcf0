/**
 * The one HTTP suite every adapter passes: Django's scenario table (django-sessions.md §3.4) and
 * the response guarantees of issue 2, asserted on real headers from a real server on port 0.
 * Cookies are rendered by the `cookie` package, so attributes are compared, not byte strings.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createSessions, type Sessions } from '../../server-agent/create.js';
import type { SessionManagerOptions } from '../../server-agent/sessions/manager.js';
import { countStoreOps, FROZEN_MS, type Listening, listen, type Reply, send } from '../helpers/http.js';
import type { MakeServer, Routes } from './routes.js';
import { describeBadInput } from './suite-bad-input.js';
import { describeHardening } from './suite-harden.js';
import { describeResponses } from './suite-responses.js';
import { describeSignedCookies } from './suite-signed.js';

export const NOW = 'Tue, 14 Nov 2023 22:13:20 GMT';
export const TWO_WEEKS_LATER = 'Tue, 28 Nov 2023 22:13:20 GMT';
export const EPOCH = 'Thu, 01 Jan 1970 00:00:00 GMT';

export interface Harness {
  sessions: Sessions;
  url: string;
  get(path: string, cookie?: string): Promise<Reply>;
  /** A stored session holding `data`; returns its key. */
  seed(data?: Record<string, string | number>): Promise<string>;
}

export type Start = (
  settings: SessionManagerOptions,
  routes: (sessions: Sessions) => Routes,
) => Promise<Harness>;

export function describeAdapter(name: string, makeServer: MakeServer): void {
  describe(`HTTP adapter: ${name}`, () => {
    const running: { server: Listening; sessions: Sessions }[] = [];
    afterEach(async () => {
      for (const { server, sessions } of running.splice(0)) {
        await server.close();
        await sessions.close();
      }
    });

    const start: Start = async (settings, routes) => {
      const sessions = createSessions({
        SECRET_KEY: 'test-secret-key',
        DATABASE_URL: ':memory:',
        ...settings,
      });
      sessions.clock.freeze(FROZEN_MS);
      const server = await listen(await makeServer(sessions, routes(sessions)));
      running.push({ server, sessions });
      return {
        sessions,
        url: server.url,
        get: (path, cookie) => send(server.url + path, { cookie }),
        async seed(data = { seeded: 'yes' }) {
          const session = sessions.open();
          await session.update(data);
          await session.save();
          return session.sessionKey as string;
        },
      };
    };

    describeScenarioTable(start);
    describeSignedCookies(start);
    describeResponses(start);
    describeBadInput(start);
    describeHardening(start);
  });
}

const write: Routes[string] = async (session) => {
  await session.set('hello', 'world');
  return { body: 'written' };
};
const read: Routes[string] = async (session) => ({ body: String(await session.get('hello', 'nothing')) });
const untouched: Routes[string] = () => ({ body: 'untouched' });
const flush: Routes[string] = async (session) => {
  await session.flush();
  return { body: 'flushed' };
};
const basic = () => ({ '/write': write, '/read': read, '/untouched': untouched, '/flush': flush });

export function expectDeletion(reply: Reply, name = 'sessionid', vary: string | null = 'Cookie'): void {
  const cookie = reply.cookie(name);
  expect(cookie, `a deletion cookie for ${name}`).toBeDefined();
  expect(cookie?.value).toBe('');
  expect(cookie?.attributes.expires).toBe(EPOCH);
  expect(cookie?.attributes['max-age']).toBe('0');
  expect(cookie?.attributes.path).toBe('/');
  expect(cookie?.attributes.samesite).toBe('Lax');
  expect(cookie?.attributes.httponly).toBeUndefined();
  expect(reply.headers.get('vary')).toBe(vary);
}

function describeScenarioTable(start: Start): void {
  describe('Django scenario table (§3.4)', () => {
    it('1: a write issues a 32-char key with Django attributes and Vary: Cookie', async () => {
      const app = await start({}, basic);
      const reply = await app.get('/write');
      const cookie = reply.cookie();
      expect(cookie?.value).toMatch(/^[a-z0-9]{32}$/);
      expect(cookie?.attributes).toEqual({
        expires: TWO_WEEKS_LATER,
        httponly: true,
        'max-age': '1209600',
        path: '/',
        samesite: 'Lax',
      });
      expect(reply.cookies).toHaveLength(1);
      expect(reply.headers.get('vary')).toBe('Cookie');
      expect(reply.headers.get('cache-control')).toBe('private, no-store');
    });

    it('2: EXPIRE_AT_BROWSER_CLOSE gives a browser-session cookie', async () => {
      const app = await start({ SESSION_EXPIRE_AT_BROWSER_CLOSE: true }, basic);
      const cookie = (await app.get('/write')).cookie();
      expect(cookie?.attributes).toEqual({ httponly: true, path: '/', samesite: 'Lax' });
    });

    it('3: secure, domain, path, SameSite=None, no HttpOnly', async () => {
      const settings = {
        SESSION_COOKIE_SECURE: true,
        SESSION_COOKIE_DOMAIN: '.example.com',
        SESSION_COOKIE_PATH: '/app/',
        SESSION_COOKIE_SAMESITE: 'None',
        SESSION_COOKIE_HTTPONLY: false,
      } as const;
      const app = await start(settings, basic);
      const cookie = (await app.get('/write')).cookie();
      expect(cookie?.attributes).toEqual({
        domain: '.example.com',
        expires: TWO_WEEKS_LATER,
        'max-age': '1209600',
        path: '/app/',
        samesite: 'None',
        secure: true,
      });
    });

    it('4: SESSION_COOKIE_SAMESITE=false writes no SameSite', async () => {
      const app = await start({ SESSION_COOKIE_SAMESITE: false }, basic);
      const cookie = (await app.get('/write')).cookie();
      expect(cookie?.value).toMatch(/^[a-z0-9]{32}$/);
      expect(cookie?.attributes.samesite).toBeUndefined();
    });

    it('5: a read without a cookie sets nothing but varies on Cookie', async () => {
      const app = await start({}, basic);
      const reply = await app.get('/read');
      expect(reply.body).toBe('nothing');
      expect(reply.cookies).toEqual([]);
      expect(reply.headers.get('vary')).toBe('Cookie');
    });

    it('6: an untouched session sets nothing and adds no Vary', async () => {
      const app = await start({}, basic);
      const reply = await app.get('/untouched');
      expect(reply.cookies).toEqual([]);
      expect(reply.headers.get('vary')).toBeNull();
      expect(reply.headers.get('cache-control')).toBeNull();
    });

    it('7: an unknown key that is read gets a deletion cookie', async () => {
      const app = await start({}, basic);
      expectDeletion(await app.get('/read', 'sessionid=bogusbogusbogus'));
    });

    it('8: an unknown key left untouched gets nothing', async () => {
      const app = await start({}, basic);
      const reply = await app.get('/untouched', 'sessionid=bogusbogusbogus');
      expect(reply.cookies).toEqual([]);
      expect(reply.headers.get('vary')).toBeNull();
    });

    it('9: writing under an unknown key issues a fresh key, never the supplied one', async () => {
      const app = await start({}, basic);
      const ops = countStoreOps(app.sessions.store);
      const cookie = (await app.get('/write', 'sessionid=bogusbogusbogus')).cookie();
      expect(cookie?.value).toMatch(/^[a-z0-9]{32}$/);
      expect(cookie?.value).not.toBe('bogusbogusbogus');
      expect((await app.sessions.store.load('bogusbogusbogus')).outcome).toBe('miss');
      expect(ops.save).toBe(1);
    });

    it('10: a key shorter than 8 characters is deleted whether read or untouched', async () => {
      const app = await start({}, basic);
      expectDeletion(await app.get('/read', 'sessionid=short'));
      expectDeletion(await app.get('/untouched', 'sessionid=short'));
    });

    it('11: SAVE_EVERY_REQUEST with no cookie and an untouched session sets nothing', async () => {
      const app = await start({ SESSION_SAVE_EVERY_REQUEST: true }, basic);
      const reply = await app.get('/untouched');
      expect(reply.cookies).toEqual([]);
    });

    it('12: SAVE_EVERY_REQUEST re-sets a valid cookie, slides the expiry, and varies on Cookie (Django 6.0.5, CVE-2026-35192)', async () => {
      const app = await start({ SESSION_SAVE_EVERY_REQUEST: true }, basic);
      const key = await app.seed();
      app.sessions.clock.freeze(FROZEN_MS + 3600_000);
      const reply = await app.get('/untouched', `sessionid=${key}`);
      const cookie = reply.cookie();
      expect(cookie?.value).toBe(key);
      expect(cookie?.attributes.expires).toBe('Tue, 28 Nov 2023 23:13:20 GMT');
      expect(reply.headers.get('vary')).toBe('Cookie');
      const loaded = await app.sessions.store.load(key);
      expect(loaded.outcome === 'hit' && loaded.expiresAt?.getTime()).toBe(
        FROZEN_MS + 3600_000 + 1_209_600_000,
      );
    });

    it('12b (deliberate deviation): an unknown key under SAVE_EVERY_REQUEST creates no empty record', async () => {
      const app = await start({ SESSION_SAVE_EVERY_REQUEST: true }, basic);
      const ops = countStoreOps(app.sessions.store);
      for (let i = 0; i < 5; i++) {
        // The untouched view never accessed the session, yet the deletion cookie varies (S0).
        expectDeletion(await app.get('/untouched', 'sessionid=bogusbogusbogus'));
      }
      expect(ops.save).toBe(0);
    });

    it.each([500, 503])('13: a %i response saves nothing and sets no cookie, but varies', async (status) => {
      const app = await start({}, () => ({
        '/fail': async (session) => {
          await session.set('hello', 'world');
          return { status, body: 'failed' };
        },
      }));
      const ops = countStoreOps(app.sessions.store);
      const reply = await app.get('/fail');
      expect(reply.status).toBe(status);
      expect(reply.cookies).toEqual([]);
      expect(reply.headers.get('vary')).toBe('Cookie');
      expect(ops.save).toBe(0);
    });

    it('14: setExpiry(300) gives Max-Age=300 and expires now + 300 s', async () => {
      const app = await start({}, () => ({
        '/short': async (session) => {
          await session.set('hello', 'world');
          await session.setExpiry(300);
          return {};
        },
      }));
      const cookie = (await app.get('/short')).cookie();
      expect(cookie?.attributes['max-age']).toBe('300');
      expect(cookie?.attributes.expires).toBe('Tue, 14 Nov 2023 22:18:20 GMT');
    });

    it('15: setExpiry(0) gives a browser-session cookie', async () => {
      const app = await start({}, () => ({
        '/browser': async (session) => {
          await session.set('hello', 'world');
          await session.setExpiry(0);
          return {};
        },
      }));
      const cookie = (await app.get('/browser')).cookie();
      expect(cookie?.value).toMatch(/^[a-z0-9]{32}$/);
      expect(cookie?.attributes.expires).toBeUndefined();
      expect(cookie?.attributes['max-age']).toBeUndefined();
    });

    it("16: Vary merges with the app's own", async () => {
      const app = await start({}, () => ({
        '/vary': async (session) => {
          await session.set('hello', 'world');
          return { vary: 'Accept-Encoding' };
        },
      }));
      expect((await app.get('/vary')).headers.get('vary')).toBe('Accept-Encoding, Cookie');
    });

    it('19: flush() of a stored session deletes the cookie and the record', async () => {
      const app = await start({}, basic);
      const key = await app.seed();
      expectDeletion(await app.get('/flush', `sessionid=${key}`));
      expect(await app.sessions.store.exists(key)).toBe(false);
    });

    it('20: a __Host- cookie is deleted with Secure', async () => {
      const app = await start({ SESSION_COOKIE_NAME: '__Host-sid', SESSION_COOKIE_SECURE: true }, basic);
      const cookie = (await app.get('/flush', '__Host-sid=abcdefghij')).cookie('__Host-sid');
      expect(cookie?.value).toBe('');
      expect(cookie?.attributes).toEqual({
        expires: EPOCH,
        'max-age': '0',
        path: '/',
        samesite: 'Lax',
        secure: true,
      });
    });
  });
}

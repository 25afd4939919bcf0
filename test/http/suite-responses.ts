/**
 * Response guarantees of issue 2: saved before redirects and streams, the app's own cookies kept,
 * no save on errors, UpdateError → 400 with Django's message, lazy sessions cost no store read.
 */
import { describe, expect, it } from 'vitest';
import { SESSION_INTERRUPTED_MESSAGE } from '../../server-agent/sessions/errors.js';
import type { SessionStore } from '../../server-agent/sessions/store.js';
import { countStoreOps } from '../helpers/http.js';
import type { Start } from './adapter-suite.js';

/**
 * Saves that take 50 ms: had the adapter let the headers go before the save finished, the client
 * would see the response (and look the record up) before the record exists.
 */
function slowSaves(store: SessionStore): void {
  const save = store.save.bind(store);
  (store as { save: SessionStore['save'] }).save = async (...args) => {
    await new Promise((resolve) => setTimeout(resolve, 50));
    return save(...args);
  };
}

export function describeResponses(start: Start): void {
  describe('responses', () => {
    it("saves before a redirect: the browser's next request sees the write", async () => {
      const app = await start({}, (sessions) => ({
        '/login': async (session) => {
          await session.set('user', 'ada');
          await session.cycleKey();
          // The record must exist when the redirect leaves, not merely by the time it finishes.
          return { redirect: `/home?key-known=${String(session.sessionKey !== null)}` };
        },
        '/home': async (session) => ({
          body: `user=${String(await session.get('user'))} stored=${String(sessions.store !== undefined)}`,
        }),
      }));
      slowSaves(app.sessions.store);
      const login = await app.get('/login');
      expect(login.status).toBe(302);
      const key = login.cookie()?.value as string;
      const stored = await app.sessions.store.load(key);
      expect(stored.outcome === 'hit' && stored.data.get('user')).toBe('ada');
      expect((await app.get('/home', `sessionid=${key}`)).body).toContain('user=ada');
    });

    it('saves before a streamed body and sends the cookie with its headers', async () => {
      const app = await start({}, () => ({
        '/stream': async (session) => {
          await session.set('streamed', 1);
          return { chunks: ['one,', 'two,', 'three'] };
        },
        '/read': async (session) => ({ body: String(await session.get('streamed')) }),
      }));
      slowSaves(app.sessions.store);
      const reply = await app.get('/stream');
      expect(reply.body).toBe('one,two,three');
      const key = reply.cookie()?.value as string;
      expect(key).toMatch(/^[a-z0-9]{32}$/);
      expect((await app.get('/read', `sessionid=${key}`)).body).toBe('1');
    });

    it("keeps the app's own Set-Cookie headers beside the session cookie", async () => {
      const app = await start({}, () => ({
        '/cookies': async (session) => {
          await session.set('hello', 'world');
          return { setCookie: ['a=1; Path=/', 'b=2; Path=/'] };
        },
      }));
      const reply = await app.get('/cookies');
      expect(reply.cookies.map((c) => c.name).sort()).toEqual(['a', 'b', 'sessionid']);
    });

    it('saves nothing when the handler throws', async () => {
      const app = await start({}, () => ({
        '/throw': async (session) => {
          await session.set('hello', 'world');
          throw new Error('handler exploded');
        },
      }));
      const ops = countStoreOps(app.sessions.store);
      const reply = await app.get('/throw');
      expect(reply.status).toBe(500);
      expect(reply.cookie()).toBeUndefined();
      expect(ops.save).toBe(0);
    });

    it('keeps a stored session unchanged when the response is a 500', async () => {
      const app = await start({}, () => ({
        '/fail': async (session) => {
          await session.set('seeded', 'changed');
          return { status: 500 };
        },
      }));
      const key = await app.seed();
      await app.get('/fail', `sessionid=${key}`);
      const stored = await app.sessions.store.load(key);
      expect(stored.outcome === 'hit' && stored.data.get('seeded')).toBe('yes');
    });

    it("answers 400 with Django's message when the record vanished mid-request (UpdateError)", async () => {
      const app = await start({}, (sessions) => ({
        '/race': async (session) => {
          await session.set('hello', 'world');
          // A concurrent logout removes the record before this request saves.
          await sessions.store.delete(session.sessionKey as string);
          return { body: 'should not be seen' };
        },
      }));
      const key = await app.seed();
      const reply = await app.get('/race', `sessionid=${key}`);
      expect(reply.status).toBe(400);
      expect(reply.body).toContain(SESSION_INTERRUPTED_MESSAGE);
      expect(reply.cookie()).toBeUndefined();
      expect(await app.sessions.store.exists(key)).toBe(false);
    });

    it('does no store I/O for a route that carries a cookie but never touches the session', async () => {
      const app = await start({}, () => ({ '/untouched': () => ({ body: 'ok' }) }));
      const key = await app.seed();
      const ops = countStoreOps(app.sessions.store);
      for (let i = 0; i < 20; i++)
        expect((await app.get('/untouched', `sessionid=${key}`)).cookies).toEqual([]);
      expect({ load: ops.load, exists: ops.exists, save: ops.save, delete: ops.delete }).toEqual({
        load: 0,
        exists: 0,
        save: 0,
        delete: 0,
      });
    });

    it('creates nothing for anonymous hits, even ones that read (LC-10)', async () => {
      const app = await start({}, () => ({
        '/read': async (session) => ({ body: String(await session.get('x', 'none')) }),
        '/untouched': () => ({}),
      }));
      const ops = countStoreOps(app.sessions.store);
      for (let i = 0; i < 25; i++) {
        expect((await app.get('/read')).cookies).toEqual([]);
        expect((await app.get('/untouched')).cookies).toEqual([]);
      }
      expect(ops.save + ops.load).toBe(0);
    });

    it('writes one Set-Cookie per name even when a request cycles the key then flushes (CK-7)', async () => {
      const app = await start({}, () => ({
        '/cycle-then-flush': async (session) => {
          await session.set('user', 'ada');
          await session.cycleKey();
          await session.flush();
          return {};
        },
        '/cycle-twice': async (session) => {
          await session.cycleKey();
          await session.cycleKey();
          await session.set('user', 'ada');
          return {};
        },
      }));
      const key = await app.seed();
      const flushed = await app.get('/cycle-then-flush', `sessionid=${key}`);
      expect(flushed.cookies.filter((c) => c.name === 'sessionid')).toHaveLength(1);
      expect(flushed.cookie()?.value).toBe('');
      const cycled = await app.get('/cycle-twice', `sessionid=${key}`);
      expect(cycled.cookies.filter((c) => c.name === 'sessionid')).toHaveLength(1);
    });

    it("the app's own Cache-Control survives byte for byte when the cookie is set, deleted, redirected or streamed", async () => {
      const own = 'max-age=60, must-revalidate';
      const app = await start({}, () => ({
        '/write': async (session) => {
          await session.set('hello', 'world');
          return { cacheControl: own };
        },
        '/redirect': async (session) => {
          await session.set('hello', 'again');
          return { cacheControl: own, redirect: '/elsewhere' };
        },
        '/stream': async (session) => {
          await session.set('streamed', 1);
          return { cacheControl: own, chunks: ['a', 'b'] };
        },
        '/flush': async (session) => {
          await session.flush();
          return { cacheControl: own };
        },
        '/untouched': () => ({ cacheControl: own }),
      }));
      const written = await app.get('/write');
      expect(written.cookie()?.value).toMatch(/^[a-z0-9]{32}$/);
      expect(written.headers.get('cache-control')).toBe(own);
      const redirected = await app.get('/redirect');
      expect(redirected.status).toBe(302);
      expect(redirected.cookie()).toBeDefined();
      expect(redirected.headers.get('cache-control')).toBe(own);
      const streamed = await app.get('/stream');
      expect(streamed.cookie()).toBeDefined();
      expect(streamed.headers.get('cache-control')).toBe(own);
      const key = await app.seed();
      const flushed = await app.get('/flush', `sessionid=${key}`);
      expect(flushed.cookie()?.value).toBe('');
      expect(flushed.headers.get('cache-control')).toBe(own);
      expect((await app.get('/untouched')).headers.get('cache-control')).toBe(own);
    });

    it('a deletion cookie without an app Cache-Control gets private, no-store', async () => {
      const app = await start({}, () => ({
        '/flush': async (session) => {
          await session.flush();
          return {};
        },
      }));
      const key = await app.seed();
      const flushed = await app.get('/flush', `sessionid=${key}`);
      expect(flushed.cookie()?.value).toBe('');
      expect(flushed.headers.get('cache-control')).toBe('private, no-store');
    });

    it('reads the stored data on a later request and updates it in place', async () => {
      const app = await start({}, () => ({
        '/count': async (session) => {
          const count = (await session.get<number>('count', 0)) as number;
          await session.set('count', count + 1);
          return { body: String(count + 1) };
        },
      }));
      const first = await app.get('/count');
      const key = first.cookie()?.value as string;
      expect((await app.get('/count', `sessionid=${key}`)).body).toBe('2');
      const third = await app.get('/count', `sessionid=${key}`);
      expect(third.body).toBe('3');
      expect(third.cookie()?.value).toBe(key);
    });
  });
}

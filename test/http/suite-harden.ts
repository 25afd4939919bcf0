/**
 * Issue 12 on every adapter: S0 (CVE-2026-35192, Vary: Cookie on every response that sets or
 * deletes the session cookie; the development warning about `Cache-Control: public`) and U1 (a
 * forgotten `await` does not lose the write).
 */
import { describe, expect, it } from 'vitest';
import type { SessionStore } from '../../server-agent/sessions/store.js';
import { captureLogs } from '../helpers/log-capture.js';
import type { Start } from './adapter-suite.js';
import type { Routes } from './routes.js';

/** Loads that take 50 ms, so a call the handler did not await is still running when it responds. */
function slowLoads(store: SessionStore): void {
  const load = store.load.bind(store);
  (store as { load: SessionStore['load'] }).load = async (...args) => {
    await new Promise((resolve) => setTimeout(resolve, 50));
    return load(...args);
  };
}

const PUBLIC = 'public, max-age=600';

export function describeHardening(start: Start): void {
  describe('issue 12 hardening', () => {
    it('S0 CVE-2026-35192: with SAVE_EVERY_REQUEST a public page that never read the session re-sends the cookie with Vary: Cookie', async () => {
      const app = await start({ SESSION_SAVE_EVERY_REQUEST: true }, () => ({
        '/login': async (session) => {
          await session.set('user', 'ada');
          return { body: 'in' };
        },
        '/public': () => ({ body: 'the same page for everyone', cacheControl: PUBLIC }),
      }));
      const logs = captureLogs();
      try {
        const key = (await app.get('/login')).cookie()?.value as string;
        const reply = await app.get('/public', `sessionid=${key}`);
        expect(reply.cookie()?.value).toBe(key);
        expect(reply.headers.get('cache-control')).toBe(PUBLIC);
        expect(reply.headers.get('vary')).toBe('Cookie');
      } finally {
        logs.stop();
      }
    });

    it("S0 CVE-2026-35192: Vary: Cookie merges with the app's own Vary on an untouched, re-saved response", async () => {
      const app = await start({ SESSION_SAVE_EVERY_REQUEST: true }, () => ({
        '/page': () => ({ body: 'page', vary: 'Accept-Encoding' }),
      }));
      const key = await app.seed();
      const reply = await app.get('/page', `sessionid=${key}`);
      expect(reply.cookie()?.value).toBe(key);
      expect(reply.headers.get('vary')).toBe('Accept-Encoding, Cookie');
    });

    it('S0 CVE-2026-35192: a deletion cookie on a response that never read the session carries Vary: Cookie', async () => {
      const app = await start({ SESSION_SAVE_EVERY_REQUEST: true }, () => ({
        '/page': () => ({ body: 'page' }),
      }));
      const reply = await app.get('/page', 'sessionid=bogusbogusbogus');
      expect(reply.cookie()?.value).toBe('');
      expect(reply.headers.get('vary')).toBe('Cookie');
    });

    it('S0 warns once per route in development when a response that sets the session cookie is Cache-Control: public', async () => {
      const routes = (): Routes => ({
        '/public-login': async (session) => {
          await session.set('user', 'ada');
          return { body: 'in', cacheControl: PUBLIC };
        },
        '/private-login': async (session) => {
          await session.set('user', 'ada');
          return { body: 'in', cacheControl: 'private, max-age=60' };
        },
      });
      const logs = captureLogs();
      try {
        const app = await start({ env: { NODE_ENV: 'development' } }, routes);
        for (let i = 0; i < 3; i++) await app.get('/public-login');
        await app.get('/private-login');
        const warnings = logs.records.filter((r) => r.level === 'warn' && /Cache-Control/.test(r.message));
        expect(warnings).toHaveLength(1);
        expect(warnings[0]?.message).toMatch(/GET \/public-login.*public.*private/);
        const quiet = await start(
          { env: { NODE_ENV: ' Production' }, SECRET_KEY: 'a-production-strength-secret-key-0123456789' },
          routes,
        );
        await quiet.get('/public-login');
        expect(logs.records.filter((r) => /Cache-Control/.test(r.message))).toHaveLength(1);
      } finally {
        logs.stop();
      }
    });

    it('U1 a forgotten await on set() still saves: the redirect carries the cookie and the next request sees the write', async () => {
      const app = await start({ env: { NODE_ENV: 'development' } }, () => ({
        '/login': (session) => {
          void session.set('user', 'ada');
          return { redirect: '/' };
        },
        '/me': async (session) => ({ body: String(await session.get('user')) }),
      }));
      const key = await app.seed({ cart: 'socks' });
      slowLoads(app.sessions.store);
      const logs = captureLogs();
      try {
        const login = await app.get('/login', `sessionid=${key}`);
        expect(login.status).toBe(302);
        expect(login.cookie()?.value).toBe(key);
        expect((await app.get('/me', `sessionid=${key}`)).body).toBe('ada');
        await app.get('/login', `sessionid=${key}`);
        const warnings = logs.records.filter((r) => /not awaited/.test(r.message));
        expect(warnings).toHaveLength(1);
        expect(warnings[0]?.message).toMatch(/GET \/login: .*session.*\.set\(\).*await .*\.set\(/);
      } finally {
        logs.stop();
      }
    });

    it('U1 a forgotten await on flush() still logs out: the deletion cookie is sent and the record is gone', async () => {
      const app = await start({}, () => ({
        '/logout': (session) => {
          void session.flush();
          return { body: 'bye' };
        },
      }));
      const key = await app.seed();
      slowLoads(app.sessions.store);
      const logs = captureLogs();
      try {
        const reply = await app.get('/logout', `sessionid=${key}`);
        expect(reply.cookie()?.value).toBe('');
        expect(await app.sessions.store.exists(key)).toBe(false);
      } finally {
        logs.stop();
      }
    });

    it('U2 changes made through await session.data() are saved before the response', async () => {
      const app = await start({}, () => ({
        '/login': async (session) => {
          const data = await session.data();
          data.user = 'ada';
          data.cart = ['socks'];
          (data.cart as string[]).push('hat');
          return { redirect: '/' };
        },
        '/me': async (session) => {
          const data = await session.data();
          return { body: `${String(data.user)}:${JSON.stringify(data.cart)}` };
        },
      }));
      const login = await app.get('/login');
      const key = login.cookie()?.value as string;
      expect(key).toMatch(/^[a-z0-9]{32}$/);
      expect((await app.get('/me', `sessionid=${key}`)).body).toBe('ada:["socks","hat"]');
    });
  });
}

/**
 * Issue 10 item 6: migration from express-session without logging anyone out. A real
 * express-session app and a real sessionscope app share one real connect-redis store (Redis db 14,
 * keys under a per-run prefix); the visitor logs in on the old app and walks into the new one.
 */
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import express from 'express';
import { getRequestListener } from '@hono/node-server';
import Fastify from 'fastify';
import { Hono } from 'hono';
import Koa from 'koa';
import { createClient } from 'redis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSessions, type Sessions } from '../../server-agent/create.js';
import { fastifySessions } from '../../server-agent/http/fastify.js';
import { honoSessions } from '../../server-agent/http/hono.js';
import { koaSessions } from '../../server-agent/http/koa.js';
import {
  type ExpressSessionMigrationOptions,
  type ExpressSessionStoreLike,
  migrateFromExpressSession,
  unsign,
} from '../../server-agent/http/migrate-express-session.js';
import { type LogRecord, setLogSink } from '../../server-agent/sessions/log.js';
import { type Listening, listen, send } from '../helpers/http.js';

// Loaded without their type declarations, which would retype Express's req.session.
const require = createRequire(import.meta.url);
type Handler = (req: unknown, res: unknown, next: () => void) => void;
const expressSession = require('express-session') as (options: Record<string, unknown>) => Handler;
const { RedisStore } = require('connect-redis') as {
  RedisStore: new (options: {
    client: unknown;
    prefix: string;
  }) => ExpressSessionStoreLike & {
    set(sid: string, session: unknown, cb: (error?: unknown) => void): unknown;
  };
};
const cookieSignature = require('cookie-signature') as { sign(value: string, secret: string): string };

const REDIS_URL = 'redis://127.0.0.1:6379/14';
const OLD_SECRET = 'keyboard cat, the old one';
const dev = { NODE_ENV: 'test' } as NodeJS.ProcessEnv;

describe('10.6 migrateFromExpressSession', () => {
  const client = createClient({ url: REDIS_URL });
  const prefix = `sessionscope-migrate:${process.pid}:`;
  const store = new RedisStore({ client, prefix });
  const cleanup: (() => Promise<void> | void)[] = [];
  let oldApp: Listening;

  beforeAll(async () => {
    await client.connect();
    // The app being migrated away from: express-session on connect-redis, as its README shows.
    const app = express();
    app.use(
      expressSession({
        store,
        secret: OLD_SECRET,
        resave: false,
        saveUninitialized: false,
        cookie: { maxAge: 7 * 24 * 3600 * 1000 },
      }) as never,
    );
    app.get('/login', (req, res) => {
      const session = (req as unknown as { session: Record<string, unknown> }).session;
      session.user = 'ada';
      session.cart = ['tea', { sku: 'mug', qty: 2 }];
      res.send('logged in');
    });
    oldApp = await listen(createServer(app));
  });
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });
  afterAll(async () => {
    await oldApp.close();
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*` }))
      if (keys.length) await client.del(keys);
    await client.quit();
  });

  /** Logs in on the old app: the visitor's connect.sid cookie (as sent back) and its session id. */
  async function oldLogin(): Promise<{ cookie: string; sid: string }> {
    const reply = await send(`${oldApp.url}/login`);
    const value = reply.cookie('connect.sid')?.value as string;
    expect(value).toMatch(/^s%3A/);
    const sid = decodeURIComponent(value).slice(2).split('.')[0] as string;
    return { cookie: `connect.sid=${value}`, sid };
  }

  /** The new app: migration first, then sessionscope, then routes. */
  async function newApp(
    options: Partial<ExpressSessionMigrationOptions> = {},
    extra: Record<string, unknown> = {},
  ): Promise<{ url: string; sessions: Sessions; gets: () => number }> {
    const sessions = createSessions({
      SECRET_KEY: 'new-secret-key',
      DATABASE_URL: ':memory:',
      env: dev,
      ...extra,
    });
    cleanup.push(() => sessions.close());
    let gets = 0;
    const counted: ExpressSessionStoreLike = {
      get: (sid, cb) => {
        gets++;
        return store.get(sid, cb);
      },
      destroy: (sid, cb) => store.destroy(sid, cb),
    };
    const app = express();
    app.use(migrateFromExpressSession(sessions, { store: counted, secret: OLD_SECRET, ...options }));
    app.use(sessions.middleware());
    app.get('/whoami', async (req, res) => {
      res.send(`user=${(await req.session.get('user')) ?? 'anonymous'}`);
    });
    app.get('/logout', async (req, res) => {
      await req.session.flush();
      res.send('bye');
    });
    app.get('/cycle', async (req, res) => {
      await req.session.cycleKey();
      res.send(`user=${await req.session.get('user')}`);
    });
    const server = await listen(createServer(app));
    cleanup.push(() => server.close());
    return { url: server.url, sessions, gets: () => gets };
  }

  const snapshot = async () => {
    const out: Record<string, string | null> = {};
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*` }))
      for (const key of keys) out[key] = await client.get(key);
    return out;
  };

  it('10.6 a valid connect.sid is carried over: data minus cookie, new cookie set, old one cleared', async () => {
    const { cookie, sid } = await oldLogin();
    const app = await newApp();
    const first = await send(`${app.url}/whoami`, { cookie });
    expect(first.status).toBe(200);
    expect(first.body).toBe('user=ada');
    const fresh = first.cookie('sessionid');
    expect(fresh?.value).toMatch(/^[a-z0-9]{32}$/);
    expect(fresh?.attributes).toMatchObject({
      'max-age': '1209600',
      path: '/',
      httponly: true,
      samesite: 'Lax',
    });
    const cleared = first.cookie('connect.sid');
    expect(cleared?.value).toBe('');
    expect(cleared?.attributes).toMatchObject({
      path: '/',
      'max-age': '0',
      expires: 'Thu, 01 Jan 1970 00:00:00 GMT',
    });
    expect(first.cookies.filter((c) => c.name === 'sessionid')).toHaveLength(1);
    expect(first.headers.get('vary')).toMatch(/Cookie/);
    expect(first.headers.get('cache-control')).toBe('private, no-store');

    const session = app.sessions.open(fresh?.value);
    expect(Object.fromEntries(await session.items())).toEqual({
      user: 'ada',
      cart: ['tea', { sku: 'mug', qty: 2 }],
    });
    // Kept by default: it expires on the old store's TTL.
    expect(await client.exists(`${prefix}${sid}`)).toBe(1);

    const next = await send(`${app.url}/whoami`, { cookie: `sessionid=${fresh?.value}` });
    expect(next.body).toBe('user=ada');
    expect(next.cookies).toEqual([]);
  });

  it('10.6 deleteOld removes the old record once copied', async () => {
    const { cookie, sid } = await oldLogin();
    const app = await newApp({ deleteOld: true });
    expect((await send(`${app.url}/whoami`, { cookie })).body).toBe('user=ada');
    expect(await client.exists(`${prefix}${sid}`)).toBe(0);
  });

  it('10.6 a tampered connect.sid is anonymous, and nothing in the old store changes', async () => {
    const { cookie, sid } = await oldLogin();
    const other = await oldLogin();
    const app = await newApp({ deleteOld: true });
    const before = await snapshot();
    const raw = decodeURIComponent(cookie.slice('connect.sid='.length));
    const [, mac] = raw.slice(2).split('.');
    const forged = [
      // Someone else's session id under this visitor's signature.
      `s:${other.sid}.${mac}`,
      // The right id, the signature flipped in one character.
      `s:${sid}.${mac?.[0] === 'A' ? 'B' : 'A'}${mac?.slice(1)}`,
      // Signed with another secret.
      `s:${cookieSignature.sign(sid, 'not the secret')}`,
      // Unsigned, which express-session ignores too.
      sid,
    ];
    for (const value of forged) {
      const reply = await send(`${app.url}/whoami`, { cookie: `connect.sid=${encodeURIComponent(value)}` });
      expect(reply.status).toBe(200);
      expect(reply.body).toBe('user=anonymous');
      expect(reply.cookies).toEqual([]);
    }
    expect(app.gets()).toBe(0);
    expect(await snapshot()).toEqual(before);
  });

  it('10.6 express-session secret rotation: an array verifies with every entry', async () => {
    const { cookie } = await oldLogin();
    const app = await newApp({ secret: ['the new secret', OLD_SECRET] });
    expect((await send(`${app.url}/whoami`, { cookie })).body).toBe('user=ada');
    expect(unsign(cookieSignature.sign('abc', 'two'), ['one', 'two'])).toBe('abc');
    expect(unsign(cookieSignature.sign('abc', 'two'), ['one'])).toBeNull();
  });

  it('10.6 a logout or a key cycle on the migrating request: sessionscope has the last word, one cookie', async () => {
    const app = await newApp();
    const logout = await send(`${app.url}/logout`, { cookie: (await oldLogin()).cookie });
    const ours = logout.cookies.filter((c) => c.name === 'sessionid');
    expect(ours).toHaveLength(1);
    expect(ours[0]?.value).toBe('');
    expect(logout.cookie('connect.sid')?.value).toBe('');

    const cycle = await send(`${app.url}/cycle`, { cookie: (await oldLogin()).cookie });
    expect(cycle.body).toBe('user=ada');
    const cycled = cycle.cookies.filter((c) => c.name === 'sessionid');
    expect(cycled).toHaveLength(1);
    expect((await send(`${app.url}/whoami`, { cookie: `sessionid=${cycled[0]?.value}` })).body).toBe(
      'user=ada',
    );
  });

  it('10.6 parallel requests with the same connect.sid share one new session', async () => {
    const { cookie } = await oldLogin();
    const app = await newApp();
    const replies = await Promise.all(Array.from({ length: 5 }, () => send(`${app.url}/whoami`, { cookie })));
    expect(replies.map((r) => r.body)).toEqual(Array(5).fill('user=ada'));
    expect(new Set(replies.map((r) => r.cookie('sessionid')?.value)).size).toBe(1);
    expect(app.gets()).toBe(1);
  });

  it('10.6 a signed connect.sid whose record is gone or expired is anonymous, and the old cookie is cleared', async () => {
    const { cookie, sid } = await oldLogin();
    await store.set(
      sid,
      { cookie: { expires: new Date(Date.now() - 1000).toISOString(), originalMaxAge: 1 }, user: 'ada' },
      () => {},
    );
    const app = await newApp();
    const expired = await send(`${app.url}/whoami`, { cookie });
    expect(expired.body).toBe('user=anonymous');
    expect(expired.cookie('sessionid')).toBeUndefined();
    expect(expired.cookie('connect.sid')?.value).toBe('');
    await client.del(`${prefix}${sid}`);
    expect((await send(`${app.url}/whoami`, { cookie })).cookie('connect.sid')?.value).toBe('');
  });

  it('10.6 an old browser-session cookie stays one; the old cookie path is honoured', async () => {
    const { cookie, sid } = await oldLogin();
    await store.set(sid, { cookie: { expires: null, originalMaxAge: null }, user: 'ada' }, () => {});
    const app = await newApp({ cookie: { path: '/app' } });
    const reply = await send(`${app.url}/whoami`, { cookie });
    expect(reply.body).toBe('user=ada');
    expect(reply.cookie('sessionid')?.attributes['max-age']).toBeUndefined();
    expect(reply.cookie('connect.sid')?.attributes.path).toBe('/app');
  });

  it('10.6 an old store that does not answer: 503 by default, never a silent logout, no raw id logged', async () => {
    const lines: LogRecord[] = [];
    cleanup.push(setLogSink((record) => lines.push(record)));
    const { cookie, sid } = await oldLogin();
    const sessions = createSessions({
      SECRET_KEY: 'new-secret-key',
      DATABASE_URL: ':memory:',
      env: dev,
      SESSION_STORE_TIMEOUT_MS: 100,
    });
    cleanup.push(() => sessions.close());
    const failing: ExpressSessionStoreLike = {
      get: (id, cb) => cb(new Error(`READONLY while reading sess:${id}`)),
      destroy: (_id, cb) => cb?.(),
    };
    const hanging: ExpressSessionStoreLike = { get: () => undefined, destroy: (_id, cb) => cb?.() };
    for (const broken of [failing, hanging]) {
      const app = express();
      app.use(migrateFromExpressSession(sessions, { store: broken, secret: OLD_SECRET }));
      app.use(sessions.middleware());
      app.get('/whoami', (_req, res) => res.send('reached'));
      const server = await listen(createServer(app));
      cleanup.push(() => server.close());
      const reply = await send(`${server.url}/whoami`, { cookie });
      expect(reply.status).toBe(503);
      expect(reply.cookies).toEqual([]);
    }
    const logged = lines
      .map((l) => `${l.message} ${String((l as { error?: unknown }).error ?? '')}`)
      .join('\n');
    expect(logged).toContain('express-session store');
    expect(logged).not.toContain(sid);
  });

  it('10.6 misordered: the migration after sessions.middleware() is a clear error', async () => {
    const sessions = createSessions({ SECRET_KEY: 'new-secret-key', DATABASE_URL: ':memory:', env: dev });
    cleanup.push(() => sessions.close());
    const app = express();
    let failure: unknown;
    app.use(sessions.middleware());
    app.use(migrateFromExpressSession(sessions, { store, secret: OLD_SECRET }));
    app.get('/', (_req, res) => res.send('unreachable'));
    app.use((error: unknown, _req: unknown, res: express.Response, _next: unknown) => {
      failure = error;
      res.status(500).send('failed');
    });
    const server = await listen(createServer(app));
    cleanup.push(() => server.close());
    expect((await send(server.url, { cookie: (await oldLogin()).cookie })).status).toBe(500);
    expect(String(failure)).toMatch(/before app.use\(sessions.middleware\(\)\)/);
  });

  it('10.6 options are checked at registration', () => {
    const sessions = createSessions({ SECRET_KEY: 'new-secret-key', DATABASE_URL: ':memory:', env: dev });
    cleanup.push(() => sessions.close());
    expect(() => migrateFromExpressSession(sessions, { store, secret: '' })).toThrow(/`secret` must be/);
    expect(() => migrateFromExpressSession(sessions, { store: {} as never, secret: 'x' })).toThrow(
      /`store` must be/,
    );
    expect(() => migrateFromExpressSession(sessions, { store, secret: 'x', name: 'sessionid' })).toThrow(
      /needs its own cookie name/,
    );
  });

  it('10.6 Koa: the framework-free migrate() in front of koaSessions', async () => {
    const { cookie } = await oldLogin();
    const sessions = createSessions({ SECRET_KEY: 'new-secret-key', DATABASE_URL: ':memory:', env: dev });
    cleanup.push(() => sessions.close());
    const migration = migrateFromExpressSession(sessions, { store, secret: OLD_SECRET });
    const app = new Koa();
    // As docs/migrating.md shows it.
    app.use(async (ctx, next) => {
      const outcome = await migration.migrate({ cookieHeader: ctx.get('cookie'), secure: ctx.secure });
      if (outcome) ctx.request.headers.cookie = outcome.cookieHeader;
      await next();
      if (outcome) ctx.append('Set-Cookie', outcome.setCookie(ctx.response.headers['set-cookie']));
    });
    app.use(koaSessions(sessions));
    app.use(async (ctx) => {
      ctx.body = `user=${(await ctx.session.get('user')) ?? 'anonymous'}`;
    });
    const server: Server = createServer(app.callback());
    const listening = await listen(server);
    cleanup.push(() => listening.close());
    const reply = await send(listening.url, { cookie });
    expect(reply.body).toBe('user=ada');
    expect(reply.cookies.filter((c) => c.name === 'sessionid')).toHaveLength(1);
    expect(reply.cookie('connect.sid')?.value).toBe('');
    const again = await send(listening.url, { cookie: `sessionid=${reply.cookie('sessionid')?.value}` });
    expect(again.body).toBe('user=ada');
  });

  it('10.6 Hono: the framework-free migrate() in front of honoSessions', async () => {
    const { cookie } = await oldLogin();
    const sessions = createSessions({ SECRET_KEY: 'new-secret-key', DATABASE_URL: ':memory:', env: dev });
    cleanup.push(() => sessions.close());
    const migration = migrateFromExpressSession(sessions, { store, secret: OLD_SECRET });
    const app = new Hono();
    // As docs/migrating.md shows it.
    app.use(async (c, next) => {
      const outcome = await migration.migrate({
        cookieHeader: c.req.header('cookie'),
        secure: new URL(c.req.url).protocol === 'https:',
      });
      if (outcome) c.req.raw.headers.set('cookie', outcome.cookieHeader);
      await next();
      if (outcome)
        for (const line of outcome.setCookie(c.res.headers.getSetCookie()))
          c.res.headers.append('set-cookie', line);
    });
    app.use(honoSessions(sessions));
    app.get('/', async (c) => c.text(`user=${(await c.get('session').get('user')) ?? 'anonymous'}`));
    const listening = await listen(createServer(getRequestListener(app.fetch)));
    cleanup.push(() => listening.close());
    const reply = await send(listening.url, { cookie });
    expect(reply.body).toBe('user=ada');
    expect(reply.cookies.filter((c) => c.name === 'sessionid')).toHaveLength(1);
    expect(reply.cookie('connect.sid')?.value).toBe('');
    expect(
      (await send(listening.url, { cookie: `sessionid=${reply.cookie('sessionid')?.value}` })).body,
    ).toBe('user=ada');
  });

  it('10.6 Fastify: migrate() in onRequest, before fastifySessions', async () => {
    const { cookie } = await oldLogin();
    const sessions = createSessions({ SECRET_KEY: 'new-secret-key', DATABASE_URL: ':memory:', env: dev });
    cleanup.push(() => sessions.close());
    const migration = migrateFromExpressSession(sessions, { store, secret: OLD_SECRET });
    let server: Server | undefined;
    const app = Fastify({
      serverFactory: (handler) => {
        server = createServer(handler);
        return server;
      },
    });
    // As docs/migrating.md shows it.
    app.addHook('onRequest', async (request, reply) => {
      const outcome = await migration.migrate({
        cookieHeader: request.headers.cookie,
        secure: request.protocol === 'https',
      });
      if (!outcome) return;
      request.headers.cookie = outcome.cookieHeader;
      for (const line of outcome.setCookie([])) reply.header('set-cookie', line);
    });
    await app.register(fastifySessions(sessions));
    app.get('/', async (request) => `user=${(await request.session.get('user')) ?? 'anonymous'}`);
    app.get('/logout', async (request) => {
      await request.session.flush();
      return 'bye';
    });
    await app.ready();
    const listening = await listen(server as Server);
    cleanup.push(async () => {
      await listening.close();
      await app.close();
    });
    const reply = await send(listening.url, { cookie });
    expect(reply.body).toBe('user=ada');
    expect(reply.cookie('sessionid')?.value).toMatch(/^[a-z0-9]{32}$/);
    expect(reply.cookie('connect.sid')?.value).toBe('');
    expect(
      (await send(listening.url, { cookie: `sessionid=${reply.cookie('sessionid')?.value}` })).body,
    ).toBe('user=ada');
    // A logout on the migrating request: sessionscope's deletion comes last, so the browser ends logged out.
    const logout = await send(`${listening.url}/logout`, { cookie: (await oldLogin()).cookie });
    const ours = logout.cookies.filter((c) => c.name === 'sessionid');
    expect(ours.at(-1)?.value).toBe('');
  });
});

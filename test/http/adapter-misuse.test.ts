/** Adapters refuse misuse at registration (or on the first request) with a message naming the fix. */
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { getRequestListener } from '@hono/node-server';
import Fastify from 'fastify';
import { Hono } from 'hono';
import express from 'express';
import Koa from 'koa';
import { afterEach, describe, expect, it } from 'vitest';
import { createSessions, type Sessions } from '../../server-agent/create.js';
import { fastifySessions } from '../../server-agent/http/fastify.js';
import { honoSessions } from '../../server-agent/http/hono.js';
import { koaSessions } from '../../server-agent/http/koa.js';
import type { SessionManager } from '../../server-agent/sessions/manager.js';
import { ImproperlyConfigured } from '../../server-agent/sessions/errors.js';
import { type LogRecord, setLogSink } from '../../server-agent/sessions/log.js';
import { type Listening, listen, send } from '../helpers/http.js';

describe('adapter misuse', () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });
  const makeSessions = (extra = {}): Sessions => {
    const sessions = createSessions({ SECRET_KEY: 'test-secret-key', DATABASE_URL: ':memory:', ...extra });
    cleanup.push(() => sessions.close());
    return sessions;
  };
  const serve = async (server: ReturnType<typeof createServer>): Promise<Listening> => {
    const listening = await listen(server);
    cleanup.push(() => listening.close());
    return listening;
  };

  it.each([
    ['koaSessions', koaSessions],
    ['fastifySessions', fastifySessions],
    ['honoSessions', honoSessions],
  ] as const)('%s refuses something that is not createSessions() output', (name, adapter) => {
    const bogus = { secret: 'x' } as unknown as SessionManager;
    expect(() => adapter(bogus)).toThrow(
      new RegExp(`${name}\\(sessions\\) needs the object createSessions\\(\\) returns`),
    );
    expect(() => adapter(undefined as unknown as SessionManager)).toThrow(/createSessions/);
  });

  it('Fastify refuses a second session plugin at registration', async () => {
    const sessions = makeSessions();
    const app = Fastify();
    cleanup.push(() => app.close());
    app.register(fastifySessions(sessions));
    app.register(fastifySessions(sessions));
    await expect(app.ready()).rejects.toThrow(/already decorated.*Register fastifySessions\(sessions\) once/);
  });

  it('Koa refuses a second installation with a clear error', async () => {
    const sessions = makeSessions();
    const app = new Koa();
    const errors: unknown[] = [];
    app.on('error', (error) => errors.push(error));
    app.use(koaSessions(sessions));
    app.use(koaSessions(sessions));
    app.use((ctx) => {
      ctx.body = 'unreachable';
    });
    const server = await serve(createServer(app.callback()));
    expect((await send(server.url)).status).toBe(500);
    expect(String(errors[0])).toMatch(/installed twice/);
  });

  it('Hono refuses a second installation with a clear error', async () => {
    const sessions = makeSessions();
    const app = new Hono();
    let failure: unknown;
    app.onError((error, c) => {
      failure = error;
      return c.text('failed', 500);
    });
    app.use(honoSessions(sessions));
    app.use(honoSessions(sessions));
    app.get('/', (c) => c.text('unreachable'));
    const server = await serve(createServer(getRequestListener(app.fetch)));
    expect((await send(server.url)).status).toBe(500);
    expect(String(failure)).toMatch(/installed twice/);
  });

  it('explains Secure cookies on plain http once, not on every request', async () => {
    const lines: LogRecord[] = [];
    cleanup.push(setLogSink((record) => lines.push(record)));
    const sessions = makeSessions({ SESSION_COOKIE_SECURE: true });
    const app = new Koa();
    app.use(koaSessions(sessions));
    app.use(async (ctx) => {
      await ctx.session.set('a', 1);
      ctx.body = 'ok';
    });
    const server = await serve(createServer(app.callback()));
    for (let i = 0; i < 3; i++) expect((await send(server.url)).cookie()?.attributes.secure).toBe(true);
    const warnings = lines.filter((line) => line.message.includes('SESSION_COOKIE_SECURE is on'));
    expect(warnings).toHaveLength(1);
  });

  it('node:http/Express explain it once too, and stay quiet behind an https proxy', async () => {
    const lines: LogRecord[] = [];
    cleanup.push(setLogSink((record) => lines.push(record)));
    const count = () => lines.filter((line) => line.message.includes('SESSION_COOKIE_SECURE is on')).length;
    const quiet = makeSessions({ SESSION_COOKIE_SECURE: true });
    const quietMiddleware = quiet.middleware();
    const proxied = await serve(createServer((req, res) => quietMiddleware(req, res, () => res.end('ok'))));
    await send(proxied.url, { headers: { 'x-forwarded-proto': 'https' } });
    expect(count()).toBe(0);
    const sessions = makeSessions({ SESSION_COOKIE_SECURE: true });
    const middleware = sessions.middleware();
    const server = await serve(createServer((req, res) => middleware(req, res, () => res.end('ok'))));
    for (let i = 0; i < 3; i++) await send(server.url);
    expect(count()).toBe(1);
  });
});

describe('U5 misordered middleware', () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });
  const make = (): Sessions => {
    const sessions = createSessions({ SECRET_KEY: 'test-secret-key', DATABASE_URL: ':memory:' });
    cleanup.push(() => sessions.close());
    return sessions;
  };

  it('U5 misordered middleware in Express: a route before sessions.middleware() gets a clear error naming the fix', async () => {
    const sessions = make();
    const app = express();
    const failures: unknown[] = [];
    app.get('/early', async (req, res, next) => {
      try {
        res.send(String(await req.session.get('user')));
      } catch (error) {
        next(error);
      }
    });
    app.use(sessions.middleware());
    app.get('/late', async (req, res) => {
      await req.session.set('user', 'ada');
      res.send('ok');
    });
    app.use((error: unknown, _req: unknown, res: express.Response, _next: unknown) => {
      failures.push(error);
      res.status(500).send('failed');
    });
    const server = await listen(createServer(app));
    cleanup.push(() => server.close());
    expect((await send(`${server.url}/early`)).status).toBe(500);
    expect(failures[0]).toBeInstanceOf(ImproperlyConfigured);
    expect(String(failures[0])).toMatch(
      /req\.session was used before sessionscope's middleware ran.*Move app\.use\(sessions\.middleware\(\)\) above your routes/,
    );
    expect(String(failures[0])).not.toContain('Cannot read properties');
    // The right order is untouched by the guard.
    const late = await send(`${server.url}/late`);
    expect(late.status).toBe(200);
    expect(late.cookie()?.value).toMatch(/^[a-z0-9]{32}$/);
  });

  it('U5 misordered middleware in Koa: a middleware before koaSessions gets a clear error naming the fix', async () => {
    const sessions = make();
    const app = new Koa();
    const errors: unknown[] = [];
    app.silent = true;
    app.on('error', (error) => errors.push(error));
    app.use(async (ctx, next) => {
      if (ctx.path === '/early') ctx.body = String(await ctx.session.get('user'));
      else await next();
    });
    app.use(koaSessions(sessions));
    app.use(async (ctx) => {
      await ctx.session.set('user', 'ada');
      ctx.body = 'ok';
    });
    const server = await serveKoa(app);
    cleanup.push(() => server.close());
    expect((await send(`${server.url}/early`)).status).toBe(500);
    expect(errors[0]).toBeInstanceOf(ImproperlyConfigured);
    expect(String(errors[0])).toMatch(
      /ctx\.session was used before sessionscope's middleware ran.*Move app\.use\(koaSessions\(sessions\)\) above app\.use\(router\.routes\(\)\)/,
    );
    const late = await send(`${server.url}/late`);
    expect(late.status).toBe(200);
    expect(late.cookie()?.value).toMatch(/^[a-z0-9]{32}$/);
  });

  it('U5 the guard never hides a real second session library (koa-session before koaSessions)', async () => {
    const sessions = make();
    const app = new Koa();
    app.keys = ['k'];
    const errors: unknown[] = [];
    app.silent = true;
    app.on('error', (error) => errors.push(error));
    app.use(koaSession({}, app));
    app.use(koaSessions(sessions));
    app.use((ctx) => {
      ctx.body = 'unreachable';
    });
    const server = await serveKoa(app);
    cleanup.push(() => server.close());
    expect((await send(server.url)).status).toBe(500);
    expect(String(errors[0])).toMatch(/already set/);
  });

  it('U5 after the middleware, req.session is what was last assigned, null included (an app logging out), never the stand-in', async () => {
    const sessions = make();
    const app = express();
    const seen: unknown[] = [];
    app.use(sessions.middleware());
    app.get('/', (req, res) => {
      seen.push(req.session === undefined ? 'undefined' : typeof req.session.get);
      (req as { session: unknown }).session = null;
      seen.push(req.session);
      (req as { session: unknown }).session = undefined;
      seen.push(req.session);
      res.send('ok');
    });
    const server = await listen(createServer(app));
    cleanup.push(() => server.close());
    expect((await send(server.url)).status).toBe(200);
    expect(seen).toEqual(['function', null, undefined]);
  });
});

// Loaded without its type declarations, which would retype ctx.session.
const { createSession: koaSession } = createRequire(import.meta.url)('koa-session') as {
  createSession: (options: object, app: Koa) => Koa.Middleware;
};

async function serveKoa(app: Koa) {
  return listen(createServer(app.callback()));
}

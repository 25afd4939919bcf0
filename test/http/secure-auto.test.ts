/**
 * Issue 10 item 7: SESSION_COOKIE_SECURE: 'auto' behind a TLS-terminating proxy. The cookie is
 * Secure exactly when the request is https, and X-Forwarded-Proto counts only where the app trusts
 * its proxy: Express's `trust proxy`, Koa's `app.proxy`, Fastify's `trustProxy`, or Django's
 * SECURE_PROXY_SSL_HEADER. Real servers on port 0 (and a real TLS one), real headers.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getRequestListener } from '@hono/node-server';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import Koa from 'koa';
import { afterEach, describe, expect, it } from 'vitest';
import { createSessions, type Sessions } from '../../server-agent/create.js';
import { fastifySessions } from '../../server-agent/http/fastify.js';
import { honoSessions } from '../../server-agent/http/hono.js';
import { koaSessions } from '../../server-agent/http/koa.js';
import { ImproperlyConfigured } from '../../server-agent/sessions/errors.js';
import { type LogRecord, setLogSink } from '../../server-agent/sessions/log.js';
import { normalizeSettings } from '../../server-agent/sessions/settings.js';
import { type Listening, listen, send } from '../helpers/http.js';

const dev = { NODE_ENV: 'test' } as NodeJS.ProcessEnv;
type Trust = { trustProxy: boolean };
type AppFactory = (sessions: Sessions, trust: Trust) => Server | Promise<Server>;

const expressApp: AppFactory = (sessions, { trustProxy }) => {
  const app = express();
  if (trustProxy) app.set('trust proxy', 'loopback');
  app.use(sessions.middleware());
  app.get('/login', async (req, res) => {
    await req.session.set('user', 'ada');
    res.send('ok');
  });
  app.get('/logout', async (req, res) => {
    await req.session.flush();
    res.send('bye');
  });
  return createServer(app);
};

const koaApp: AppFactory = (sessions, { trustProxy }) => {
  const app = new Koa({ proxy: trustProxy });
  app.use(koaSessions(sessions));
  app.use(async (ctx) => {
    if (ctx.path === '/logout') await ctx.session.flush();
    else await ctx.session.set('user', 'ada');
    ctx.body = 'ok';
  });
  return createServer(app.callback());
};

const fastifyApp: AppFactory = async (sessions, { trustProxy }) => {
  let server: Server | undefined;
  const app = Fastify({
    trustProxy,
    serverFactory: (handler) => {
      server = createServer(handler);
      return server;
    },
  });
  await app.register(fastifySessions(sessions));
  app.get('/*', async (request) => {
    if (request.url === '/logout') await request.session.flush();
    else await request.session.set('user', 'ada');
    return 'ok';
  });
  await app.ready();
  return server as Server;
};

/** Hono and node:http have no trust-proxy switch of their own: Django's setting is the way. */
const honoApp: AppFactory = (sessions) => {
  const app = new Hono();
  app.use(honoSessions(sessions));
  app.get('/*', async (c) => {
    if (new URL(c.req.url).pathname === '/logout') await c.get('session').flush();
    else await c.get('session').set('user', 'ada');
    return c.text('ok');
  });
  return createServer(getRequestListener(app.fetch));
};

const nodeApp: AppFactory = (sessions) => {
  const middleware = sessions.middleware();
  return createServer((req, res) =>
    middleware(req, res, async () => {
      if (req.url === '/logout') await req.session.flush();
      else await req.session.set('user', 'ada');
      res.end('ok');
    }),
  );
};

const https = { 'x-forwarded-proto': 'https' };

describe("10.7 SESSION_COOKIE_SECURE: 'auto'", () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });
  const start = async (factory: AppFactory, trust: Trust, extra: Record<string, unknown> = {}) => {
    const sessions = createSessions({
      SECRET_KEY: 'test-secret-key',
      DATABASE_URL: ':memory:',
      SESSION_COOKIE_SECURE: 'auto',
      env: dev,
      ...extra,
    });
    cleanup.push(() => sessions.close());
    const server: Listening = await listen(await factory(sessions, trust));
    cleanup.push(() => server.close());
    return server;
  };

  it.each([
    ['Express', expressApp],
    ['Koa', koaApp],
    ['Fastify', fastifyApp],
  ] as const)(
    "10.7 secure 'auto' on %s: Secure behind a trusted proxy, not on plain http",
    async (_, factory) => {
      const server = await start(factory, { trustProxy: true });
      const proxied = await send(`${server.url}/login`, { headers: https });
      expect(proxied.cookie()?.attributes.secure).toBe(true);
      const plain = await send(`${server.url}/login`);
      expect(plain.status).toBe(200);
      expect(plain.cookie()?.value).toMatch(/^[a-z0-9]{32}$/);
      expect(plain.cookie()?.attributes.secure).toBeUndefined();
      // The deletion cookie follows the request too.
      const logout = await send(`${server.url}/logout`, {
        headers: https,
        cookie: `sessionid=${proxied.cookie()?.value}`,
      });
      expect(logout.cookie()?.value).toBe('');
      expect(logout.cookie()?.attributes.secure).toBe(true);
    },
  );

  it.each([
    ['Express', expressApp],
    ['Koa', koaApp],
    ['Fastify', fastifyApp],
    ['Hono', honoApp],
    ['node:http', nodeApp],
  ] as const)(
    "10.7 secure 'auto' on %s: X-Forwarded-Proto from an untrusted peer changes nothing, and says so once",
    async (_, factory) => {
      const lines: LogRecord[] = [];
      cleanup.push(setLogSink((record) => lines.push(record)));
      const server = await start(factory, { trustProxy: false });
      for (let i = 0; i < 2; i++) {
        const reply = await send(`${server.url}/login`, { headers: https });
        expect(reply.cookie()?.value).toMatch(/^[a-z0-9]{32}$/);
        expect(reply.cookie()?.attributes.secure).toBeUndefined();
      }
      const warnings = lines.filter((line) => line.message.includes("SESSION_COOKIE_SECURE is 'auto'"));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]?.message).toMatch(/trust proxy.*SECURE_PROXY_SSL_HEADER/);
    },
  );

  it.each([
    ['Hono', honoApp],
    ['node:http', nodeApp],
    ['Express', expressApp],
  ] as const)(
    "10.7 secure 'auto' on %s with SECURE_PROXY_SSL_HEADER (Django's setting)",
    async (_, factory) => {
      const server = await start(
        factory,
        { trustProxy: false },
        { SECURE_PROXY_SSL_HEADER: ['HTTP_X_FORWARDED_PROTO', 'https'] },
      );
      expect((await send(`${server.url}/login`, { headers: https })).cookie()?.attributes.secure).toBe(true);
      // Django 4.1+: the leftmost value of a list is the client's side.
      expect(
        (await send(`${server.url}/login`, { headers: { 'x-forwarded-proto': 'https, http' } })).cookie()
          ?.attributes.secure,
      ).toBe(true);
      expect(
        (await send(`${server.url}/login`, { headers: { 'x-forwarded-proto': 'http' } })).cookie()?.attributes
          .secure,
      ).toBeUndefined();
      expect((await send(`${server.url}/login`)).cookie()?.attributes.secure).toBeUndefined();
    },
  );

  it("10.7 secure 'auto' over real TLS: Secure without any proxy header", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sessionscope-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-subj',
        '/CN=127.0.0.1',
        '-days',
        '1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    const sessions = createSessions({
      SECRET_KEY: 'test-secret-key',
      DATABASE_URL: ':memory:',
      SESSION_COOKIE_SECURE: 'auto',
      env: dev,
    });
    cleanup.push(() => sessions.close());
    const middleware = sessions.middleware();
    const server = createHttpsServer(
      { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
      (req, res) =>
        middleware(req, res, async () => {
          await req.session.set('user', 'ada');
          res.end('ok');
        }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const { request } = await import('node:https');
    const setCookie = await new Promise<string[]>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: (server.address() as AddressInfo).port,
          path: '/',
          rejectUnauthorized: false,
        },
        (res) => {
          res.resume();
          resolve(res.headers['set-cookie'] ?? []);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(setCookie[0]).toMatch(/^sessionid=[a-z0-9]{32};.*; Secure/);
  });

  it("10.7 secure 'auto': settings accept 'auto' and Django's header pair, and refuse the rest", () => {
    const base = { SECRET_KEY: 'test-secret-key' };
    expect(normalizeSettings({ ...base, SESSION_COOKIE_SECURE: 'auto' }, dev).sessionCookieSecure).toBe(
      'auto',
    );
    expect(
      normalizeSettings({ ...base, SECURE_PROXY_SSL_HEADER: ['X-Forwarded-Proto', 'https'] }, dev)
        .secureProxySslHeader,
    ).toEqual({ header: 'x-forwarded-proto', value: 'https' });
    expect(() => normalizeSettings({ ...base, SESSION_COOKIE_SECURE: 'yes' }, dev)).toThrow(
      ImproperlyConfigured,
    );
    expect(() => normalizeSettings({ ...base, SESSION_COOKIE_SECURE: 'yes' }, dev)).toThrow(
      /true, false or 'auto'/,
    );
    expect(() => normalizeSettings({ ...base, SECURE_PROXY_SSL_HEADER: 'X-Forwarded-Proto' }, dev)).toThrow(
      /SECURE_PROXY_SSL_HEADER .*\[header, value\] pair/,
    );
  });
});

/**
 * The apps under load: the same five routes on Express, Koa and Fastify, once with sessionscope on
 * each engine (the peers' apps are in peer-apps.ts). Routes: /none (no session use, no cookie),
 * /untouched, /read, /write (increments a counter) and /new (a write without a cookie).
 */
import { join } from 'node:path';
import express from 'express';
import Koa from 'koa';
import type { Sessions } from '../../server-agent/create.js';
import type { SessionManagerOptions } from '../../server-agent/sessions/manager.js';
import type { Session } from '../../server-agent/sessions/session.js';
import { countStoreOps } from '../../test/helpers/http.js';
import {
  type BenchApp,
  createServer,
  fastifyApp,
  koaRoutes,
  PG_URL,
  REDIS_DB,
  REDIS_URL,
  SECRET,
  serve,
  tmp,
} from './app-kit.js';
import { createSessions, fastifySessions, koaSessions } from './library.js';

export type { BenchApp, Running } from './app-kit.js';
export { EXPRESS_PEERS, expressSessionApp, fastifySessionApp, koaSessionApp } from './peer-apps.js';
export { PG_URL, REDIS_URL } from './app-kit.js';

export const ENGINES: Record<string, () => SessionManagerOptions> = {
  memory: () => ({ SESSION_ENGINE: 'cache', CACHES: { default: { BACKEND: 'memory' } } }),
  sqlite: () => ({ SESSION_ENGINE: 'db', DATABASE_URL: join(tmp(), 'sessions.sqlite3') }),
  redis: () => ({
    SESSION_ENGINE: 'cache',
    CACHES: {
      default: { BACKEND: 'redis', LOCATION: `${REDIS_URL}/${REDIS_DB}`, KEY_PREFIX: `bench${process.pid}` },
    },
  }),
  postgres: () => ({ SESSION_ENGINE: 'db', DATABASE_URL: `${PG_URL}?schema=bench_sessionscope` }),
  file: () => ({ SESSION_ENGINE: 'file', SESSION_FILE_PATH: tmp() }),
  signed_cookies: () => ({ SESSION_ENGINE: 'signed_cookies' }),
  // bench/scale.ts: the stores it filled with 10^6 sessions (its own Redis db / PostgreSQL schema).
  'redis-scale': () => ({
    SESSION_ENGINE: 'cache',
    CACHES: { default: { BACKEND: 'redis', LOCATION: process.env.SCALE_REDIS_URL, KEY_PREFIX: 'scale' } },
  }),
  'postgres-scale': () => ({ SESSION_ENGINE: 'db', DATABASE_URL: process.env.SCALE_PG_URL }),
};

function sessionscopeFor(engine: string): { sessions: Sessions; counted: ReturnType<typeof countStoreOps> } {
  const sessions = createSessions({ SECRET_KEY: SECRET, ...ENGINES[engine]?.() });
  return { sessions, counted: countStoreOps(sessions.store) };
}
const total = (c: ReturnType<typeof countStoreOps>) => () => c.load + c.exists + c.save + c.delete;

export function sessionscopeExpress(engine: string): BenchApp {
  return {
    framework: 'Express',
    store: engine,
    library: 'sessionscope',
    async start() {
      const { sessions, counted } = sessionscopeFor(engine);
      const app = express();
      app.use(sessions.middleware());
      app.get('/none', (_req, res) => void res.send('ok'));
      app.get('/untouched', (_req, res) => void res.send('ok'));
      app.get('/read', async (req, res) => void res.send(String(await req.session?.get('n', 0))));
      const write: express.RequestHandler = async (req, res) => {
        const session = req.session as NonNullable<typeof req.session>;
        const n = ((await session.get<number>('n')) ?? 0) + 1;
        await session.set('n', n);
        res.send(String(n));
      };
      app.get('/write', write);
      app.get('/new', write);
      return serve(createServer(app), total(counted), () => sessions.close());
    },
  };
}

export function sessionscopeKoa(engine: string): BenchApp {
  return {
    framework: 'Koa',
    store: engine,
    library: 'sessionscope',
    async start() {
      const { sessions, counted } = sessionscopeFor(engine);
      const app = new Koa();
      app.use(koaSessions(sessions));
      koaRoutes(
        app,
        async (ctx) => (await ctx.session.get<number>('n')) ?? 0,
        (ctx, n) => ctx.session.set('n', n),
      );
      return serve(createServer(app.callback()), total(counted), () => sessions.close());
    },
  };
}

export function sessionscopeFastify(engine: string): BenchApp {
  return {
    framework: 'Fastify',
    store: engine,
    library: 'sessionscope',
    async start() {
      const { sessions, counted } = sessionscopeFor(engine);
      type Req = { session: Session };
      const server = await fastifyApp(
        async (app) => void (await app.register(fastifySessions(sessions))),
        async (request) => (await (request as Req).session.get<number>('n')) ?? 0,
        (request, n) => (request as Req).session.set('n', n),
      );
      return serve(server, total(counted), () => sessions.close());
    },
  };
}

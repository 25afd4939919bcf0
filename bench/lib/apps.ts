/**
 * The apps under load: the same five routes on Express, Koa and Fastify, once with sessionscope on
 * each engine and once with each peer library. Routes: /none (no session use, no cookie),
 * /untouched, /read, /write (increments a counter) and /new (a write without a cookie).
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import express from 'express';
import Fastify from 'fastify';
import Koa from 'koa';
import { createClient } from 'redis';
import { createSessions, type Sessions } from '../../server-agent/create.js';
import { fastifySessions } from '../../server-agent/http/fastify.js';
import { koaSessions } from '../../server-agent/http/koa.js';
import type { SessionManagerOptions } from '../../server-agent/sessions/manager.js';
import type { Session } from '../../server-agent/sessions/session.js';
import { countStoreOps } from '../../test/helpers/http.js';
import { listenOn } from './measure.js';
import {
  countPeerOps,
  expressSession,
  fastifyCookie,
  fastifySession,
  koaSession,
  type PeerSession,
  type PeerStore,
  PgStore,
  RedisStore,
  SqliteStore,
} from './peers.js';

export interface Running {
  url: string;
  ops(): number;
  close(): Promise<void>;
}
export interface BenchApp {
  framework: 'Express' | 'Koa' | 'Fastify';
  store: string;
  library: string;
  start(): Promise<Running>;
}

const SECRET = 'bench-secret-key-bench-secret-key-0123456789';
const tmp = () => mkdtempSync(join(tmpdir(), 'sessionscope-bench-'));
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const PG_URL = process.env.POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export const ENGINES: Record<string, () => SessionManagerOptions> = {
  memory: () => ({ SESSION_ENGINE: 'cache', CACHES: { default: { BACKEND: 'memory' } } }),
  sqlite: () => ({ SESSION_ENGINE: 'db', DATABASE_URL: join(tmp(), 'sessions.sqlite3') }),
  redis: () => ({
    SESSION_ENGINE: 'cache',
    CACHES: { default: { BACKEND: 'redis', LOCATION: `${REDIS_URL}/0`, KEY_PREFIX: `bench${process.pid}` } },
  }),
  postgres: () => ({ SESSION_ENGINE: 'db', DATABASE_URL: `${PG_URL}?schema=bench_sessionscope` }),
  file: () => ({ SESSION_ENGINE: 'file', SESSION_FILE_PATH: tmp() }),
  signed_cookies: () => ({ SESSION_ENGINE: 'signed_cookies' }),
};

async function serve(server: Server, ops: () => number, cleanup: () => Promise<void>): Promise<Running> {
  const url = await listenOn(server);
  return {
    url,
    ops,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await cleanup();
    },
  };
}

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

type PeerFactory = () => Promise<{ store: PeerStore; cleanup: () => Promise<void> }>;

export const EXPRESS_PEERS: Record<string, PeerFactory> = {
  memory: async () => ({ store: new expressSession.MemoryStore(), cleanup: async () => {} }),
  sqlite: async () => {
    const client = new Database(join(tmp(), 'peer.sqlite3'));
    client.pragma('journal_mode = WAL');
    return {
      store: new SqliteStore({ client, expired: { clear: false } }),
      cleanup: async () => void client.close(),
    };
  },
  redis: async () => {
    const client = createClient({ url: REDIS_URL });
    await client.connect();
    return {
      store: new RedisStore({ client, prefix: `benchpeer${process.pid}:` }),
      cleanup: async () => void (await client.quit()),
    };
  },
  postgres: async () => {
    const store = new PgStore({
      conString: PG_URL,
      createTableIfMissing: true,
      tableName: 'bench_peer_session',
      pruneSessionInterval: false,
    });
    return {
      store,
      cleanup: async () => void (await (store as unknown as { close(): Promise<void> }).close()),
    };
  },
};

export function expressSessionApp(storeName: string, label: string): BenchApp {
  return {
    framework: 'Express',
    store: storeName,
    library: label,
    async start() {
      const peer = await (EXPRESS_PEERS[storeName] as PeerFactory)();
      const counted = countPeerOps(peer.store);
      const app = express();
      app.use(expressSession({ secret: SECRET, store: peer.store, resave: false, saveUninitialized: false }));
      const sessionOf = (req: express.Request) => (req as unknown as { session: PeerSession }).session;
      app.get('/none', (_req, res) => void res.send('ok'));
      app.get('/untouched', (_req, res) => void res.send('ok'));
      app.get('/read', (req, res) => void res.send(String(sessionOf(req).n ?? 0)));
      const write: express.RequestHandler = (req, res) => {
        const session = sessionOf(req);
        session.n = (session.n ?? 0) + 1;
        res.send(String(session.n));
      };
      app.get('/write', write);
      app.get('/new', write);
      return serve(createServer(app), counted.total, peer.cleanup);
    },
  };
}

function koaRoutes(
  app: Koa,
  read: (ctx: Koa.Context) => Promise<number> | number,
  write: (ctx: Koa.Context, n: number) => Promise<void> | void,
) {
  app.use(async (ctx) => {
    if (ctx.path === '/read') ctx.body = String(await read(ctx));
    else if (ctx.path === '/write' || ctx.path === '/new') {
      const n = (await read(ctx)) + 1;
      await write(ctx, n);
      ctx.body = String(n);
    } else ctx.body = 'ok';
  });
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

/** koa-session: its default cookie store ("signed_cookies"), or an external in-memory store. */
export function koaSessionApp(storeName: 'signed_cookies' | 'memory'): BenchApp {
  return {
    framework: 'Koa',
    store: storeName,
    library: 'koa-session',
    async start() {
      const app = new Koa();
      app.keys = [SECRET];
      const map = new Map<string, unknown>();
      let ops = 0;
      const store = {
        get(key: string) {
          ops++;
          return map.get(key);
        },
        set(key: string, value: unknown) {
          ops++;
          map.set(key, value);
        },
        destroy(key: string) {
          ops++;
          map.delete(key);
        },
      };
      app.use(koaSession(storeName === 'memory' ? { store } : {}, app) as Koa.Middleware);
      const sessionOf = (ctx: Koa.Context) => (ctx as unknown as { session: PeerSession }).session;
      koaRoutes(
        app,
        (ctx) => sessionOf(ctx).n ?? 0,
        (ctx, n) => {
          sessionOf(ctx).n = n;
        },
      );
      return serve(
        createServer(app.callback()),
        () => ops,
        async () => {},
      );
    },
  };
}

async function fastifyApp(
  register: (app: ReturnType<typeof Fastify>) => Promise<void>,
  read: (request: unknown) => Promise<number> | number,
  write: (request: unknown, n: number) => Promise<void> | void,
): Promise<Server> {
  let server: Server | undefined;
  const app = Fastify({
    serverFactory: (handler) => {
      server = createServer(handler);
      return server;
    },
  });
  await register(app);
  app.get('/none', async () => 'ok');
  app.get('/untouched', async () => 'ok');
  app.get('/read', async (request) => String(await read(request)));
  const writeRoute = async (request: unknown) => {
    const n = (await read(request)) + 1;
    await write(request, n);
    return String(n);
  };
  app.get('/write', writeRoute);
  app.get('/new', writeRoute);
  await app.ready();
  return server as Server;
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

export function fastifySessionApp(): BenchApp {
  return {
    framework: 'Fastify',
    store: 'memory',
    library: '@fastify/session',
    async start() {
      const store = new fastifySession.MemoryStore();
      const counted = countPeerOps(store);
      type Plugin = Parameters<ReturnType<typeof Fastify>['register']>[0];
      const server = await fastifyApp(
        async (app) => {
          await app.register(fastifyCookie as Plugin);
          await app.register(
            fastifySession as Plugin,
            { secret: SECRET, store, saveUninitialized: false, cookie: { secure: false } } as never,
          );
        },
        (request) => ((request as { session: PeerSession }).session.n as number | undefined) ?? 0,
        (request, n) => {
          (request as { session: PeerSession }).session.n = n;
        },
      );
      return serve(server, counted.total, async () => {});
    },
  };
}

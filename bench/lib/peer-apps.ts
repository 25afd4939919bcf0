/**
 * The peer libraries' apps: express-session on each store, koa-session (cookie or external store)
 * and @fastify/session, serving the same five routes as sessionscope's apps (apps.ts).
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import express from 'express';
import type Fastify from 'fastify';
import Koa from 'koa';
import { createClient } from 'redis';
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
import {
  countPeerOps,
  expressSession,
  fastifyCookie,
  fastifySession,
  koaSession,
  type PeerSession,
  type PeerStore,
  ConnectSqlite3Store,
  cookieSession,
  FileStore,
  PgStore,
  RedisStore,
  SqliteStore,
} from './peers.js';

/** The five routes on an Express peer whose session is a plain object on req.session. */
function expressPeerRoutes(app: express.Express): void {
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
    const client = createClient({ url: `${REDIS_URL}/${REDIS_DB}` });
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
  /** connect-sqlite3 (node-sqlite3, asynchronous), the other SQLite store express-session users pick. */
  'connect-sqlite3': async () => {
    const dir = tmp();
    const store = new ConnectSqlite3Store({ dir, db: 'peer.sqlite3', concurrentDB: true });
    return {
      store,
      cleanup: async () =>
        new Promise<void>((resolve) =>
          (store as unknown as { db: { close(cb: () => void): void } }).db.close(() => resolve()),
        ),
    };
  },
  /** session-file-store: one JSON file per session, written asynchronously (the file engine's peer). */
  file: async () => ({
    store: new FileStore({ path: tmp(), retries: 0, reapInterval: -1, logFn: () => {} }),
    cleanup: async () => {},
  }),
};

export function expressSessionApp(storeName: string, label: string, peerKey = storeName): BenchApp {
  return {
    framework: 'Express',
    store: storeName,
    library: label,
    async start() {
      const peer = await (EXPRESS_PEERS[peerKey] as PeerFactory)();
      const counted = countPeerOps(peer.store);
      const app = express();
      app.use(expressSession({ secret: SECRET, store: peer.store, resave: false, saveUninitialized: false }));
      expressPeerRoutes(app);
      return serve(createServer(app), counted.total, peer.cleanup);
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

/** Fastify with @fastify/session on `store`, serving the suite's routes (also used by request-path-frameworks.ts). */
export async function fastifySessionServer(store: InstanceType<typeof fastifySession.MemoryStore>) {
  type Plugin = Parameters<ReturnType<typeof Fastify>['register']>[0];
  return fastifyApp(
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
}

export function fastifySessionApp(): BenchApp {
  return {
    framework: 'Fastify',
    store: 'memory',
    library: '@fastify/session',
    async start() {
      const store = new fastifySession.MemoryStore();
      const counted = countPeerOps(store);
      const server = await fastifySessionServer(store);
      return serve(server, counted.total, async () => {});
    },
  };
}

/** cookie-session: Express's signed-cookie sessions (the whole session in a Keygrip-signed cookie). */
export function cookieSessionApp(): BenchApp {
  return {
    framework: 'Express',
    store: 'signed_cookies',
    library: 'cookie-session',
    async start() {
      const app = express();
      app.use(cookieSession({ name: 'session', keys: [SECRET] }));
      expressPeerRoutes(app);
      return serve(
        createServer(app),
        () => 0,
        async () => {},
      );
    },
  };
}

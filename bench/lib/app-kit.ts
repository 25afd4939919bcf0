/**
 * What every benchmark app shares: the Running/BenchApp shapes, the secret, temp folders, serving
 * a node:http server, and the Koa and Fastify route sets (the Express ones are three lines each).
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import type Koa from 'koa';
import { listenOn } from './measure.js';

export interface Running {
  url: string;
  ops(): number;
  /** Store ops, CPU µs and RSS of the serving process, where it runs in its own (child.ts). */
  stats?(): Promise<{ ops: number; cpuUs: number; rss: number }>;
  close(): Promise<void>;
}
export interface BenchApp {
  framework: 'Express' | 'Koa' | 'Fastify';
  store: string;
  library: string;
  start(): Promise<Running>;
}

export const SECRET = 'bench-secret-key-bench-secret-key-0123456789';
export const tmp = () => mkdtempSync(join(tmpdir(), 'sessionscope-bench-'));
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** The suite's Redis db (BENCH_REDIS_DB; the shared server gives each engineer their own). */
export const REDIS_DB = process.env.BENCH_REDIS_DB ?? '0';
export const PG_URL = process.env.POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export { createServer };

export async function serve(
  server: Server,
  ops: () => number,
  cleanup: () => Promise<void>,
): Promise<Running> {
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

export function koaRoutes(
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

export async function fastifyApp(
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

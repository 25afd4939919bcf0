/**
 * The Koa and Fastify request paths without sockets (request-path.ts does Express): the suite's
 * routes on the memory engine, requests built as IncomingMessage/ServerResponse over a sink stream,
 * one at a time, for sessionscope, its peer (koa-session with an in-memory store, @fastify/session
 * with its MemoryStore) and optionally another build (BENCH_BASE=<folder>/server-agent, e.g. the
 * start commit's dist). Rounds alternate between the apps in one process so all sides share the
 * machine's load; prints CPU µs per request, min and median per app.
 * BENCH_ONLY=<peer|base|sessionscope> runs one side alone (for `node --cpu-prof`). BENCH_PROMISES=1 adds
 * the promises each side creates per request (exact, unlike CPU time).
 * `npx tsx bench/request-path-frameworks.ts <koa|fastify> <none|untouched|read|write|new> [requests per round] [rounds]`
 */
import type { RequestListener } from 'node:http';
import Koa from 'koa';
import type * as Create from '../server-agent/create.js';
import type * as FastifyAdapter from '../server-agent/http/fastify.js';
import type * as KoaAdapter from '../server-agent/http/koa.js';
import type { Session } from '../server-agent/sessions/session.js';
import { fastifyApp, koaRoutes, SECRET } from './lib/app-kit.js';
import { fastifySessionServer } from './lib/peer-apps.js';
import { fastifySession, koaSession, type PeerSession } from './lib/peers.js';
import { promisesPerRequest } from './lib/promise-count.js';
import { socketlessRequest as request } from './lib/socketless.js';

const [framework = 'koa', scenario = 'new', n = '4000', roundCount = '7'] = process.argv.slice(2);
const current = new URL('../dist/server-agent/', import.meta.url).href;
const base = process.env.BENCH_BASE ? `file://${process.env.BENCH_BASE.replace(/\/$/, '')}/` : undefined;

async function sessionscopeApp(root: string): Promise<RequestListener> {
  const { createSessions } = (await import(`${root}create.js`)) as typeof Create;
  const sessions = createSessions({
    SECRET_KEY: SECRET,
    SESSION_ENGINE: 'cache',
    CACHES: { default: { BACKEND: 'memory' } },
  });
  if (framework === 'koa') {
    const { koaSessions } = (await import(`${root}http/koa.js`)) as typeof KoaAdapter;
    const app = new Koa();
    app.use(koaSessions(sessions));
    koaRoutes(
      app,
      async (ctx) => (await ctx.session.get<number>('n')) ?? 0,
      (ctx, value) => ctx.session.set('n', value),
    );
    return app.callback();
  }
  const { fastifySessions } = (await import(`${root}http/fastify.js`)) as typeof FastifyAdapter;
  type Req = { session: Session };
  const server = await fastifyApp(
    async (app) => void (await app.register(fastifySessions(sessions))),
    async (request) => (await (request as Req).session.get<number>('n')) ?? 0,
    (request, value) => (request as Req).session.set('n', value),
  );
  return server.listeners('request')[0] as RequestListener;
}

async function peerApp(): Promise<RequestListener> {
  const sessionOf = (holder: unknown) => (holder as { session: PeerSession }).session;
  if (framework === 'koa') {
    const app = new Koa();
    app.keys = [SECRET];
    const map = new Map<string, unknown>();
    const store = {
      get: (key: string) => map.get(key),
      set: (key: string, value: unknown) => void map.set(key, value),
      destroy: (key: string) => void map.delete(key),
    };
    app.use(koaSession({ store }, app) as Koa.Middleware);
    koaRoutes(
      app,
      (ctx) => (sessionOf(ctx).n as number | undefined) ?? 0,
      (ctx, value) => {
        sessionOf(ctx).n = value;
      },
    );
    return app.callback();
  }
  const server = await fastifySessionServer(new fastifySession.MemoryStore());
  return server.listeners('request')[0] as RequestListener;
}

interface Side {
  name: string;
  handler: RequestListener;
  cookie?: string;
  rounds: number[];
}
const only = process.env.BENCH_ONLY;
const sides: Side[] = [
  { name: 'peer', handler: await peerApp(), rounds: [] },
  ...(base ? [{ name: 'base', handler: await sessionscopeApp(base), rounds: [] }] : []),
  { name: 'sessionscope', handler: await sessionscopeApp(current), rounds: [] },
].filter((side) => !only || side.name === only);
const withCookie = !['none', 'new'].includes(scenario);
for (const side of sides) {
  side.cookie = await request(side.handler, '/write');
  for (let i = 0; i < 2000; i++)
    await request(side.handler, `/${scenario}`, withCookie ? side.cookie : undefined);
}
// BENCH_PROMISES=1: also the promises each side creates per request (bench/lib/promise-count.ts).
const promises: Record<string, number> = {};
if (process.env.BENCH_PROMISES === '1')
  for (const side of sides) {
    const cookie = withCookie ? side.cookie : undefined;
    promises[side.name] = await promisesPerRequest(() => request(side.handler, `/${scenario}`, cookie));
  }
const perRound = Number(n);
for (let round = 0; round < Number(roundCount); round++) {
  const order = round % 2 ? [...sides].reverse() : sides;
  for (const side of order) {
    const cookie = withCookie ? side.cookie : undefined;
    const before = process.cpuUsage();
    for (let i = 0; i < perRound; i++) await request(side.handler, `/${scenario}`, cookie);
    const used = process.cpuUsage(before);
    side.rounds.push((used.user + used.system) / perRound);
  }
}
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const result: Record<string, { min: number; median: number }> = {};
for (const side of sides)
  result[side.name] = { min: Math.round(Math.min(...side.rounds)), median: Math.round(median(side.rounds)) };
console.log(
  JSON.stringify({
    framework,
    scenario,
    perRound,
    ...result,
    ...(Object.keys(promises).length ? { promisesPerRequest: promises } : {}),
  }),
);
process.exit(0);

/**
 * sessionscope's request path without sockets or a load generator: Express 5 + the memory cache
 * engine, requests built as IncomingMessage/ServerResponse over a sink stream, one at a time; prints
 * CPU µs per request (min of 5 rounds). On a shared machine the network and autocannon dominate
 * the suite's noise; this isolates what the library adds. BENCH_DIST=<folder>/server-agent picks the
 * build (default dist/, `npm run build`), BENCH_BARE=1 runs Express without any session middleware.
 * BENCH_ENGINE=sqlite runs the db engine on a fresh SQLite file instead; with BENCH_BARE=1 the bare
 * routes then run the suite's SQLite floor (the same SELECT / UPDATE / INSERT on better-sqlite3 and
 * a plain JSON value), so the two print the floor pair's gap without sockets. BENCH_ENGINE=redis runs
 * the cache engine on the shared Redis (db 15, its own prefix), and the bare side the suite's Redis
 * floor commands (GET, SET EX XX / NX on raw ioredis): the Redis round trips are real, one request at
 * a time, and the CPU is this process's alone.
 * `[BENCH_CONCURRENCY=50] npx tsx bench/request-path.ts <none|untouched|read|write|new> [requests per round]`
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { Redis } from 'ioredis';
import { openSqliteFloor } from './lib/floors.js';
import { promisesPerRequest as countPromises } from './lib/promise-count.js';
import { socketlessRequest } from './lib/socketless.js';
const root = process.env.BENCH_DIST ?? new URL('../dist/server-agent', import.meta.url).pathname;
const bare = process.env.BENCH_BARE === '1';
const sqlite = process.env.BENCH_ENGINE === 'sqlite';
const redis = process.env.BENCH_ENGINE === 'redis';
const REDIS_URL = 'redis://127.0.0.1:6379/15';
const { createSessions } = (await import(`${root}/create.js`)) as typeof import('../server-agent/create.js');
const [scenario = 'write', n = '20000'] = process.argv.slice(2);
const file = join(mkdtempSync(join(tmpdir(), 'request-path-')), 'sessions.sqlite3');
const sessions = createSessions({
  SECRET_KEY: 'x'.repeat(50),
  ...(sqlite
    ? { SESSION_ENGINE: 'db', DATABASE_URL: file }
    : redis
      ? {
          SESSION_ENGINE: 'cache',
          CACHES: { default: { BACKEND: 'redis', LOCATION: REDIS_URL, KEY_PREFIX: `rp${process.pid}` } },
        }
      : { SESSION_ENGINE: 'cache', CACHES: { default: { BACKEND: 'memory' } } }),
});
const app = express();
if (!bare) app.use(sessions.middleware());
app.get('/none', (_req, res) => void res.send('ok'));
app.get('/untouched', (_req, res) => void res.send('ok'));
// Bare: the same work on a plain value, keyed by an unsigned cookie written by hand; on SQLite the
// suite's floor statements (bench/lib/floors.ts).
const bareStore: BareStore = sqlite
  ? openSqliteFloor(`${file}.floor`)
  : redis && bare
    ? await redisFloor()
    : memoryFloor();
const keyOf = (req: express.Request) => /(?:^|; )sid=([^;]*)/.exec(req.headers.cookie ?? '')?.[1];
// Awaited only when the store answers with a promise (Redis), so the in-process floors' figures
// stay comparable with earlier runs.
const parsed = (json: string | null | undefined): { n?: number } =>
  json ? (JSON.parse(json) as { n?: number }) : {};
const bareLoad = (req: express.Request): { n?: number } | Promise<{ n?: number }> => {
  const key = keyOf(req);
  const json = key === undefined ? undefined : bareStore.read(key);
  return typeof json === 'object' && json !== null ? json.then(parsed) : parsed(json);
};
app.get('/read', async (req, res) => {
  if (!bare) return void res.send(String(await req.session.get('n', 0)));
  const data = bareLoad(req);
  res.send(String(('then' in data ? await data : data).n ?? 0));
});
const write = async (req: express.Request, res: express.Response) => {
  if (bare) {
    const loaded = req.path === '/new' ? {} : bareLoad(req);
    const data = 'then' in loaded ? await loaded : loaded;
    data.n = (data.n ?? 0) + 1;
    let key = req.path === '/new' ? undefined : keyOf(req);
    let written: void | Promise<void>;
    if (key) written = bareStore.update(key, JSON.stringify(data));
    else {
      key = randomBytes(16).toString('hex');
      written = bareStore.create(key, JSON.stringify(data));
    }
    if (written) await written;
    res.setHeader('set-cookie', `sid=${key}; Path=/; HttpOnly; Max-Age=1209600`);
    res.send(String(data.n));
    return;
  }
  const v = ((await req.session.get<number>('n')) ?? 0) + 1;
  await req.session.set('n', v);
  res.send(String(v));
};
app.get('/write', write);
app.get('/new', write);
const request = (path: string, cookie?: string) => socketlessRequest(app, path, cookie);
const cookie = await request('/write');
const withCookie = !['none', 'new'].includes(scenario);
for (let i = 0; i < 3000; i++) await request(`/${scenario}`, withCookie ? cookie : undefined);
// BENCH_PROMISES=1: also the promises a request creates (bench/lib/promise-count.ts).
const promisesPerRequest =
  process.env.BENCH_PROMISES === '1'
    ? await countPromises(() => request(`/${scenario}`, withCookie ? cookie : undefined))
    : undefined;
// BENCH_CONCURRENCY=<c>: c requests in flight at once (the suite runs 50 connections), so a store's
// round trips overlap and ioredis pipelines them as under load.
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 1);
const rounds: number[] = [];
for (let r = 0; r < 5; r++) {
  const a = process.cpuUsage();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = 0; i < Number(n) / concurrency; i++)
        await request(`/${scenario}`, withCookie ? cookie : undefined);
    }),
  );
  const b = process.cpuUsage(a);
  rounds.push((b.user + b.system) / Number(n));
}
console.log(JSON.stringify({ scenario, min: Math.min(...rounds), rounds, promisesPerRequest }));
await sessions.close();
await bareStore.close?.();
process.exit(0);

interface BareStore {
  read(key: string): string | null | undefined | Promise<string | null>;
  update(key: string, json: string): void | Promise<void>;
  create(key: string, json: string): void | Promise<void>;
  close?(): Promise<void>;
}

/** The suite's Redis floor (bench/lib/floors.ts): auto-pipelining ioredis, GET and SET EX XX / NX. */
async function redisFloor(): Promise<BareStore> {
  const client = new Redis(REDIS_URL, { enableAutoPipelining: true, lazyConnect: true });
  await client.connect();
  const prefix = `rpfloor${process.pid}:`;
  return {
    read: (key) => client.get(prefix + key),
    update: async (key, json) => void (await client.set(prefix + key, json, 'EX', 1_209_600, 'XX')),
    create: async (key, json) => void (await client.set(prefix + key, json, 'EX', 1_209_600, 'NX')),
    close: async () => void (await client.quit()),
  };
}

function memoryFloor(): BareStore {
  const map = new Map<string, string>();
  return {
    read: (key) => map.get(key),
    update: (key, json) => void map.set(key, json),
    create: (key, json) => void map.set(key, json),
  };
}

/**
 * sessionscope's request path without sockets or a load generator: Express 5 + the memory cache
 * engine, requests built as IncomingMessage/ServerResponse over a sink stream, one at a time; prints
 * CPU µs per request (min of 5 rounds). On a shared machine the network and autocannon dominate
 * the suite's noise; this isolates what the library adds. BENCH_DIST=<folder>/server-agent picks the
 * build (default dist/, `npm run build`), BENCH_BARE=1 runs Express without any session middleware.
 * BENCH_ENGINE=sqlite runs the db engine on a fresh SQLite file instead; with BENCH_BARE=1 the bare
 * routes then run the suite's SQLite floor (the same SELECT / UPDATE / INSERT on better-sqlite3 and
 * a plain JSON value), so the two print the floor pair's gap without sockets.
 * `npx tsx bench/request-path.ts <none|untouched|read|write|new> [requests per round]`
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { openSqliteFloor } from './lib/floors.js';
import { socketlessRequest } from './lib/socketless.js';
const root = process.env.BENCH_DIST ?? new URL('../dist/server-agent', import.meta.url).pathname;
const bare = process.env.BENCH_BARE === '1';
const sqlite = process.env.BENCH_ENGINE === 'sqlite';
const { createSessions } = (await import(`${root}/create.js`)) as typeof import('../server-agent/create.js');
const [scenario = 'write', n = '20000'] = process.argv.slice(2);
const file = join(mkdtempSync(join(tmpdir(), 'request-path-')), 'sessions.sqlite3');
const sessions = createSessions({
  SECRET_KEY: 'x'.repeat(50),
  ...(sqlite
    ? { SESSION_ENGINE: 'db', DATABASE_URL: file }
    : { SESSION_ENGINE: 'cache', CACHES: { default: { BACKEND: 'memory' } } }),
});
const app = express();
if (!bare) app.use(sessions.middleware());
app.get('/none', (_req, res) => void res.send('ok'));
app.get('/untouched', (_req, res) => void res.send('ok'));
// Bare: the same work on a plain value, keyed by an unsigned cookie written by hand; on SQLite the
// suite's floor statements (bench/lib/floors.ts).
const bareStore: BareStore = sqlite ? openSqliteFloor(`${file}.floor`) : memoryFloor();
const keyOf = (req: express.Request) => /(?:^|; )sid=([^;]*)/.exec(req.headers.cookie ?? '')?.[1];
const bareLoad = (req: express.Request): { n?: number } => {
  const key = keyOf(req);
  const json = key === undefined ? undefined : bareStore.read(key);
  return json ? (JSON.parse(json) as { n?: number }) : {};
};
app.get(
  '/read',
  async (req, res) => void res.send(String(bare ? (bareLoad(req).n ?? 0) : await req.session.get('n', 0))),
);
const write = async (req: express.Request, res: express.Response) => {
  if (bare) {
    const data = req.path === '/new' ? {} : bareLoad(req);
    data.n = (data.n ?? 0) + 1;
    let key = req.path === '/new' ? undefined : keyOf(req);
    if (key) bareStore.update(key, JSON.stringify(data));
    else {
      key = randomBytes(16).toString('hex');
      bareStore.create(key, JSON.stringify(data));
    }
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
const rounds: number[] = [];
for (let r = 0; r < 5; r++) {
  const a = process.cpuUsage();
  for (let i = 0; i < Number(n); i++) await request(`/${scenario}`, withCookie ? cookie : undefined);
  const b = process.cpuUsage(a);
  rounds.push((b.user + b.system) / Number(n));
}
console.log(JSON.stringify({ scenario, min: Math.min(...rounds), rounds }));
await sessions.close();
process.exit(0);

interface BareStore {
  read(key: string): string | null | undefined;
  update(key: string, json: string): void;
  create(key: string, json: string): void;
}

function memoryFloor(): BareStore {
  const map = new Map<string, string>();
  return {
    read: (key) => map.get(key),
    update: (key, json) => void map.set(key, json),
    create: (key, json) => void map.set(key, json),
  };
}

/**
 * sessionscope's request path without sockets or a load generator: Express 5 + the memory cache
 * engine, requests built as IncomingMessage/ServerResponse over a sink stream, one at a time; prints
 * CPU µs per request (min of 5 rounds). On a shared machine the network and autocannon dominate
 * the suite's noise; this isolates what the library adds. BENCH_DIST=<folder>/server-agent picks the
 * build (default dist/, `npm run build`), BENCH_BARE=1 runs Express without any session middleware.
 * `npx tsx bench/request-path.ts <none|untouched|read|write|new> [requests per round]`
 */
import express from 'express';
import { socketlessRequest } from './lib/socketless.js';
const root = process.env.BENCH_DIST ?? new URL('../dist/server-agent', import.meta.url).pathname;
const bare = process.env.BENCH_BARE === '1';
const { createSessions } = (await import(`${root}/create.js`)) as typeof import('../server-agent/create.js');
const [scenario = 'write', n = '20000'] = process.argv.slice(2);
const sessions = createSessions({
  SECRET_KEY: 'x'.repeat(50),
  SESSION_ENGINE: 'cache',
  CACHES: { default: { BACKEND: 'memory' } },
});
const app = express();
if (!bare) app.use(sessions.middleware());
app.get('/none', (_req, res) => void res.send('ok'));
app.get('/untouched', (_req, res) => void res.send('ok'));
// Bare: the same work on a plain object, and the cookie written by hand.
const plain = new Map<string, number>();
app.get(
  '/read',
  async (req, res) => void res.send(String(bare ? (plain.get('n') ?? 0) : await req.session.get('n', 0))),
);
const write = async (req: express.Request, res: express.Response) => {
  if (bare) {
    const v = (plain.get('n') ?? 0) + 1;
    plain.set('n', v);
    res.setHeader('set-cookie', 'sessionid=bare; Path=/');
    res.send(String(v));
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

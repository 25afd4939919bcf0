/**
 * Soak: a steady request rate against a small session app on a private redis-server that is
 * killed and restarted every few minutes. Reports errors outside restart windows (goal 0), RSS
 * over time (goal flat), then an anonymous flood of random unknown cookies (goal: 0 new records).
 *
 *   npx tsx bench/soak.ts                       # 1,000 req/s for 10 min, restart every 3 min
 *   npx tsx bench/soak.ts --duration=60 --restart-every=20 --flood=100000
 *
 * Not part of `npm test`. A restart window runs from the kill to 2 s after the restart (F1's bar).
 */
import { randomBytes } from 'node:crypto';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { createSessions } from '../server-agent/create.js';
import { captureLogs } from '../test/helpers/log-capture.js';
import { startOwnRedis } from '../test/reliability/own-services.js';

const args = new Map(
  process.argv.slice(2).map((arg) => arg.replace(/^--/, '').split('=') as [string, string]),
);
const DURATION_S = Number(args.get('duration') ?? 600);
const RATE = Number(args.get('rate') ?? 1000);
const RESTART_EVERY_S = Number(args.get('restart-every') ?? 180);
const DOWN_MS = Number(args.get('down-ms') ?? 1000);
const FLOOD = Number(args.get('flood') ?? 100_000);
const SESSIONS = 2_000;
const GRACE_MS = 2_000;

const logs = captureLogs(); // the store's down/up notices would flood the report
const redis = await startOwnRedis();
const sessions = createSessions({
  SECRET_KEY: 'soak-secret-0123456789abcdefghijklmnop',
  SESSION_ENGINE: 'cache',
  CACHES: { default: { BACKEND: 'redis', LOCATION: redis.url, KEY_PREFIX: 'soak' } },
});
const middleware = sessions.middleware();
const server = createServer((req, res) => {
  middleware(req, res, async () => {
    try {
      const session = req.session;
      if (!session) throw new Error('no session');
      if (req.url === '/write') await session.set('n', Number(await session.get('n', 0)) + 1);
      else await session.get('n');
      res.end('ok');
    } catch (error) {
      res.statusCode = (error as { status?: number }).status ?? 500;
      res.end('error');
    }
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = (server.address() as AddressInfo).port;
const agent = new Agent({ keepAlive: true, maxSockets: 256 });

function hit(path: string, cookie?: string): Promise<{ status: number; setCookie?: string }> {
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port, path, agent, headers: cookie ? { cookie } : {} },
      (res) => {
        res.resume();
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, setCookie: res.headers['set-cookie']?.[0]?.split(';')[0] }),
        );
      },
    );
    req.on('error', () => resolve({ status: 0 }));
    req.end();
  });
}

const cookies: (string | undefined)[] = new Array(SESSIONS).fill(undefined);
const windows: { from: number; to: number }[] = [];
const errors: { at: number; status: number }[] = [];
const rss: { t: number; mb: number }[] = [];
let sent = 0;
let done = 0;
const started = Date.now();

let restarting: Promise<void> = Promise.resolve();
const restarts = setInterval(() => {
  restarting = restartRedis();
}, RESTART_EVERY_S * 1000);
async function restartRedis(): Promise<void> {
  const from = Date.now();
  windows.push({ from, to: Number.POSITIVE_INFINITY });
  await redis.kill();
  await new Promise((resolve) => setTimeout(resolve, DOWN_MS));
  await redis.start();
  (windows.at(-1) as { to: number }).to = Date.now() + GRACE_MS;
}
const sampler = setInterval(
  () =>
    rss.push({
      t: Math.round((Date.now() - started) / 1000),
      mb: Math.round(process.memoryUsage().rss / 1048576),
    }),
  5_000,
);

// Fixed-rate open loop: every 10 ms, RATE/100 requests go out whatever the previous ones did.
await new Promise<void>((resolve) => {
  const perTick = RATE / 100;
  let carry = 0;
  const ticker = setInterval(() => {
    if (Date.now() - started >= DURATION_S * 1000) {
      clearInterval(ticker);
      resolve();
      return;
    }
    carry += perTick;
    for (; carry >= 1; carry--) {
      const slot = sent++ % SESSIONS;
      const path = sent % 5 === 0 || cookies[slot] === undefined ? '/write' : '/read';
      void hit(path, cookies[slot]).then((reply) => {
        done++;
        if (reply.setCookie) cookies[slot] = reply.setCookie;
        if (reply.status !== 200) errors.push({ at: Date.now(), status: reply.status });
      });
    }
  }, 10);
});
clearInterval(restarts);
clearInterval(sampler);
await restarting; // a restart still in progress would otherwise overlap the flood
while (done < sent) await new Promise((resolve) => setTimeout(resolve, 50));

const inWindow = (at: number) => windows.some((w) => at >= w.from && at <= w.to);
const outside = errors.filter((e) => !inWindow(e.at));
const elapsed = (Date.now() - started) / 1000;

// Anonymous flood: random unknown cookies on reads; the store must not grow.
const client = new Redis(redis.url);
client.on('error', () => undefined); // counted through the replies instead
// Seed live sessions first, so "unchanged" is measured against a non-empty store.
for (let i = 0; i < 1_000; i += 100) await Promise.all(Array.from({ length: 100 }, () => hit('/write')));
const before = await client.dbsize();
let floodErrors = 0;
for (let i = 0; i < FLOOD; i += 200) {
  const replies = await Promise.all(
    Array.from({ length: Math.min(200, FLOOD - i) }, () =>
      hit('/read', `sessionid=${randomBytes(16).toString('hex')}`),
    ),
  );
  floodErrors += replies.filter((r) => r.status !== 200).length;
}
const after = await client.dbsize();
client.disconnect();

const report = {
  durationSeconds: Math.round(elapsed),
  targetRate: RATE,
  achievedRate: Math.round(sent / elapsed),
  requests: sent,
  redisRestarts: windows.length,
  errorsTotal: errors.length,
  errorsInRestartWindows: errors.length - outside.length,
  errorsOutsideRestartWindows: outside.length,
  errorStatuses: Object.fromEntries(
    [...new Set(errors.map((e) => e.status))].map((s) => [s, errors.filter((e) => e.status === s).length]),
  ),
  rssMb: rss,
  flood: {
    requests: FLOOD,
    errors: floodErrors,
    recordsBefore: before,
    recordsAfter: after,
    created: after - before,
  },
};
logs.stop();
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
agent.destroy();
server.close();
await sessions.close();
await redis.stop();
process.exit(outside.length === 0 && after === before ? 0 : 1);

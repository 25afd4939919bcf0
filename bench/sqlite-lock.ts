/**
 * S3's check: another process holds the SQLite write lock (BEGIN IMMEDIATE) for the whole run
 * while a client keeps writing sessions (each write retries asynchronously, then answers 503),
 * and autocannon measures a route that never touches the session. Bar: its p99 < 20 ms.
 * `npx tsx bench/sqlite-lock.ts` (60 s; BENCH_SECONDS to change). The app runs in its own
 * process; its CPU µs per request is reported beside the latency. Writes docs/benchmarks.md's
 * "SQLite lock held by another process" section.
 */
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { createSessions } from '../server-agent/create.js';
import { setLogSink } from '../server-agent/sessions/log.js';
import { listenOn } from './lib/measure.js';
import { fmt, machineLine, writeSection } from './lib/report.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const CONNECTIONS = 4;
const STORE_TIMEOUT_MS = 1000;
const BASELINE_SECONDS = 15;

if (process.argv[2] === 'app') {
  // The app: /health never touches the session, /write sets a key.
  setLogSink(() => {});
  const sessions = createSessions({
    SECRET_KEY: 'bench-secret-key-0123456789abcdefghijklmnop',
    DATABASE_URL: process.argv[3] as string,
    SESSION_STORE_TIMEOUT_MS: STORE_TIMEOUT_MS,
  });
  const middleware = sessions.middleware();
  const server = createServer((req, res) =>
    middleware(req, res, async () => {
      if (req.url === '/write') await req.session.set('n', Date.now());
      res.end('ok');
    }),
  );
  const url = await listenOn(server);
  process.send?.({ url });
  process.on('message', (message) => {
    if (message === 'cpu') {
      const { user, system } = process.cpuUsage();
      process.send?.({ cpu: user + system });
    }
    if (message === 'stop') process.exit(0);
  });
} else {
  await main();
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sessionscope-bench-lock-'));
  const file = join(dir, 'db.sqlite3');
  const app = fork(import.meta.filename, ['app', file], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = () => new Promise<unknown>((resolve) => app.once('message', resolve));
  const { url } = (await next()) as { url: string };
  const cpu = async () => {
    const answer = next();
    app.send('cpu');
    return ((await answer) as { cpu: number }).cpu;
  };
  const first = await fetch(`${url}/write`);
  const cookie = first.headers.getSetCookie()[0]?.split(';', 1)[0] ?? '';
  await first.text();

  // The same route without the lock first: on a shared machine this is the noise floor.
  const baseline = await autocannon({
    url: `${url}/health`,
    connections: CONNECTIONS,
    duration: Math.min(SECONDS, BASELINE_SECONDS),
  });
  const holder = await holdLock(file);
  let writing = true;
  const statuses = new Map<number, number>();
  const writer = (async () => {
    while (writing) {
      const reply = await fetch(`${url}/write`, { headers: { cookie } });
      await reply.text();
      statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
    }
  })();
  const cpuBefore = await cpu();
  const result = await autocannon({ url: `${url}/health`, connections: CONNECTIONS, duration: SECONDS });
  const cpuAfter = await cpu();
  writing = false;
  await writer;
  holder.kill('SIGKILL');
  app.send('stop');
  rmSync(dir, { recursive: true, force: true });

  const health = result.requests.total;
  const writes = [...statuses.values()].reduce((a, b) => a + b, 0);
  const cpuPerRequest = (cpuAfter - cpuBefore) / Math.max(1, health + writes);
  const pass = result.latency.p99 < 20 && result.errors === 0 && result.non2xx === 0;
  const line = `/health while the lock is held: p50 ${fmt(result.latency.p50, 1)} ms, p99 ${fmt(result.latency.p99, 1)} ms, max ${fmt(result.latency.max, 1)} ms, ${fmt(result.requests.average)} req/s, ${result.errors + result.non2xx} errors; session writes meanwhile: ${[...statuses].map(([status, n]) => `${n} × ${status}`).join(', ')}; app CPU ${fmt(cpuPerRequest, 1)} µs/request`;
  console.log(line);
  console.log(
    `/health without the lock (baseline, same machine): p50 ${fmt(baseline.latency.p50, 1)} ms, p99 ${fmt(baseline.latency.p99, 1)} ms`,
  );
  console.log(pass ? 'PASS: p99 < 20 ms' : 'FAIL: p99 >= 20 ms (or errors)');
  writeSection(
    'SQLite lock held by another process',
    `\`npx tsx bench/sqlite-lock.ts\` (S3): a second process holds \`BEGIN IMMEDIATE\` on the database for the whole ${SECONDS} s run while one client keeps writing sessions (each write retries asynchronously for SESSION_STORE_TIMEOUT_MS = ${STORE_TIMEOUT_MS} ms, then answers 503); autocannon (${CONNECTIONS} connections) measures \`/health\`, which never touches the session. Bar: p99 < 20 ms.

| /health | p50 | p99 | max | req/s | errors | session writes | app CPU µs/request | bar |
|---|---:|---:|---:|---:|---:|---|---:|---|
| without the lock (${Math.min(SECONDS, BASELINE_SECONDS)} s baseline) | ${fmt(baseline.latency.p50, 1)} ms | ${fmt(baseline.latency.p99, 1)} ms | ${fmt(baseline.latency.max, 1)} ms | ${fmt(baseline.requests.average)} | ${baseline.errors + baseline.non2xx} | — | — | |
| lock held (${SECONDS} s) | ${fmt(result.latency.p50, 1)} ms | ${fmt(result.latency.p99, 1)} ms | ${fmt(result.latency.max, 1)} ms | ${fmt(result.requests.average)} | ${result.errors + result.non2xx} | ${[...statuses].map(([status, n]) => `${n} × ${status}`).join(', ')} | ${fmt(cpuPerRequest, 1)} | ${pass ? 'pass' : 'FAIL'} |

Before the fix (busy_timeout = 5000 on the synchronous driver) each waiting write blocked the event loop for 5 s, so \`/health\` took up to 4,979 ms. ${machineLine()}; load average ${fmt(loadavg()[0] ?? 0, 1)} at the end (a shared machine).`,
  );
  process.exit(pass ? 0 : 1);
}

/** A second process holding the write lock until killed. */
function holdLock(file: string): Promise<ChildProcess> {
  const betterSqlite = createRequire(import.meta.url).resolve('better-sqlite3');
  const script = `const D = require(${JSON.stringify(betterSqlite)}); const db = new D(${JSON.stringify(file)}); db.exec('BEGIN IMMEDIATE'); process.stdout.write('locked\\n'); setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout?.once('data', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`lock holder exited (${code})`)));
  });
}

/**
 * The agent's own CPU per request, without HTTP or a load generator in the measurement: requests
 * are driven straight through the middleware core (begin → get → set → finish, SQLite db engine,
 * 10 in flight like bench/agent.ts's 10 connections) in this process, and this process's CPU time is
 * read around each cell. The streaming client runs in a child process, as the browser does. Modes,
 * interleaved per round: no client; one client following another session (summaries); one client
 * watching everything; five of each. A shared machine inflates every figure alike; compare within a
 * run. `npx tsx bench/agent-cost.ts` (BENCH_ROUNDS, BENCH_REQUESTS, BENCH_MODES).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { attachAgent } from '../server-agent/agent/agent.js';
import { SUBPROTOCOL, TOKEN_PROTOCOL_PREFIX } from '../server-agent/agent/protocol.js';
import { createSessions } from '../server-agent/create.js';
import { createMiddlewareCore } from '../server-agent/http/middleware.js';
import { setLogSink } from '../server-agent/sessions/log.js';
import { listenOn } from './lib/measure.js';
import { machineLine, writeSection } from './lib/report.js';

setLogSink(() => {});
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 5000);
const IN_FLIGHT = 10;
type Mode = 'none' | 'summary' | 'full' | 'summary5' | 'full5';
const MODES: Mode[] = (process.env.BENCH_MODES?.split(',') as Mode[] | undefined) ?? [
  'none',
  'summary',
  'full',
  'summary5',
  'full5',
];

const CLIENT = `
const WebSocket = require('ws');
const [url, token, watch] = process.argv.slice(1);
const ws = new WebSocket(url, ['${SUBPROTOCOL}', '${TOKEN_PROTOCOL_PREFIX}' + token]);
ws.on('open', () => {
  ws.send(JSON.stringify({ v: 1, type: 'hello', client: 'cli', clientVersion: 'bench', protocol: { min: 2, max: 2 } }));
  ws.send(JSON.stringify({ v: 1, type: 'subscribe', watch: JSON.parse(watch) }));
});
ws.on('message', (data) => {
  const m = JSON.parse(String(data));
  if (m.type === 'snapshot') process.stdout.write('ready\\n');
});
`;

const dir = mkdtempSync(join(tmpdir(), 'sessionscope-bench-cost-'));
const sessions = createSessions({
  SECRET_KEY: 'bench-secret-key-0123456789abcdefghijklmnop',
  SESSION_ENGINE: 'db',
  DATABASE_URL: join(dir, 's.sqlite3'),
});
const server = createServer((_req, res) => res.end());
await listenOn(server);
const agent = attachAgent(server, sessions, { announce: false, limits: { maxClients: 5 } });
const core = createMiddlewareCore(sessions);

// One session per in-flight "connection", as bench/agent.ts (a shared one would make every save a
// lost-update race, which the agent's conflict detection then spends its time on).
async function newSession(): Promise<string | undefined> {
  const first = core.begin({ method: 'GET', url: '/', cookieHeader: undefined });
  await first.session.set('count', 0);
  const created = await core.finish(first, { status: 200, vary: undefined });
  return created.setCookie[0]?.split(';', 1)[0];
}
const cookies = await Promise.all(Array.from({ length: IN_FLIGHT }, newSession));

async function request(cookieHeader: string | undefined): Promise<void> {
  const state = core.begin({ method: 'GET', url: '/', cookieHeader });
  const count = ((await state.session.get('count')) as number | undefined) ?? 0;
  await state.session.set('count', count + 1);
  await core.finish(state, { status: 200, vary: undefined });
}

async function load(n: number): Promise<void> {
  let next = 0;
  await Promise.all(
    cookies.map(async (cookie) => {
      while (next++ < n) await request(cookie);
    }),
  );
  await new Promise((resolve) => setImmediate(resolve));
}

async function clients(mode: Mode): Promise<ChildProcess[]> {
  const count = mode === 'none' ? 0 : mode.endsWith('5') ? 5 : 1;
  const watch = mode.startsWith('full')
    ? { all: true, sessions: [] }
    : { all: false, sessions: ['elsewhere'] };
  return Promise.all(
    Array.from({ length: count }, async () => {
      const child = spawn(process.execPath, ['-e', CLIENT, agent.wsUrl, agent.token, JSON.stringify(watch)], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      await new Promise<void>((resolve) =>
        child.stdout?.on('data', (c: Buffer) => String(c).includes('ready') && resolve()),
      );
      return child;
    }),
  );
}

const cpu: Record<Mode, number[]> = { none: [], summary: [], full: [], summary5: [], full5: [] };
for (let round = 0; round < ROUNDS; round++) {
  for (const mode of [...MODES.slice(round % MODES.length), ...MODES.slice(0, round % MODES.length)]) {
    const children = await clients(mode);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await load(500);
    const before = process.cpuUsage();
    await load(REQUESTS);
    const used = process.cpuUsage(before);
    cpu[mode].push((used.user + used.system) / REQUESTS);
    for (const child of children) child.kill();
    await new Promise((resolve) => setTimeout(resolve, 100));
    process.stderr.write(`round ${round + 1} ${mode}: ${cpu[mode].at(-1)!.toFixed(1)} µs CPU/request\n`);
  }
}
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? 0;
const base = median(cpu.none);
const rows = MODES.map((mode) => {
  const m = median(cpu[mode]);
  const extra = m - base;
  const label = {
    none: 'agent attached, no client',
    summary: 'one client, summaries (following another session)',
    full: 'one client, everything',
    summary5: 'five clients, summaries',
    full5: 'five clients, everything',
  }[mode];
  return `| ${label} | ${m.toFixed(1)} | ${mode === 'none' ? '—' : `+${extra.toFixed(1)} (${((100 * extra) / base).toFixed(1)} %)`} | ${cpu[mode].map((v) => v.toFixed(1)).join(' / ')} |`;
});
const body = `Command: \`npx tsx bench/agent-cost.ts\`, ${ROUNDS} rounds × ${REQUESTS} requests per mode (medians), interleaved.
Machine: ${machineLine()}. Run: ${new Date().toISOString()}, load average ${loadavg()[0]?.toFixed(1)} (a shared machine: every figure is inflated alike; compare within the run).

The agent's own CPU per request with no HTTP and no load generator in the way: requests go straight through the
middleware core (begin, get, set, finish; SQLite db engine; 10 in flight, one session each) in this process,
and this process's CPU time (\`process.cpuUsage()\`) is divided by the requests. Streaming clients are \`ws\`
clients in child processes. "Summaries": the client follows another session, so each request reaches it as one
\`request.summary\` and its events are never turned into wire events. What remains in that row: the core
building its events at all (\`events.active\`), the compare-and-swap save the lost-update detection uses while
someone listens, the router's per-event bookkeeping, and one ~250-byte summary per request serialized and sent.

| Mode | CPU µs/request | agent's µs (% of the request) | per round |
|---|---:|---:|---|
${rows.join('\n')}
`;
writeSection('Agent cost (in-process)', body);
process.stdout.write(`${body}\n`);
await agent.close();
server.close();
await sessions.close();
rmSync(dir, { recursive: true, force: true });

/**
 * The agent's own CPU per request, without HTTP or a load generator in the measurement: requests
 * are driven straight through the middleware core (begin → get → set → finish, SQLite db engine,
 * 10 in flight, one session each, like bench/agent.ts's 10 connections) in this process, and this
 * process's CPU time is read around each block. The streaming clients run in child processes (as
 * the browser does) and stay connected; between blocks they change what they watch, and for the
 * "no client" blocks the hub stops listening, exactly as it does when the last client leaves. Blocks
 * of every mode are interleaved many times, so drift on a shared machine hits every mode alike.
 * `npx tsx bench/agent-cost.ts` (BENCH_ROUNDS, BENCH_REQUESTS per block, BENCH_CLIENTS, BENCH_MODES).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SUBPROTOCOL, TOKEN_PROTOCOL_PREFIX } from '../server-agent/agent/protocol.js';
import { attachAgent, createMiddlewareCore, createSessions, setLogSink } from './lib/library.js';
import { listenOn } from './lib/measure.js';
import { machineLine, writeSection } from './lib/report.js';

setLogSink(() => {});
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2000);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 1);
const IN_FLIGHT = 10;
type Mode = 'none' | 'bare' | 'summary' | 'watched' | 'full';
const MODES: Mode[] = (process.env.BENCH_MODES?.split(',') as Mode[] | undefined) ?? [
  'none',
  'bare',
  'summary',
  'watched',
  'full',
];
const LABELS: Record<Mode, string> = {
  none: 'agent attached, no client',
  bare: 'a listener that does nothing (what emitting the events costs the session code)',
  summary: 'following another session (summaries up to limits.summariesPerSecond, the rest counted)',
  watched: 'following one of the ten sessions (the panel case)',
  full: 'timeline open (everything whole)',
};

/** A streaming client: subscribes, then replaces its watch with each JSON line read on stdin. */
const CLIENT = `
const WebSocket = require('ws');
const [url, token] = process.argv.slice(1);
const ws = new WebSocket(url, ['${SUBPROTOCOL}', '${TOKEN_PROTOCOL_PREFIX}' + token]);
ws.on('open', () => {
  ws.send(JSON.stringify({ v: 1, type: 'hello', client: 'cli', clientVersion: 'bench', protocol: { min: 2, max: 2 } }));
  ws.send(JSON.stringify({ v: 1, type: 'subscribe', watch: { all: false, sessions: [] } }));
});
ws.on('message', (data) => {
  const m = JSON.parse(String(data));
  if (m.type === 'snapshot') process.stdout.write('ready\\n');
});
let buffered = '';
process.stdin.on('data', (chunk) => {
  buffered += chunk;
  let nl;
  while ((nl = buffered.indexOf('\\n')) >= 0) {
    const watch = JSON.parse(buffered.slice(0, nl));
    buffered = buffered.slice(nl + 1);
    ws.send(JSON.stringify({ v: 1, type: 'watch', watch }));
    setTimeout(() => process.stdout.write('watching\\n'), 50);
  }
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
const agent = attachAgent(server, sessions, {
  announce: false,
  limits: { maxClients: Math.max(4, CLIENTS) },
});
const core = createMiddlewareCore(sessions);

// One session per in-flight "connection", as bench/agent.ts (a shared one would make every save a
// lost-update race, which the agent's conflict detection then spends its time on).
async function newSession(): Promise<string> {
  const first = core.begin({ method: 'GET', url: '/', cookieHeader: undefined });
  await first.session.set('count', 0);
  const created = await core.finish(first, { status: 200, vary: undefined });
  return created.setCookie[0]?.split(';', 1)[0] ?? '';
}
const cookies = await Promise.all(Array.from({ length: IN_FLIGHT }, newSession));
const followed = sessions.handles.handleFor(cookies[0]?.split('=')[1] ?? '');

async function request(cookieHeader: string): Promise<void> {
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

function line(child: ChildProcess, word: string): Promise<void> {
  return new Promise((resolve) => {
    const onData = (chunk: Buffer) => {
      if (!String(chunk).includes(word)) return;
      child.stdout?.off('data', onData);
      resolve();
    };
    child.stdout?.on('data', onData);
  });
}

const children = await Promise.all(
  Array.from({ length: CLIENTS }, async () => {
    const child = spawn(process.execPath, ['-e', CLIENT, agent.wsUrl, agent.token], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    await line(child, 'ready');
    return child;
  }),
);

// The hub's own switch: with no client it does not listen to session events at all.
const hub = agent.hub as unknown as { stopListening: (() => void) | null; updateListening(): void };
let bare: (() => void) | null = null;
async function enter(mode: Mode): Promise<void> {
  bare?.();
  bare = null;
  if (mode === 'none' || mode === 'bare') {
    hub.stopListening?.();
    hub.stopListening = null;
    // The floor for any agent: the session code builds and dispatches every event, nobody reads them.
    if (mode === 'bare')
      bare = sessions.events.onAny(
        () => {},
        () => false,
      );
    return;
  }
  hub.updateListening();
  const watch =
    mode === 'full'
      ? { all: true, sessions: [] }
      : { all: false, sessions: [mode === 'watched' ? followed : 'elsewhere'] };
  await Promise.all(
    children.map((child) => {
      const watching = line(child, 'watching');
      child.stdin?.write(`${JSON.stringify(watch)}\n`);
      return watching;
    }),
  );
}

const cpu: Record<Mode, number[]> = { none: [], bare: [], summary: [], watched: [], full: [] };
for (let round = 0; round < ROUNDS; round++) {
  for (const mode of [...MODES.slice(round % MODES.length), ...MODES.slice(0, round % MODES.length)]) {
    await enter(mode);
    await load(200);
    const before = process.cpuUsage();
    await load(REQUESTS);
    const used = process.cpuUsage(before);
    cpu[mode].push((used.user + used.system) / REQUESTS);
  }
  process.stderr.write(
    `round ${round + 1}: ${MODES.map((m) => `${m} ${cpu[m].at(-1)?.toFixed(1)}`).join(', ')} µs CPU/request\n`,
  );
}
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? 0;
/** The 10th percentile: interference from other work on the machine only ever adds CPU time. */
const low = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 10)] ?? 0;
const lowBase = low(cpu.none);
const lowLine = MODES.map(
  (m) => `${m} ${low(cpu[m]).toFixed(1)} (${(100 * (low(cpu[m]) / lowBase - 1)).toFixed(1)} %)`,
).join(', ');
process.stderr.write(`p10: ${lowLine}\n`);
const base = median(cpu.none);
const rows = MODES.map((mode) => {
  const m = median(cpu[mode]);
  const extra = m - base;
  return `| ${LABELS[mode]} | ${m.toFixed(1)} | ${mode === 'none' ? '—' : `${extra >= 0 ? '+' : ''}${extra.toFixed(1)} (${((100 * extra) / base).toFixed(1)} %)`} | ${(base / m).toFixed(3)}× |`;
});
const body = `Command: \`${CLIENTS === 1 ? '' : `BENCH_CLIENTS=${CLIENTS} `}npx tsx bench/agent-cost.ts\`, ${ROUNDS} rounds × ${REQUESTS} requests per mode and round (medians), blocks interleaved.
Machine: ${machineLine()}. Run: ${new Date().toISOString()}, load average ${loadavg()[0]?.toFixed(1)} at the end (a shared machine: every figure is inflated alike; compare within the run).

The agent's own CPU per request with no HTTP and no load generator in the way: requests go straight through the
middleware core (begin, get, set, finish; SQLite db engine; 10 in flight, one session each) in this process,
and this process's CPU time (\`process.cpuUsage()\`) over each block is divided by its requests. ${CLIENTS === 1 ? 'One streaming client' : `${CLIENTS} streaming clients`} (\`ws\`, a child
process each, parsing every frame) stay${CLIENTS === 1 ? 's' : ''} connected and change what they watch between blocks; in the "no client"
blocks the hub stops listening to session events, as it does when the last client leaves.

| Mode | CPU µs/request | agent's µs (% of the request) | × no client |
|---|---:|---:|---:|
${rows.join('\n')}

10th percentile of the blocks (µs/request, and above no client; other work on the machine only ever adds CPU time): ${lowLine}.
`;
if (process.env.BENCH_WRITE !== '0')
  writeSection(
    CLIENTS === 1 ? 'Agent cost (in-process)' : `Agent cost (in-process, ${CLIENTS} clients)`,
    body,
  );
process.stdout.write(`${body}\n`);
for (const child of children) child.kill();
await agent.close();
server.close();
await sessions.close();
rmSync(dir, { recursive: true, force: true });

/**
 * The cost of one "All sessions" search command (listSessions with a query that matches nothing,
 * so the whole per-call scan limit is read), in this process's CPU time, per store, beside a plain
 * page of 50 (the same command without a query) as the peer. Also the longest single event-loop
 * block during a search (the agent yields between the store's 200-record pages).
 * `npx tsx bench/search.ts` (BENCH_SESSIONS, default 6000; BENCH_ROUNDS, default 10).
 */
import { loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { CommandContext } from '../server-agent/agent/command-context.js';
import { DEFAULT_LIMITS } from '../server-agent/agent/hub.js';
import { listSessions, MAX_SCANNED } from '../server-agent/agent/list.js';
import { DEFAULT_PREVIEW_LIMITS } from '../server-agent/agent/preview.js';
import type { CommandMessage } from '../server-agent/agent/protocol.js';
import { createRedactor } from '../server-agent/agent/redact.js';
import { createSessions } from '../server-agent/create.js';
import { setLogSink } from '../server-agent/sessions/log.js';
import { fmt, machineLine, ratio, writeSection } from './lib/report.js';

setLogSink(() => {});
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 6000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
type ListCommand = Extract<CommandMessage, { op: 'listSessions' }>;
const command = (query?: string): ListCommand => ({
  v: 1,
  type: 'command',
  id: 1,
  op: 'listSessions',
  limit: 50,
  ...(query ? { query } : {}),
});

async function cpuMsPerCall(
  ctx: CommandContext,
  body: ListCommand,
): Promise<{ ms: number; scanned: number }> {
  let scanned = 0;
  const start = process.cpuUsage();
  for (let round = 0; round < ROUNDS; round++) scanned = (await listSessions(ctx, body)).scanned;
  const used = process.cpuUsage(start);
  return { ms: (used.user + used.system) / 1000 / ROUNDS, scanned };
}

const rows: string[] = [];
const load = loadavg()[0]!.toFixed(1);
for (const [name, settings] of [
  ['memory cache', { SESSION_ENGINE: 'cache' }],
  ['SQLite (file in memory)', { SESSION_ENGINE: 'db', DATABASE_URL: ':memory:' }],
] as const) {
  const sessions = createSessions({
    SECRET_KEY: 'bench-search-secret-key-that-is-long-enough-0123',
    ...settings,
  });
  for (let i = 0; i < SESSIONS; i++) {
    const session = sessions.open();
    await session.update({
      user: `user${i}`,
      cart: { items: [{ sku: `sku-${i}`, qty: i % 5 }], note: 'gift' },
      password: 'p',
    });
    await session.save();
  }
  const ctx: CommandContext = {
    sessions,
    redact: createRedactor(undefined),
    limits: DEFAULT_LIMITS,
    previewLimits: DEFAULT_PREVIEW_LIMITS,
    readOnly: false,
    audit: {
      notice() {},
      warn() {},
      info() {},
      debug() {},
      error() {},
    } as unknown as CommandContext['audit'],
  };
  const page = await cpuMsPerCall(ctx, command());
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const search = await cpuMsPerCall(ctx, command('no-such-text'));
  delay.disable();
  rows.push(
    `| ${name} | ${fmt(page.ms, 1)} | ${fmt(search.ms, 1)} (${fmt(search.scanned)} records) | ${fmt((search.ms * 1000) / search.scanned, 1)} | ${ratio(search.ms, page.ms)} | ${fmt(delay.max / 1e6, 1)} |`,
  );
  await sessions.close();
}

const body = `
\`npx tsx bench/search.ts\` (${fmt(SESSIONS)} sessions per store, ${ROUNDS} calls each; ${machineLine()}; load average ${load} at the start).
One search call reads at most ${fmt(MAX_SCANNED)} records (\`MAX_SCANNED\`, and 16 MiB), then answers with a cursor.
CPU is this process's (user + system) per call, so a busy machine changes it less than wall time.

| store | page of 50, no query (ms CPU) | search, no match (ms CPU) | µs CPU per record searched | search ÷ page | longest event-loop block during searches (ms) |
| --- | --- | --- | --- | --- | --- |
${rows.join('\n')}
`;
process.stdout.write(body);
if (process.env.BENCH_WRITE) writeSection('Search (All sessions)', body);

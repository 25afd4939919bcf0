/**
 * Issues 6 and 13's suite: scenarios × engines × peers on Express 5, Koa 3 and Fastify 5, each
 * sessionscope cell paired with the peers users pick on the same framework and store, and with the
 * raw-driver floors, measured in the same run, every server in its own process (CPU µs/request).
 * `npx tsx bench/suite.ts` (part of `npm run bench`); BENCH_SECONDS, BENCH_ROUNDS, BENCH_ONLY.
 */
import { loadavg } from 'node:os';
import type { BenchApp } from './lib/apps.js';
import { childApp } from './lib/child.js';
import { LIBRARY_BUILD } from './lib/library.js';
import { CONNECTIONS, SECONDS } from './lib/measure.js';
import { fmt, machineLine, ratio, writeSection } from './lib/report.js';
import { ROUNDS, runPair } from './lib/pair.js';
import { type Result, SCENARIOS, type Scenario } from './lib/run.js';

const scenarios = Object.keys(SCENARIOS) as Scenario[];
/** BENCH_ONLY=<regex> keeps the pairs whose ids match (investigating one cell). */
const ONLY = process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY, 'i') : null;

/** [sessionscope app, peer or floor] by registry id; every app runs in its own process. */
const PAIRS: [string, string][] = [
  ['sessionscope/Express/memory', 'express-session/memory'],
  ['sessionscope/Express/sqlite', 'express-session/sqlite'],
  ['sessionscope/Express/sqlite', 'express-session/connect-sqlite3'],
  ['sessionscope/Express/sqlite', 'floor/sqlite'],
  ['sessionscope/Express/redis', 'express-session/redis'],
  ['sessionscope/Express/redis', 'floor/redis'],
  ['sessionscope/Express/postgres', 'express-session/postgres'],
  ['sessionscope/Express/file', 'express-session/file'],
  ['sessionscope/Express/signed_cookies', 'cookie-session'],
  ['sessionscope/Koa/signed_cookies', 'koa-session/signed_cookies'],
  ['sessionscope/Koa/memory', 'koa-session/memory'],
  ['sessionscope/Fastify/memory', '@fastify/session/memory'],
];
const pairs: [BenchApp, BenchApp][] = PAIRS.filter(([a, b]) => !ONLY || ONLY.test(`${a} ${b}`)).map(
  ([a, b]) => [childApp(a), childApp(b)],
);
const isFloor = (app: BenchApp) => app.library.startsWith('floor');

const started = Date.now();
const loadBefore = loadavg()[0] ?? 0;
const measured: ([Result[], Result[]] | string)[] = [];
for (const [ours, peer] of pairs) {
  try {
    measured.push(await runPair(ours, peer, scenarios));
  } catch (error) {
    measured.push(`unavailable: ${(error as Error).message}`);
    process.stderr.write(`${ours.framework} ${ours.store}: ${(error as Error).message}\n`);
  }
}
const loadAfter = loadavg()[0] ?? 0;

const rows: string[] = [];
const chart: string[] = [];
const misses: string[] = [];
const floors: string[] = [];
const rss: string[] = [];
const untouched: string[] = [];
pairs.forEach(([ours, peer], index) => {
  const outcome = measured[index];
  const peerLabel = `${peer.library} (${peer.store})`;
  if (typeof outcome === 'string' || !outcome) {
    rows.push(
      `| ${ours.framework} | ${ours.store} | all | ${outcome ?? 'not run'} | | | | ${peerLabel} | | | | | | |`,
    );
    return;
  }
  const [a, b] = outcome;
  for (const scenario of scenarios) {
    const x = a.find((r) => r.scenario === scenario) as Result;
    const y = b.find((r) => r.scenario === scenario) as Result;
    const r = x.rps / y.rps;
    rows.push(
      `| ${ours.framework} | ${ours.store} | ${SCENARIOS[scenario].label} | ${fmt(x.rps)} | ${x.p50}/${x.p99} | ${fmt(x.cpuUs)} | ${x.opsPerRequest.toFixed(2)} | ${peerLabel} | ${fmt(y.rps)} | ${y.p50}/${y.p99} | ${fmt(y.cpuUs)} | ${y.opsPerRequest.toFixed(2)} | **${ratio(x.rps, y.rps)}** | ${ratio(y.cpuUs, x.cpuUs)} |`,
    );
    chart.push(
      `${`${ours.framework} ${ours.store} ${scenario}`.padEnd(36)} ${'█'.repeat(Math.max(1, Math.round(r * 10)))} ${r.toFixed(2)}×`,
    );
    if (isFloor(peer)) {
      if (['read', 'write', 'new'].includes(scenario))
        floors.push(
          `${ours.framework} ${ours.store} ${scenario}: ${ratio(x.rps, y.rps)} req/s, CPU ${fmt(x.cpuUs)} µs vs ${fmt(y.cpuUs)} µs (${ratio(y.cpuUs, x.cpuUs)})`,
        );
    } else if (r < 1)
      misses.push(`${ours.framework}/${ours.store}/${scenario} vs ${peer.library} (${r.toFixed(2)}×)`);
    if (scenario === 'untouched' && ours.framework === 'Express' && peer.store === ours.store)
      untouched.push(`${ours.store} ${ratio(x.rps, y.rps)}`);
  }
  rss.push(
    `${ours.framework} ${ours.store}: sessionscope ${fmt(Math.max(...a.map((r) => r.rssMiB)))} MiB, ${peer.library} ${fmt(Math.max(...b.map((r) => r.rssMiB)))} MiB`,
  );
});

writeSection(
  'Peers',
  `Command: \`npm run bench\` (this section: \`npx tsx bench/suite.ts\`). Each pair (sessionscope and its peer, or a floor)
runs side by side: a 1 s warm-up each, then per scenario ${ROUNDS} rounds of ${SECONDS} s per library, alternating A B / B A,
best round kept; ${CONNECTIONS} connections. Every server runs in its own process (bench/lib/child.ts) and autocannon in this
one, so "CPU µs/req" is the serving process's own user + system time per request: the figure that survives a
noisy machine. Whole run: ${Math.round((Date.now() - started) / 1000)} s. Machine: ${machineLine()}, shared with other
engineers' work: load average ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after (2 cores), so absolute req/s move
between runs; the interleaving keeps each ratio's two sides under the same load. Run: ${new Date().toISOString()}.
sessionscope measured: ${LIBRARY_BUILD} (the suite's \`npm run bench\` builds it first; BENCH_FROM_SOURCE=1 runs the TypeScript
through tsx, whose esbuild keepNames adds a \`__name()\` call per closure created, a cost the package does not have).

Scenarios: *no session* (route ignores the session, no cookie), *cookie present, untouched*, *read-only*,
*write every request* (counter + 1), *new session every request* (a write without a cookie). Latency p50/p99
in ms; "ops/req" = store calls per request (sessionscope: load/exists/save/delete; express-session and
@fastify/session: get/set/touch/destroy; koa-session: its store's get/set/destroy, 0 with its cookie store;
floors: their driver calls). "ratio" = sessionscope req/s ÷ peer req/s; "CPU ratio" = peer CPU µs ÷
sessionscope CPU µs (above 1× = sessionscope spends less CPU per request). Peers: express-session with
MemoryStore, better-sqlite3-session-store, connect-sqlite3, connect-redis, connect-pg-simple and
session-file-store; cookie-session (Express signed cookies); koa-session in cookie mode and with an
external store; @fastify/session. Floors (bench/lib/floors.ts): the same driver commands as the engine
(GET / GET+SET EX XX / SET EX NX on ioredis; SELECT / SELECT+UPDATE / INSERT on better-sqlite3) with an
unsigned cookie holding the raw key and plain JSON, no library at all.

| Framework | Store | Scenario | sessionscope req/s | p50/p99 | CPU µs/req | ops/req | Peer | peer req/s | p50/p99 | CPU µs/req | ops/req | ratio | CPU ratio |
|---|---|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|
${rows.join('\n')}

Ratio chart (req/s; each █ = 0.1×; 10 blocks = parity; floors included):

\`\`\`
${chart.join('\n')}
\`\`\`

RSS of each serving process at its best round: ${rss.join('; ')}.

Near the floor (issue 13 item 3; goals: Redis ≥ 0.85×, SQLite ≥ 0.8× on read, write, new): ${floors.length ? floors.join('; ') : 'not run'}.

Goals (issue 6): "cookie present but untouched" against express-session on the same store: ${untouched.join(', ')} (goal ≥ 2×).
Cells where sessionscope is slower than a peer (floors excluded): ${misses.length ? misses.join(', ') : 'none'}.`,
);
process.stderr.write('docs/benchmarks.md: Peers section written\n');
// Peer stores (better-sqlite3-session-store, pg pools) leave interval timers behind.
process.exit(0);

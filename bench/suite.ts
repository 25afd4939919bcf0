/**
 * Issue 6's suite: scenarios × engines × peers on Express 5, Koa 3 and Fastify 5, each sessionscope
 * cell paired with the peer on the same framework and store, measured in the same run.
 * `npx tsx bench/suite.ts` (part of `npm run bench`); BENCH_SECONDS sets the seconds per cell.
 */
import { loadavg } from 'node:os';
import {
  type BenchApp,
  expressSessionApp,
  fastifySessionApp,
  koaSessionApp,
  sessionscopeExpress,
  sessionscopeFastify,
  sessionscopeKoa,
} from './lib/apps.js';
import { CONNECTIONS, SECONDS } from './lib/measure.js';
import { fmt, machineLine, ratio, writeSection } from './lib/report.js';
import { ROUNDS, runPair } from './lib/pair.js';
import { type Result, SCENARIOS, type Scenario } from './lib/run.js';

const scenarios = Object.keys(SCENARIOS) as Scenario[];
const ENGINES = ['memory', 'sqlite', 'redis', 'postgres', 'file', 'signed_cookies'];

/** [sessionscope app, its peer]; engines without a peer store meet express-session's MemoryStore. */
const pairs: [BenchApp, BenchApp][] = [
  ...ENGINES.map((engine): [BenchApp, BenchApp] => {
    const peerStore = ['memory', 'sqlite', 'redis', 'postgres'].includes(engine) ? engine : 'memory';
    return [sessionscopeExpress(engine), expressSessionApp(peerStore, 'express-session')];
  }),
  [sessionscopeKoa('signed_cookies'), koaSessionApp('signed_cookies')],
  [sessionscopeKoa('memory'), koaSessionApp('memory')],
  [sessionscopeFastify('memory'), fastifySessionApp()],
];

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
const rss: string[] = [];
const untouched: string[] = [];
pairs.forEach(([ours, peer], index) => {
  const outcome = measured[index];
  const peerLabel = `${peer.library} (${peer.store})`;
  if (typeof outcome === 'string' || !outcome) {
    rows.push(
      `| ${ours.framework} | ${ours.store} | all | ${outcome ?? 'not run'} | | | ${peerLabel} | | | | |`,
    );
    return;
  }
  const [a, b] = outcome;
  for (const scenario of scenarios) {
    const x = a.find((r) => r.scenario === scenario) as Result;
    const y = b.find((r) => r.scenario === scenario) as Result;
    const r = x.rps / y.rps;
    rows.push(
      `| ${ours.framework} | ${ours.store} | ${SCENARIOS[scenario].label} | ${fmt(x.rps)} | ${x.p50}/${x.p99} | ${x.opsPerRequest.toFixed(2)} | ${peerLabel} | ${fmt(y.rps)} | ${y.p50}/${y.p99} | ${y.opsPerRequest.toFixed(2)} | **${ratio(x.rps, y.rps)}** |`,
    );
    chart.push(
      `${`${ours.framework} ${ours.store} ${scenario}`.padEnd(36)} ${'█'.repeat(Math.max(1, Math.round(r * 10)))} ${r.toFixed(2)}×`,
    );
    if (r < 1) misses.push(`${ours.framework}/${ours.store}/${scenario} (${r.toFixed(2)}×)`);
    if (scenario === 'untouched' && ours.framework === 'Express' && peer.store === ours.store)
      untouched.push(`${ours.store} ${ratio(x.rps, y.rps)}`);
  }
  rss.push(
    `${ours.framework} ${ours.store}: sessionscope ${fmt(Math.max(...a.map((r) => r.rssMiB)))} MiB, ${peer.library} ${fmt(Math.max(...b.map((r) => r.rssMiB)))} MiB`,
  );
});

writeSection(
  'Peers',
  `Command: \`npm run bench\` (this section: \`npx tsx bench/suite.ts\`). Each pair (sessionscope and its peer) runs side by side:
a 1 s warm-up each, then per scenario ${ROUNDS} rounds of ${SECONDS} s per library, alternating A B / B A, best round kept;
${CONNECTIONS} connections, autocannon in the same process as the servers. Whole run: ${Math.round((Date.now() - started) / 1000)} s.
Machine: ${machineLine()}, shared with other engineers' work: load average ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after
(2 cores), so absolute req/s move between runs; the interleaving keeps each ratio's two sides under the same load. Run: ${new Date().toISOString()}.

Scenarios: *no session* (route ignores the session, no cookie), *cookie present, untouched*, *read-only*,
*write every request* (counter + 1), *new session every request* (a write without a cookie). Latency p50/p99
in ms; "ops/req" = store calls per request (sessionscope: load/exists/save/delete; express-session and
@fastify/session: get/set/touch/destroy; koa-session: its store's get/set/destroy, 0 with its cookie store).
Ratio = sessionscope req/s ÷ peer req/s, same scenario, same run. sessionscope's file and signed_cookies
engines have no express-session peer store, so they are compared with express-session's MemoryStore.

| Framework | Store | Scenario | sessionscope req/s | p50/p99 | ops/req | Peer | peer req/s | p50/p99 | ops/req | ratio |
|---|---|---|---:|---:|---:|---|---:|---:|---:|---:|
${rows.join('\n')}

Ratio chart (each █ = 0.1×; 10 blocks = parity):

\`\`\`
${chart.join('\n')}
\`\`\`

RSS of the benchmark process (servers + load generator) at each library's best round: ${rss.join('; ')}.

Why the slower cells are slower (structural, not noise): *new session* costs sessionscope two store calls
(Django's \`create()\` checks \`exists()\` before its insert-only save; peers write blindly, which is also how
they can overwrite a live session); the *file* engine writes and renames one file per save; *signed_cookies*
writes pay for Django's salted HMAC-SHA256 and Python-compatible JSON (koa-session signs base64 JSON with SHA1).

Goals (issue 6): "cookie present but untouched" against express-session on the same store: ${untouched.join(', ')} (goal ≥ 2×).
Cells where sessionscope is slower than its peer: ${misses.length ? misses.join(', ') : 'none'}.`,
);
process.stderr.write('docs/benchmarks.md: Peers section written\n');
// Peer stores (better-sqlite3-session-store, pg pools) leave interval timers behind.
process.exit(0);

/**
 * Issue 6's suite: scenarios × engines × peers on Express 5, Koa 3 and Fastify 5, each sessionscope
 * cell paired with the peer on the same framework and store, measured in the same run.
 * `npx tsx bench/suite.ts` (part of `npm run bench`); BENCH_SECONDS sets the seconds per cell.
 */
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
import { type Result, runApp, SCENARIOS, type Scenario } from './lib/run.js';

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

const results = new Map<BenchApp, Result[] | string>();
const started = Date.now();
for (const app of new Set(pairs.flat())) {
  if (
    [...results.keys()].some(
      (done) => done.framework === app.framework && done.library === app.library && done.store === app.store,
    )
  )
    continue;
  try {
    results.set(app, await runApp(app, scenarios));
  } catch (error) {
    results.set(app, `unavailable: ${(error as Error).message}`);
    process.stderr.write(`${app.framework} ${app.library} ${app.store}: ${(error as Error).message}\n`);
  }
}

const resultsOf = (app: BenchApp): Result[] | string => {
  for (const [done, value] of results)
    if (done.framework === app.framework && done.library === app.library && done.store === app.store)
      return value;
  return 'not run';
};

const rows: string[] = [];
const chart: string[] = [];
const misses: string[] = [];
for (const [ours, peer] of pairs) {
  const a = resultsOf(ours);
  const b = resultsOf(peer);
  const peerLabel = `${peer.library} (${peer.store})`;
  if (typeof a === 'string' || typeof b === 'string') {
    rows.push(
      `| ${ours.framework} | ${ours.store} | all | ${typeof a === 'string' ? a : '…'} | | | ${peerLabel} | ${typeof b === 'string' ? b : '…'} | | | |`,
    );
    continue;
  }
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
  }
}
const rss = [...results.entries()]
  .filter((entry): entry is [BenchApp, Result[]] => typeof entry[1] !== 'string')
  .map(
    ([app, list]) =>
      `${app.framework} ${app.library} (${app.store}) ${fmt(Math.max(...list.map((r) => r.rssMiB)))} MiB`,
  );
const untouched = pairs
  .filter(
    ([ours, peer]) =>
      ours.framework === 'Express' && peer.library === 'express-session' && ours.store === peer.store,
  )
  .map(([ours, peer]) => {
    const a = resultsOf(ours);
    const b = resultsOf(peer);
    if (typeof a === 'string' || typeof b === 'string') return `${ours.store}: not measured`;
    const x = a.find((r) => r.scenario === 'untouched') as Result;
    const y = b.find((r) => r.scenario === 'untouched') as Result;
    return `${ours.store} ${ratio(x.rps, y.rps)}`;
  });

writeSection(
  'Peers',
  `Command: \`npm run bench\` (this section: \`npx tsx bench/suite.ts\`), ${SECONDS} s per cell after a 1 s warm-up,
${CONNECTIONS} connections, autocannon in the same process as the servers. Whole run: ${Math.round((Date.now() - started) / 1000)} s.
Machine: ${machineLine()}; shared with other work while measuring, so treat single ratios with ±20% care. Run: ${new Date().toISOString()}.

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

Peak RSS of the benchmark process after each app: ${rss.join('; ')}.

Goals (issue 6): "cookie present but untouched" against express-session on the same store: ${untouched.join(', ')} (goal ≥ 2×).
Cells where sessionscope is slower than its peer: ${misses.length ? misses.join(', ') : 'none'}.`,
);
process.stderr.write('docs/benchmarks.md: Peers section written\n');
// Peer stores (better-sqlite3-session-store, pg pools) leave interval timers behind.
process.exit(0);

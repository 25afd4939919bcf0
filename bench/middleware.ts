/**
 * Issue 2's benchmark: an Express route that reads and writes the session, and a route that carries
 * the cookie but never touches the session, with sessionscope on SQLite against express-session
 * (MemoryStore, and better-sqlite3-session-store on SQLite) in the same run.
 * `npx tsx bench/middleware.ts` (part of `npm run bench`); BENCH_SECONDS sets the seconds per cell.
 */
import { loadavg } from 'node:os';
import { expressSessionApp, sessionscopeExpress } from './lib/apps.js';
import { CONNECTIONS, SECONDS } from './lib/measure.js';
import { fmt, machineLine, ratio, writeSection } from './lib/report.js';
import { ROUNDS, runPair } from './lib/pair.js';
import type { Result, Scenario } from './lib/run.js';

const scenarios: Scenario[] = ['write', 'untouched'];
const peers = [
  expressSessionApp('memory', 'express-session + MemoryStore'),
  expressSessionApp('sqlite', 'express-session + better-sqlite3-session-store'),
];
const loadBefore = loadavg()[0] ?? 0;
const rows: string[] = [];
let untouchedOps = 0;
for (const peer of peers) {
  // A fresh sessionscope app per pair, measured interleaved with that peer.
  const [ours, theirs] = await runPair(sessionscopeExpress('sqlite'), peer, scenarios);
  for (const scenario of scenarios) {
    const x = ours.find((r) => r.scenario === scenario) as Result;
    const y = theirs.find((r) => r.scenario === scenario) as Result;
    if (scenario === 'untouched') untouchedOps = Math.max(untouchedOps, x.opsPerRequest);
    const label = scenario === 'write' ? 'read + write' : 'cookie present, untouched';
    rows.push(
      `| ${label} | sessionscope (sqlite) | ${fmt(x.rps)} | ${x.p50}/${x.p99} | ${x.opsPerRequest.toFixed(2)} | ${peer.library} | ${fmt(y.rps)} | ${y.p50}/${y.p99} | ${y.opsPerRequest.toFixed(2)} | **${ratio(x.rps, y.rps)}** |`,
    );
  }
}
const loadAfter = loadavg()[0] ?? 0;

writeSection(
  'Middleware',
  `Command: \`npm run bench\` (this section: \`npx tsx bench/middleware.ts\`). sessionscope and each peer run side by side,
${ROUNDS} rounds of ${SECONDS} s each per scenario, alternating, best round kept; ${CONNECTIONS} connections, autocannon in the same process.
Machine: ${machineLine()}, shared: load average ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after (2 cores). Run: ${new Date().toISOString()}.

Express 5, one route that reads and writes the session (\`/write\`: get a counter, set it + 1) and one that
carries the session cookie but never touches the session (\`/untouched\`). "Store ops/req" counts calls
into the store (sessionscope: load/exists/save/delete; express-session: get/set/touch/destroy).
"ratio" is sessionscope's req/s divided by the peer's, same scenario, measured seconds apart.

| Scenario | Library (store) | req/s | p50/p99 ms | store ops/req | Peer | peer req/s | p50/p99 ms | store ops/req | ratio |
|---|---|---:|---:|---:|---|---:|---:|---:|---:|
${rows.join('\n')}

On the untouched route sessionscope makes **${untouchedOps.toFixed(2)}** store calls per request (lazy loading: no read
until the session is used); express-session loads the record on every request that carries its cookie.`,
);
process.stderr.write('docs/benchmarks.md: Middleware section written\n');
// Peer stores (better-sqlite3-session-store, pg pools) leave interval timers behind.
process.exit(0);

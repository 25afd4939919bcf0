/**
 * Issue 2's benchmark: an Express route that reads and writes the session, and a route that carries
 * the cookie but never touches the session, with sessionscope on SQLite against express-session
 * (MemoryStore, and better-sqlite3-session-store on SQLite) in the same run.
 * `npx tsx bench/middleware.ts` (part of `npm run bench`); BENCH_SECONDS sets the seconds per cell.
 */
import { expressSessionApp, sessionscopeExpress } from './lib/apps.js';
import { CONNECTIONS, SECONDS } from './lib/measure.js';
import { fmt, machineLine, ratio, writeSection } from './lib/report.js';
import { type Result, runApp, type Scenario } from './lib/run.js';

const scenarios: Scenario[] = ['write', 'untouched'];
const apps = [
  sessionscopeExpress('sqlite'),
  expressSessionApp('memory', 'express-session + MemoryStore'),
  expressSessionApp('sqlite', 'express-session + better-sqlite3-session-store'),
];

const results: Result[] = [];
for (const app of apps) results.push(...(await runApp(app, scenarios)));

const ours = (scenario: Scenario) =>
  results.find((r) => r.scenario === scenario && r.app.library === 'sessionscope') as Result;
const rows = results.map((r) => {
  const us = ours(r.scenario);
  const label = r.scenario === 'write' ? 'read + write' : 'cookie present, untouched';
  const vs = r.app.library === 'sessionscope' ? '—' : ratio(us.rps, r.rps);
  return `| ${label} | ${r.app.library} (${r.app.store}) | ${fmt(r.rps)} | ${r.p50} | ${r.p99} | ${r.opsPerRequest.toFixed(2)} | ${vs} |`;
});

writeSection(
  'Middleware',
  `Command: \`npm run bench\` (this section: \`npx tsx bench/middleware.ts\`), ${SECONDS} s per cell, ${CONNECTIONS} connections, autocannon in the same process.
Machine: ${machineLine()}. Run: ${new Date().toISOString()}.

Express 5, one route that reads and writes the session (\`/write\`: get a counter, set it + 1) and one that
carries the session cookie but never touches the session (\`/untouched\`). "Store ops/req" counts calls
into the store (sessionscope: load/exists/save/delete; express-session: get/set/touch/destroy).
"sessionscope ×" is sessionscope's req/s divided by that row's, same scenario, same run.

| Scenario | Library (store) | req/s | p50 ms | p99 ms | store ops/req | sessionscope × |
|---|---|---:|---:|---:|---:|---:|
${rows.join('\n')}

On the untouched route sessionscope makes **${ours('untouched').opsPerRequest.toFixed(2)}** store calls per request (lazy loading: no read
until the session is used); express-session loads the record on every request that carries its cookie.`,
);
process.stderr.write('docs/benchmarks.md: Middleware section written\n');
// Peer stores (better-sqlite3-session-store, pg pools) leave interval timers behind.
process.exit(0);

/** Runs every scenario against one app (started once), with store ops per request and RSS. */
import type { BenchApp } from './apps.js';
import { type Cell, cookiesFrom, measure, WARMUP_SECONDS } from './measure.js';

export const SCENARIOS = {
  none: { path: '/none', cookie: false, label: 'no session' },
  untouched: { path: '/untouched', cookie: true, label: 'cookie present, untouched' },
  read: { path: '/read', cookie: true, label: 'read-only' },
  write: { path: '/write', cookie: true, label: 'write every request' },
  new: { path: '/new', cookie: false, label: 'new session every request' },
} as const;
export type Scenario = keyof typeof SCENARIOS;

export interface Result extends Cell {
  app: BenchApp;
  scenario: Scenario;
  opsPerRequest: number;
  rssMiB: number;
}

export async function runApp(app: BenchApp, scenarios: Scenario[]): Promise<Result[]> {
  const running = await app.start();
  const results: Result[] = [];
  try {
    const cookie = await cookiesFrom(`${running.url}/write`);
    // Unmeasured warm-up so JIT and connection pools are hot for every library alike.
    await measure(`${running.url}/write`, cookie, WARMUP_SECONDS);
    for (const scenario of scenarios) {
      const spec = SCENARIOS[scenario];
      const before = running.ops();
      const cell = await measure(running.url + spec.path, spec.cookie ? cookie : undefined);
      const opsPerRequest = cell.requests > 0 ? (running.ops() - before) / cell.requests : 0;
      results.push({ ...cell, app, scenario, opsPerRequest, rssMiB: process.memoryUsage().rss / 2 ** 20 });
      process.stderr.write(
        `${app.framework} ${app.library} ${app.store} ${scenario}: ${Math.round(cell.rps)} req/s, p99 ${cell.p99} ms, ${opsPerRequest.toFixed(2)} ops/req${cell.errors || cell.non2xx ? ` (${cell.errors} errors, ${cell.non2xx} non-2xx)` : ''}\n`,
      );
    }
  } finally {
    await running.close();
  }
  return results;
}

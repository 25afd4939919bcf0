/**
 * Interleaved pair measurement: sessionscope and its peer run side by side, alternating A B / B A
 * for each scenario, best round kept. On a shared machine load drifts over minutes; measuring
 * both libraries seconds apart keeps the ratio honest even when absolute figures move.
 */
import type { BenchApp, Running } from './apps.js';
import { type Cell, cookiesFrom, measure, WARMUP_SECONDS } from './measure.js';
import { type Result, SCENARIOS, type Scenario } from './run.js';

export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);

interface Side {
  app: BenchApp;
  running: Running;
  cookie: string;
  best: Map<Scenario, Result>;
}

async function open(app: BenchApp): Promise<Side> {
  const running = await app.start();
  const cookie = await cookiesFrom(`${running.url}/write`);
  await measure(`${running.url}/write`, cookie, WARMUP_SECONDS);
  return { app, running, cookie, best: new Map() };
}

async function once(side: Side, scenario: Scenario): Promise<void> {
  const spec = SCENARIOS[scenario];
  const before = side.running.stats ? await side.running.stats() : null;
  const opsBefore = before ? before.ops : side.running.ops();
  const cell: Cell = await measure(side.running.url + spec.path, spec.cookie ? side.cookie : undefined);
  const after = side.running.stats ? await side.running.stats() : null;
  const opsAfter = after ? after.ops : side.running.ops();
  const opsPerRequest = cell.requests > 0 ? (opsAfter - opsBefore) / cell.requests : 0;
  const cpuUs =
    before && after && cell.requests > 0 ? (after.cpuUs - before.cpuUs) / cell.requests : Number.NaN;
  const previous = side.best.get(scenario);
  if (!previous || cell.rps > previous.rps) {
    side.best.set(scenario, {
      ...cell,
      app: side.app,
      scenario,
      opsPerRequest,
      cpuUs,
      rssMiB: (after ? after.rss : process.memoryUsage().rss) / 2 ** 20,
    });
  }
}

export async function runPair(
  ours: BenchApp,
  peer: BenchApp,
  scenarios: Scenario[],
): Promise<[Result[], Result[]]> {
  const a = await open(ours);
  let b: Side | undefined;
  try {
    b = await open(peer);
    for (const scenario of scenarios) {
      for (let round = 0; round < ROUNDS; round++) {
        const order = round % 2 === 0 ? [a, b] : [b, a];
        for (const side of order) await once(side, scenario);
      }
      const x = a.best.get(scenario) as Result;
      const y = b.best.get(scenario) as Result;
      process.stderr.write(
        `${ours.framework} ${ours.store} ${scenario}: sessionscope ${Math.round(x.rps)} (${x.cpuUs.toFixed(0)} µs CPU) vs ${peer.library} ${Math.round(y.rps)} (${y.cpuUs.toFixed(0)} µs) req/s (${(x.rps / y.rps).toFixed(2)}×)\n`,
      );
    }
  } finally {
    await a.running.close();
    await b?.running.close();
  }
  const list = (side: Side) => scenarios.map((s) => side.best.get(s) as Result);
  return [list(a), list(b as Side)];
}

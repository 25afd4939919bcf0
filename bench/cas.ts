/**
 * Lost updates across processes (issue 14 item 2): N writers on one session spread over K real
 * processes (test/reliability/cas-run.ts), each loading, pausing up to 5 ms, setting its own key and
 * saving, on SQLite, PostgreSQL and Redis; keys lost with `replace` (Django) and `merge`. Then the
 * cost per save without contention: one session saved over and over by one process, Django's plain
 * save against the compare-and-swap paths. Run: npx tsx bench/cas.ts [--write]   (BENCH_TRIALS)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createSessionManager, type SessionManagerOptions } from '../server-agent/sessions/manager.js';
import type { SessionStore } from '../server-agent/sessions/store.js';
import { race } from '../test/reliability/cas-run.js';
import { fmt, machineLine, writeSection } from './lib/report.js';

const TRIALS = Number(process.env.BENCH_TRIALS ?? 2);
const SAVES = Number(process.env.BENCH_SAVES ?? 400);
const SECRET_KEY = 'bench-cas-secret-key-0123456789abcdefghijklmnop';
const REDIS_URL = 'redis://127.0.0.1:6379/14';
const SCHEMA = `ss_cas_bench_${process.pid}`;
const PG_URL = `postgres://postgres@127.0.0.1:5432/test?schema=${SCHEMA}`;
const dir = mkdtempSync(join(tmpdir(), 'sessionscope-cas-bench-'));
const prefix = `casbench${process.pid}`;

const engines: Record<string, () => SessionManagerOptions> = {
  SQLite: () => ({ DATABASE_URL: `sqlite:${join(dir, `${Math.random()}.sqlite3`)}` }),
  PostgreSQL: () => ({ DATABASE_URL: PG_URL }),
  Redis: () => ({
    SESSION_ENGINE: 'cache',
    CACHES: { default: { BACKEND: 'redis', LOCATION: REDIS_URL, KEY_PREFIX: prefix } },
  }),
};
const GRID: [number, number][] = [
  [4, 1],
  [4, 4],
  [16, 1],
  [16, 2],
  [16, 4],
  [32, 1],
  [32, 2],
  [32, 4],
];

const lostRows: string[] = [];
for (const [name, settings] of Object.entries(engines)) {
  for (const [writers, processes] of GRID) {
    const cells: string[] = [];
    for (const strategy of ['replace', 'merge'] as const) {
      let lost = 0;
      let gaveUp = 0;
      let reportedMissing = 0;
      const ms: number[] = [];
      for (let t = 0; t < TRIALS; t++) {
        const r = await race({
          // A generous store timeout: this measures lost keys under contention, not latency.
          settings: {
            SECRET_KEY,
            ...settings(),
            SESSION_SAVE_STRATEGY: strategy,
            SESSION_STORE_TIMEOUT_MS: 15_000,
          },
          writers,
          processes,
          watch: strategy === 'replace',
        });
        lost += r.lost;
        gaveUp += r.gaveUp;
        reportedMissing += r.lostKeys.filter((k) => !r.reportedKeys.includes(k)).length;
        ms.push(...r.saveMs);
      }
      const total = writers * TRIALS;
      ms.sort((a, b) => a - b);
      const median = ms[Math.floor(ms.length / 2)] ?? 0;
      cells.push(
        strategy === 'replace'
          ? `${lost} / ${total} (${fmt((100 * lost) / total, 1)} %), ${reportedMissing} unreported`
          : `${lost} / ${total}${gaveUp ? `, ${gaveUp} gave up` : ''}`,
        fmt(median, 1),
      );
    }
    const row = `| ${name} | ${writers} over ${processes} | ${cells.join(' | ')} |`;
    lostRows.push(row);
    process.stdout.write(`${row}\n`);
  }
}

/** Cost per save without contention: µs of wall and CPU per save, one session, SAVES in a row. */
async function costPerSave(
  settings: SessionManagerOptions,
  mode: string,
): Promise<{ wall: number; cpu: number }> {
  const sessions = createSessionManager({
    SECRET_KEY,
    ...settings,
    SESSION_SAVE_STRATEGY: mode.startsWith('merge') ? 'merge' : 'replace',
  });
  if (mode === 'merge, no CAS (re-read + save)') {
    // What merge did before compare-and-swap (and still does on stores without it).
    const store = sessions.store as SessionStore & { capabilities: { compareAndSwap?: boolean } };
    store.capabilities.compareAndSwap = false;
  }
  const stop = mode.includes('listening') ? sessions.events.onAny(() => undefined) : () => undefined;
  try {
    const seed = sessions.open();
    await seed.set('cart', [1, 2, 3]);
    await seed.save();
    const key = seed.sessionKey as string;
    let i = 0;
    const once = async () => {
      const s = sessions.open(key);
      await s.get('cart');
      await s.set('n', i++);
      await s.save();
    };
    for (let w = 0; w < 50; w++) await once();
    // Only the save is timed: the load before it is the same in every mode.
    let wall = 0;
    let cpu = 0;
    for (let n = 0; n < SAVES; n++) {
      const s = sessions.open(key);
      await s.get('cart');
      await s.set('n', i++);
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await s.save();
      wall += performance.now() - t0;
      const c = process.cpuUsage(c0);
      cpu += c.user + c.system;
    }
    return { wall: (wall * 1000) / SAVES, cpu: cpu / SAVES };
  } finally {
    stop();
    await sessions.close();
  }
}

const MODES = [
  'replace (Django, plain save)',
  'replace, agent listening (swap first)',
  'merge (swap)',
  'merge, no CAS (re-read + save)',
];
const costRows: string[] = [];
for (const [name, settings] of Object.entries(engines)) {
  const cells: string[] = [];
  for (const mode of MODES) {
    const { wall, cpu } = await costPerSave(settings(), mode);
    cells.push(`${fmt(wall)} / ${fmt(cpu)}`);
  }
  const row = `| ${name} | ${cells.join(' | ')} |`;
  costRows.push(row);
  process.stdout.write(`${row}\n`);
}

rmSync(dir, { recursive: true, force: true });
const raw = new Redis(REDIS_URL);
const keys = await raw.keys(`${prefix}*`);
if (keys.length) await raw.del(...keys);
raw.disconnect();
const client = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' });
await client.connect();
await client.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
await client.end();

const body = `
\`npx tsx bench/cas.ts --write\` (${TRIALS} trial${TRIALS === 1 ? '' : 's'} per cell; ${machineLine()}; load average
${loadavg()[0]?.toFixed(1)} at the end, the machine shared with other work: read wall times as orders of magnitude and
the CPU µs as the cost).

N writers on one session spread over K real processes: each loads the session, pauses up to 5 ms,
sets its own key and saves. A lost key is one no longer in the record afterwards. \`replace\` runs
with a listener (the agent), so its compare-and-swap reports each overwrite; "unreported" counts
lost keys that no \`session.conflict\` event named (goal 0). Save ms: median wall time of one
save, retries and back-off included.

| Store | N over K | \`replace\` lost keys | \`replace\` save ms | \`merge\` lost keys | \`merge\` save ms |
| ----- | -------- | ------------------- | ------------------ | ----------------- | ---------------- |
${lostRows.join('\n')}

Reading it: \`replace\` (Django's last writer wins) keeps about one key in N whatever the store; every
lost key was named by a conflict event in the process that overwrote it. \`merge\` over compare-and-swap
loses none, up to 32 writers over 4 processes, and no save gave up. Under contention a save costs its
retries: the re-read, merge and swap again after a jittered back-off (\`replace\` with a listener retries
the same way, to name every reverted key before it writes as Django does).

Cost per save without contention (one process saving one session ${SAVES} times; µs wall / µs CPU
per save): the swap is the same one statement as Django's update, and merge over it needs no re-read.

| Store | ${MODES.join(' | ')} |
| ----- | ${MODES.map(() => '---').join(' | ')} |
${costRows.join('\n')}
`;
if (process.argv.includes('--write')) writeSection('Lost updates across processes', body);
else process.stdout.write(body);
process.exit(0);

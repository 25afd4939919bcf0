/**
 * Issue 13 item 5: scale figures. (1) 10^6 live sessions on Redis and on PostgreSQL: the server's
 * RSS and the p99 of reads spread at random over all of them. (2) clearExpired of 10^6 expired rows
 * on SQLite and PostgreSQL: rows/s against one bare DELETE, and the longest lock held (the longest
 * single statement: the engine deletes in batches, the bare DELETE is one statement).
 * Uses its own Redis db (7) and PostgreSQL schema, removed afterwards.
 * `npx tsx bench/scale.ts` (SCALE_ROWS=1000000, SCALE_SECONDS=10, SCALE_ONLY=redis|postgres|clear).
 */
import { createHash } from 'node:crypto';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createSessionManager } from '../server-agent/sessions/manager.js';
import { PG_URL, REDIS_URL, tmp } from './lib/app-kit.js';
import { childApp } from './lib/child.js';
import { fmt, machineLine, writeSection } from './lib/report.js';

const ROWS = Number(process.env.SCALE_ROWS ?? 1_000_000);
const SECONDS = Number(process.env.SCALE_SECONDS ?? 10);
const ONLY = process.env.SCALE_ONLY ?? '';
const SECRET = 'bench-secret-key-bench-secret-key-0123456789';
const SCALE_REDIS = `${REDIS_URL}/7`;
/**
 * The store timeout for clearExpired's batches: on a saturated shared machine one 5,000-row batch on
 * PostgreSQL took longer than the 5 s default (the statement was cancelled and the run 503'd).
 */
const CLEAR_TIMEOUT_MS = 120_000;
const SCHEMA = `ss_scale_${process.pid}`;
const SCALE_PG = `${PG_URL}?schema=${SCHEMA}`;
/** Session keys: 32 hex characters of md5(i), valid Django keys, derivable on both sides. */
const keyOf = (i: number) => createHash('md5').update(String(i)).digest('hex');
const sample = new Map<string, unknown>([
  ['_auth_user_id', '12345'],
  ['_auth_user_backend', 'django.contrib.auth.backends.ModelBackend'],
  ['cart', [{ sku: 'A-1', qty: 2 }]],
  ['n', 1],
]);

const lines: string[] = [];
const note = (line: string) => {
  lines.push(line);
  process.stderr.write(`${line}\n`);
};

/** Reads at random over all ROWS sessions, with the server in its own process. */
async function liveRun(id: string, label: string, extra: () => Promise<string>): Promise<void> {
  const app = childApp(id);
  const running = await app.start();
  try {
    const before = await running.stats?.();
    const result = await autocannon({
      url: `${running.url}/read`,
      connections: 10,
      duration: SECONDS,
      requests: [
        {
          setupRequest: (request: autocannon.Request) => ({
            ...request,
            headers: { ...request.headers, cookie: `sessionid=${keyOf(Math.floor(Math.random() * ROWS))}` },
          }),
        },
      ],
    });
    const after = await running.stats?.();
    const cpu = before && after ? (after.cpuUs - before.cpuUs) / result.requests.total : Number.NaN;
    note(
      `| ${label} | ${fmt(ROWS)} | ${fmt(result.requests.average)} | ${result.latency.p50} | ${result.latency.p99} | ${fmt(cpu)} | ${fmt((after?.rss ?? 0) / 2 ** 20)} | ${await extra()} |`,
    );
  } finally {
    await running.close();
  }
}

async function redisLive(): Promise<void> {
  const sessions = createSessionManager({
    SECRET_KEY: SECRET,
    SESSION_ENGINE: 'cache',
    CACHES: { default: { BACKEND: 'redis', LOCATION: SCALE_REDIS, KEY_PREFIX: 'scale' } },
  });
  const redis = new Redis(SCALE_REDIS);
  try {
    await redis.flushdb(); // db 7 is this benchmark's own
    const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? 0);
    const baseline = await usedMemory();
    const one = sessions.open();
    await one.update(sample as never);
    await one.save();
    const [physical] = await redis.keys('*');
    if (!physical) throw new Error('no sample key written');
    const value = await redis.getBuffer(physical);
    const prefix = physical.slice(0, physical.length - (one.sessionKey ?? '').length);
    const started = Date.now();
    for (let i = 0; i < ROWS; i += 10_000) {
      const pipeline = redis.pipeline();
      for (let j = i; j < Math.min(ROWS, i + 10_000); j++)
        pipeline.set(prefix + keyOf(j), value as Buffer, 'EX', 1_209_600);
      await pipeline.exec();
    }
    process.stderr.write(`redis: ${ROWS} sessions written in ${Date.now() - started} ms\n`);
    const memory = async () => `Redis used_memory +${fmt(((await usedMemory()) - baseline) / 2 ** 20)} MiB`;
    process.env.SCALE_REDIS_URL = SCALE_REDIS;
    await liveRun('sessionscope/Express/redis-scale', 'Redis (cache engine)', memory);
  } finally {
    await redis.flushdb();
    redis.disconnect();
    await sessions.close();
  }
}

async function postgresLive(): Promise<void> {
  const sessions = createSessionManager({ SECRET_KEY: SECRET, DATABASE_URL: SCALE_PG });
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    const one = sessions.open();
    await one.update(sample as never);
    await one.save();
    const { rows } = await client.query(`SELECT session_data FROM ${SCHEMA}.django_session LIMIT 1`);
    const started = Date.now();
    await client.query(
      `INSERT INTO ${SCHEMA}.django_session (session_key, session_data, expire_date)
       SELECT md5(i::text), $1, now() + interval '14 days' FROM generate_series(0, $2::int - 1) AS i
       ON CONFLICT DO NOTHING`,
      [rows[0].session_data, ROWS],
    );
    await client.query(`ANALYZE ${SCHEMA}.django_session`);
    process.stderr.write(`postgres: ${ROWS} rows written in ${Date.now() - started} ms\n`);
    const size = async () => {
      const { rows: s } = await client.query(
        `SELECT pg_total_relation_size('${SCHEMA}.django_session') AS b`,
      );
      return `table + index ${fmt(Number(s[0].b) / 2 ** 20)} MiB`;
    };
    process.env.SCALE_PG_URL = SCALE_PG;
    await liveRun('sessionscope/Express/postgres-scale', 'PostgreSQL (db engine)', size);
  } finally {
    await sessions.close();
    await client.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await client.end();
  }
}

/** The engine's clearExpired with the time of every batch statement (onProgress marks each). */
async function timedClear(clear: (onProgress: () => void) => Promise<number | null>) {
  const began = performance.now();
  let last = began;
  let longest = 0;
  const removed = await clear(() => {
    const t = performance.now();
    longest = Math.max(longest, t - last);
    last = t;
  });
  const ms = performance.now() - began;
  return { removed: removed ?? 0, ms, longest: Math.max(longest, performance.now() - last) };
}

async function clearSqlite(): Promise<void> {
  const file = join(tmp(), 'scale.sqlite3');
  const sessions = createSessionManager({
    SECRET_KEY: SECRET,
    DATABASE_URL: file,
    SESSION_STORE_TIMEOUT_MS: CLEAR_TIMEOUT_MS,
  });
  const one = sessions.open();
  await one.set('n', 1);
  await one.save();
  const db = new Database(file);
  const { session_data: data, expire_date: date } = db.prepare('SELECT * FROM django_session').get() as {
    session_data: string;
    expire_date: string;
  };
  const expired = date.replace(/^\d{4}/, '2000');
  const fill = () =>
    db
      .prepare(
        `WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i + 1 < ?)
         INSERT OR IGNORE INTO django_session SELECT printf('exp%029d', i), ?, ? FROM c`,
      )
      .run(ROWS, data, expired);
  fill();
  const engine = await timedClear((onProgress) => sessions.clearExpired({ onProgress }));
  fill();
  const began = performance.now();
  const bare = db.prepare('DELETE FROM django_session WHERE expire_date < ?').run(date).changes;
  const bareMs = performance.now() - began;
  note(
    `| SQLite (better-sqlite3, WAL) | ${fmt(engine.removed)} | ${fmt(engine.removed / (engine.ms / 1000))} | ${fmt(engine.longest, 1)} | ${fmt(bare)} | ${fmt(bare / (bareMs / 1000))} | ${fmt(bareMs, 1)} |`,
  );
  db.close();
  await sessions.close();
}

async function clearPostgres(): Promise<void> {
  const schema = `${SCHEMA}_clear`;
  const sessions = createSessionManager({
    SECRET_KEY: SECRET,
    DATABASE_URL: `${PG_URL}?schema=${schema}`,
    SESSION_STORE_TIMEOUT_MS: CLEAR_TIMEOUT_MS,
  });
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    const one = sessions.open();
    await one.set('n', 1);
    await one.save();
    const fill = () =>
      client.query(
        `INSERT INTO ${schema}.django_session (session_key, session_data, expire_date)
         SELECT 'exp' || lpad(i::text, 29, '0'), 'x', now() - interval '1 day' FROM generate_series(0, $1::int - 1) AS i`,
        [ROWS],
      );
    await fill();
    await client.query(`ANALYZE ${schema}.django_session`);
    const engine = await timedClear((onProgress) => sessions.clearExpired({ onProgress }));
    await fill();
    await client.query(`ANALYZE ${schema}.django_session`);
    const began = performance.now();
    const bare =
      (await client.query(`DELETE FROM ${schema}.django_session WHERE expire_date < now()`)).rowCount ?? 0;
    const bareMs = performance.now() - began;
    note(
      `| PostgreSQL | ${fmt(engine.removed)} | ${fmt(engine.removed / (engine.ms / 1000))} | ${fmt(engine.longest, 1)} | ${fmt(bare)} | ${fmt(bare / (bareMs / 1000))} | ${fmt(bareMs, 1)} |`,
    );
  } finally {
    await sessions.close();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  }
}

const loadBefore = loadavg()[0] ?? 0;
const started = new Date().toISOString();
note('| Store | live sessions | req/s | p50 ms | p99 ms | server CPU µs/req | server RSS MiB | store size |');
note('|---|---:|---:|---:|---:|---:|---:|---|');
if (!ONLY || ONLY === 'redis') await redisLive();
if (!ONLY || ONLY === 'postgres') await postgresLive();
const live = lines.splice(0);
note(
  '| Store | rows removed by clearExpired | rows/s | longest statement (lock held) ms | bare DELETE rows | rows/s | bare DELETE statement (lock held) ms |',
);
note('|---|---:|---:|---:|---:|---:|---:|');
if (!ONLY || ONLY === 'clear') {
  await clearSqlite();
  await clearPostgres();
}
const clear = lines.splice(0);
const loadAfter = loadavg()[0] ?? 0;

writeSection(
  'Scale',
  `Command: \`npx tsx bench/scale.ts\` (SCALE_ROWS=${fmt(ROWS)}, SCALE_SECONDS=${SECONDS}). Machine: ${machineLine()}, shared: load average
${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after (2 cores). Run: ${started}. Redis db 7 and a PostgreSQL schema of its own,
removed afterwards.

**${fmt(ROWS)} live sessions.** The store is filled with ${fmt(ROWS)} copies of one real record (written by the engine,
copied under ${fmt(ROWS)} keys), then an Express app with sessionscope (its own process) serves \`/read\` for ${SECONDS} s, 10
connections, each request carrying the cookie of a session picked at random among all of them. RSS and CPU are the
server process's; the sessions live in the store, not in the process, so RSS does not grow with their number.

${live.join('\n')}

**clearExpired of ${fmt(ROWS)} expired rows** against one bare \`DELETE … WHERE expire_date < now\` on the same table,
refilled. The engine deletes in batches of 5,000 (one statement each, its own transaction): "longest statement"
is the longest of them, which is how long any lock is held; the bare DELETE holds its locks for its whole run.

${clear.join('\n')}`,
);
process.stderr.write('docs/benchmarks.md: Scale section written\n');
process.exit(0);

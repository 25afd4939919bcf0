/**
 * F3 on a private PostgreSQL cluster (initdb on a spare port, never the shared server): backends
 * terminated mid-request, connections reset through a proxy (1,000 faults), the server hung so
 * the pool runs dry. Bars: only 200 or 503 (never 500 or a hang past the timeout), no partial
 * rows, every acknowledged write durable, the pool recovers by itself, no leaked connections.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLogs } from '../helpers/log-capture.js';
import { IN_CI } from '../helpers/services.js';
import { type FaultApp, startFaultApp, timed } from './fault-app.js';
import {
  type OwnPostgres,
  postgresAvailable,
  type ResettingProxy,
  startOwnPostgres,
  startResettingProxy,
} from './own-services.js';

const available = postgresAvailable();
if (!available && IN_CI)
  throw new Error('PostgreSQL binaries are missing; the F3 fault tests need initdb and pg_ctl.');

let cluster: OwnPostgres;
let proxy: ResettingProxy;
let admin: pg.Client;
let app: FaultApp;

let logs: ReturnType<typeof captureLogs> | undefined;
beforeAll(async () => {
  if (!available) return;
  logs = captureLogs(); // the pool's "connection lost" warnings, hundreds of them by design
  cluster = await startOwnPostgres();
  proxy = await startResettingProxy(cluster.port);
  admin = new pg.Client(cluster.url);
  await admin.connect();
  app = await startFaultApp({ DATABASE_URL: `postgres://postgres@127.0.0.1:${proxy.port}/postgres` });
});
afterAll(async () => {
  logs?.stop();
  await app?.close();
  await admin?.end();
  await proxy?.close();
  await cluster?.stop();
});

async function appConnections(): Promise<number> {
  const { rows } = await admin.query(
    "SELECT count(*)::int AS n FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()",
  );
  return rows[0].n as number;
}

/** Every stored row decodes (no partial rows) and every acknowledged counter is what is stored. */
async function checkRows(acknowledged: Map<string, number>): Promise<void> {
  const { rows } = await admin.query('SELECT session_key, session_data FROM django_session');
  const stored = new Map<string, string>(
    rows.map((row) => [row.session_key as string, row.session_data as string]),
  );
  for (const [, text] of stored) expect(app.sessions.codec.decodeDetailed(text).problem).toBeNull();
  for (const [cookie, n] of acknowledged) {
    const key = cookie.slice('sessionid='.length);
    const text = stored.get(key);
    expect(text, `acknowledged session ${key.slice(0, 6)}… missing`).toBeDefined();
    expect(app.sessions.codec.decode(text as string).get('n')).toBeGreaterThanOrEqual(n);
  }
}

async function recovered(): Promise<number> {
  const started = performance.now();
  while ((await timed(`${app.http.url}/write`)).status !== 200) {
    if (performance.now() - started > 10_000) throw new Error('no recovery within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return performance.now() - started;
}

describe.runIf(available)('F3 PostgreSQL faults', () => {
  it('F3: backends terminated mid-request (pg_terminate_backend): only 200/503, no partial rows, acknowledged writes durable', async () => {
    const acknowledged = new Map<string, number>();
    const statuses = new Map<number, number>();
    let stop = false;
    const killer = (async () => {
      let killed = 0;
      while (!stop) {
        const { rows } = await admin.query(
          "SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()",
        );
        killed += rows[0].n as number;
        await new Promise((resolve) => setTimeout(resolve, 3));
      }
      return killed;
    })();
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        let cookie: string | undefined;
        for (let i = 0; i < 25; i++) {
          const reply = await timed(`${app.http.url}/write`, cookie);
          statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
          expect(reply.ms).toBeLessThan(2_500);
          if (reply.status === 200 && reply.cookie) {
            cookie = reply.cookie;
            acknowledged.set(cookie, Number(reply.body));
          }
        }
      }),
    );
    stop = true;
    const killed = await killer;
    process.stdout.write(
      `[F3] terminate: ${killed} backends killed; statuses ${JSON.stringify(Object.fromEntries(statuses))}\n`,
    );
    expect([...statuses.keys()].every((status) => status === 200 || status === 503)).toBe(true);
    expect(killed).toBeGreaterThan(0);
    expect(await recovered()).toBeLessThan(2_000);
    await checkRows(acknowledged);
  });

  it('F3: 1,000 connections reset mid-request: only 200/503, the pool recovers by itself, no leaked connections', async () => {
    const statuses = new Map<number, number>();
    let faults = 0;
    const acknowledged = new Map<string, number>();
    await Promise.all(
      Array.from({ length: 8 }, async (_, worker) => {
        let cookie: string | undefined;
        while (faults < 1_000) {
          const request = timed(`${app.http.url}/write`, cookie);
          await new Promise((resolve) => setTimeout(resolve, (faults + worker) % 3));
          faults += proxy.resetAll(); // each connection torn down is one fault the pool must survive
          const reply = await request;
          statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
          if (reply.status === 200 && reply.cookie) {
            cookie = reply.cookie;
            acknowledged.set(cookie, Number(reply.body));
          }
        }
      }),
    );
    process.stdout.write(
      `[F3] resets: ${faults} faults; statuses ${JSON.stringify(Object.fromEntries(statuses))}\n`,
    );
    expect([...statuses.keys()].every((status) => status === 200 || status === 503)).toBe(true);
    expect(await recovered()).toBeLessThan(2_000);
    expect(await appConnections()).toBeLessThanOrEqual(10);
    await checkRows(acknowledged);
  }, 60_000);

  it('F3: server hung (SIGSTOP), pool exhausted: 503 within the 1 s timeout; back within 2 s of SIGCONT; no leaked connections', async () => {
    const warm = await timed(`${app.http.url}/write`);
    expect(warm.status).toBe(200);
    cluster.pause();
    let replies: Awaited<ReturnType<typeof timed>>[];
    try {
      replies = await Promise.all(
        Array.from({ length: 30 }, (_, i) => timed(`${app.http.url}/write`, i % 2 ? warm.cookie : undefined)),
      );
    } finally {
      cluster.resume();
    }
    for (const reply of replies) {
      expect(reply.status).toBe(503);
      expect(reply.ms).toBeLessThan(1_500);
    }
    const back = await recovered();
    process.stdout.write(
      `[F3] hung: slowest 503 ${Math.max(...replies.map((r) => r.ms)).toFixed(0)} ms; recovered ${back.toFixed(0)} ms after SIGCONT\n`,
    );
    expect(back).toBeLessThan(2_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await appConnections()).toBeLessThanOrEqual(10);
  });
});

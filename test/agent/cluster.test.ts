/**
 * Issue 14 item 4: the demo shop under Node's `cluster` module, two workers on one store, on Redis
 * (a private redis-server) and on PostgreSQL (the shared server, a schema and bus channel of this
 * run's own). A visitor logs in and keeps browsing; connections land on both workers; one
 * inspector (`sessionscope inspect --bus`, a third process) shows every request of both workers in
 * one timeline, each tagged with its worker's pid.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import type { BusInfo } from '../../server-agent/agent/protocol.js';
import { repoModule, repoPath, scratchDir, TSX_LOADER } from '../helpers/outside-checkout.js';
import { requireService } from '../helpers/services.js';
import { busOf, dropSchema, ownRedisOrNull, POSTGRES, until } from './bus-setup.js';
import { Client } from './harness.js';

const SECRET = 'cluster-test-secret-key-0123456789abcdefghij';
const run = `c${process.pid}x${Date.now().toString(36)}`;
const children: ChildProcess[] = [];
// The children's working directory: the workers and the inspector run in development, so each
// keeps its agent token in .sessionscope/ there, not in the checkout.
const scratch = scratchDir('cluster');

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  scratch.remove();
});

function start(
  args: string[],
  env: Record<string, string>,
  ready: RegExp,
): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  const child = spawn(process.execPath, ['--import', TSX_LOADER, ...args], {
    cwd: scratch.path,
    env: { ...process.env, NODE_ENV: 'development', SESSIONSCOPE_SECRET_KEY: SECRET, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready: ${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = ready.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, match });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${output}`)));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** A cluster starts slowly and spreads connections by chance: a longer wait, a slower poll. */
const eventually = <T>(probe: () => T | undefined | false | Promise<T | undefined | false>) =>
  until(probe, { timeoutMs: 15_000, everyMs: 50 });

/** The browser: a cookie jar, and a fresh connection per request so the cluster spreads them. */
function visitor(base: string) {
  let cookie = '';
  return async (path: string, init: RequestInit = {}) => {
    const res = await fetch(new URL(path, base), {
      ...init,
      redirect: 'manual',
      headers: {
        ...(init.headers as Record<string, string>),
        connection: 'close',
        ...(cookie ? { cookie } : {}),
      },
    });
    for (const line of res.headers.getSetCookie()) {
      const pair = line.split(';', 1)[0]!;
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(line)) cookie = '';
      else cookie = pair;
    }
    await res.text();
    return res;
  };
}

async function scenario(engine: string, env: Record<string, string>, inspectArgs: string[]) {
  const shop = await start(
    [repoPath('examples/shop/cluster.ts'), '--engine', engine, '--workers', '2', '--port', '0'],
    { ...env, SESSION_AGENT_DEPLOYMENT: run },
    /2 workers at (http:\/\/127\.0\.0\.1:\d+\/)/,
  );
  const inspect = await start(
    [
      '-e',
      `import(${JSON.stringify(repoModule('server-agent/agent/inspect-command.ts'))}).then(async (m) => process.exit(await m.runInspect(process.argv.slice(1))))`,
      '--',
      ...inspectArgs,
      '--deployment',
      run,
      '--secret-key',
      SECRET,
    ],
    {},
    /sessionscope inspector: (\S+)/,
  );
  try {
    const url = new URL(inspect.match[1]!);
    const token = new URLSearchParams(url.hash.slice(1)).get('token')!;
    const client = await Client.ready(`ws://${url.host}/__sessionscope/ws`, token);
    // Both workers announce themselves on the bus; the inspector lists them with their pids.
    const bus = await eventually((): BusInfo | false => {
      const info = busOf(client);
      return info !== null && info.processes.filter((p) => !p.self).length >= 2 && info;
    });
    const workers = bus.processes.filter((p) => !p.self);
    const procOfPid = new Map(workers.map((p) => [p.pid, p.id]));

    const browse = visitor(shop.match[1]!);
    await browse('/login');
    const login = await browse('/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'username=ada',
    });
    expect(login.status).toBe(303);
    const servedBy = new Set<number>();
    const requests = new Map<string, number>();
    await eventually(async () => {
      const res = await browse('/');
      expect(res.status).toBe(200);
      const pid = Number(res.headers.get('x-worker-pid'));
      servedBy.add(pid);
      requests.set(res.headers.get('x-sessionscope-request')!, pid);
      return servedBy.size >= 2;
    });
    expect([...servedBy].sort()).toEqual([...procOfPid.keys()].sort());
    // One timeline: every request of either worker, tagged with the worker that served it.
    await eventually(() =>
      [...requests].every(([id, pid]) =>
        client.events.some(
          (e) =>
            e.event.type === 'request.end' && e.event.requestId === id && e.event.proc === procOfPid.get(pid),
        ),
      ),
    );
    const procs = new Set(client.events.map((e) => e.event.proc).filter(Boolean));
    expect(procs).toEqual(new Set(procOfPid.values()));
    // The visits on both workers are one session, the one the login made (shared store, shared handles).
    const cycled = client.events.find((e) => e.event.type === 'session.keyCycled');
    expect(cycled).toBeDefined();
    const handle = cycled!.event.type === 'session.keyCycled' ? cycled!.event.to : '';
    const loads = client.events.filter(
      (e) => e.event.type === 'session.loaded' && e.event.session === handle,
    );
    expect(new Set(loads.map((e) => e.event.proc))).toEqual(new Set(procOfPid.values()));
    await client.close();
  } finally {
    await stop(inspect.child);
    await stop(shop.child);
  }
}

const redis = await ownRedisOrNull();
const redisUp = redis !== null;
const pgUp = await requireService('PostgreSQL', 5432);

describe('C cluster: the demo under node:cluster, one inspector timeline with both workers', () => {
  afterAll(async () => redis?.stop());

  it.skipIf(!redisUp)(
    'on Redis (the store’s own Redis as the bus)',
    async () => {
      const url = redis!.url;
      await scenario('redis', { REDIS_URL: url }, ['--engine', 'cache', '--redis-url', url, '--bus', url]);
    },
    90_000,
  );

  it.skipIf(!pgUp)(
    'on PostgreSQL (LISTEN/NOTIFY)',
    async () => {
      const schema = `cluster_${run}`;
      const database = `${POSTGRES}?schema=${schema}`;
      try {
        await scenario('postgres', { POSTGRES_URL: database }, [
          '--engine',
          'db',
          '--database-url',
          database,
          '--bus',
          'true',
        ]);
      } finally {
        await dropSchema(schema);
      }
    },
    90_000,
  );
});

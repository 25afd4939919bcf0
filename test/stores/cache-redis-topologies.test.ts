/**
 * The Redis cache on a Cluster (three masters this test starts on spare ports) and behind Sentinel
 * (one master and one sentinel, also started here), through Django-style CACHES settings.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSessionManager, type SessionManager } from '../../server-agent/sessions/manager.js';
import { describeStore } from '../conformance/describe-store.js';
import { IN_CI, portOpen } from '../helpers/services.js';
import { type RedisProcess, sparePort, startCluster, startRedis } from './redis-server.js';

const SECRET_KEY = 'redis-topology-secret-key';
const hasRedisServer = await promisify(execFile)('redis-server', ['--version']).then(
  () => true,
  (error: unknown) => {
    if (IN_CI) throw new Error(`redis-server is needed for the Cluster and Sentinel tests: ${String(error)}`);
    return false;
  },
);

describe.skipIf(!hasRedisServer)('Redis Cluster', () => {
  let cluster: Awaited<ReturnType<typeof startCluster>>;
  let n = 0;
  const caches = () => ({
    default: {
      BACKEND: 'redis',
      LOCATION: cluster.nodes.map((node) => `redis://127.0.0.1:${node.port}`),
      KEY_PREFIX: `c${++n}`,
      OPTIONS: { cluster: true },
    },
  });
  beforeAll(async () => {
    cluster = await startCluster();
  }, 30_000);
  afterAll(async () => cluster?.stop());

  describeStore('cache (Redis Cluster)', {
    make: () => createSessionManager({ SECRET_KEY, SESSION_ENGINE: 'cache', CACHES: caches() as never }),
  });

  it('spreads sessions over the masters and lists them all, page by page', async () => {
    const sessions = createSessionManager({ SECRET_KEY, SESSION_ENGINE: 'cache', CACHES: caches() as never });
    try {
      const keys = new Set<string>();
      for (let i = 0; i < 30; i++) {
        const s = sessions.open();
        await s.set('i', i);
        await s.save();
        keys.add(s.sessionKey!);
      }
      const seen = new Set<string>();
      let cursor: string | null = null;
      do {
        const page = await sessions.store.list!({ cursor, limit: 7 });
        for (const item of page.items) seen.add(item.key);
        cursor = page.cursor;
      } while (cursor);
      expect(seen).toEqual(keys);
      const perNode = await Promise.all(
        cluster.nodes.map((node) =>
          promisify(execFile)('redis-cli', ['-p', String(node.port), 'dbsize']).then((r) =>
            Number(r.stdout.trim()),
          ),
        ),
      );
      expect(perNode.filter((count) => count > 0).length).toBeGreaterThanOrEqual(2);
    } finally {
      await sessions.close();
    }
  });
});

describe.skipIf(!hasRedisServer)('Redis Sentinel', () => {
  let master: RedisProcess;
  let sentinel: RedisProcess;
  let sessions: SessionManager;
  beforeAll(async () => {
    master = await startRedis();
    const dir = mkdtempSync(join(tmpdir(), 'sessionscope-sentinel-'));
    const config = join(dir, 'sentinel.conf');
    writeFileSync(
      config,
      `sentinel monitor sessions 127.0.0.1 ${master.port} 1\nsentinel down-after-milliseconds sessions 1000\n`,
    );
    const port = await sparePort();
    sentinel = await startSentinel(config, port);
    sessions = createSessionManager({
      SECRET_KEY,
      SESSION_ENGINE: 'cache',
      CACHES: {
        default: {
          BACKEND: 'redis',
          KEY_PREFIX: 'sent',
          OPTIONS: { sentinels: [{ host: '127.0.0.1', port }], name: 'sessions' },
        },
      },
    });
  }, 20_000);
  afterAll(async () => {
    await sessions?.close();
    await sentinel?.stop();
    await master?.stop();
  });

  it('finds the master through the sentinel and stores sessions there', async () => {
    const s = sessions.open();
    await s.set('via', 'sentinel');
    await s.save();
    expect(await sessions.open(s.sessionKey).get('via')).toBe('sentinel');
    const { stdout } = await promisify(execFile)('redis-cli', [
      '-p',
      String(master.port),
      'exists',
      `sent:1:django.contrib.sessions.cache${s.sessionKey}`,
    ]);
    expect(stdout.trim()).toBe('1');
  });
});

/** `redis-server <config> --sentinel` on the given port; killed by its own pid only. */
async function startSentinel(config: string, port: number): Promise<RedisProcess> {
  const child = spawn('redis-server', [config, '--sentinel', '--port', String(port), '--bind', '127.0.0.1'], {
    stdio: 'ignore',
  });
  const until = Date.now() + 5000;
  while (!(await portOpen(port)) && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
  process.once('exit', () => child.kill('SIGKILL'));
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    start: async () => undefined,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    },
  };
}

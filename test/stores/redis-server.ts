/** Throwaway redis-server processes on spare ports, for fault and Cluster tests (killed by pid only). */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { portOpen } from '../helpers/services.js';

const run = promisify(execFile);

export async function sparePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface RedisProcess {
  port: number;
  url: string;
  /** SIGSTOP / SIGCONT: a server that accepts nothing and answers nothing (half-open socket). */
  freeze?(): void;
  thaw?(): void;
  stop(): Promise<void>;
  start(): Promise<void>;
}

async function waitFor(check: () => Promise<boolean>, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('redis-server did not start in time');
}

export async function startRedis(extraArgs: string[] = [], port?: number): Promise<RedisProcess> {
  const chosen = port ?? (await sparePort());
  const dir = mkdtempSync(join(tmpdir(), 'sessionscope-redis-'));
  let child: ChildProcess | null = null;
  const args = [
    '--port',
    String(chosen),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
    ...extraArgs,
  ];
  const handle: RedisProcess = {
    port: chosen,
    url: `redis://127.0.0.1:${chosen}`,
    async start() {
      child = spawn('redis-server', args, { stdio: 'ignore' });
      await waitFor(() => portOpen(chosen), 5000);
    },
    freeze() {
      child?.kill('SIGSTOP');
    },
    thaw() {
      child?.kill('SIGCONT');
    },
    async stop() {
      const running = child;
      child = null;
      if (!running || running.exitCode !== null) return;
      running.kill('SIGCONT');
      const exited = new Promise((r) => running.once('exit', r));
      running.kill('SIGKILL');
      await exited;
    },
  };
  await handle.start();
  const stop = handle.stop;
  handle.stop = async () => {
    await stop();
  };
  process.once('exit', () => {
    handle.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return handle;
}

/** Three masters, no replicas: the smallest cluster redis-cli will create. */
export async function startCluster(): Promise<{ nodes: RedisProcess[]; stop(): Promise<void> }> {
  const nodes: RedisProcess[] = [];
  for (let i = 0; i < 3; i++) {
    const port = await sparePort();
    nodes.push(
      await startRedis(
        [
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          `nodes-${port}.conf`,
          '--cluster-node-timeout',
          '2000',
        ],
        port,
      ),
    );
  }
  await run('redis-cli', [
    '--cluster',
    'create',
    ...nodes.map((n) => `127.0.0.1:${n.port}`),
    '--cluster-replicas',
    '0',
    '--cluster-yes',
  ]);
  // Wait until every node agrees the cluster is up.
  await waitFor(async () => {
    const states = await Promise.all(
      nodes.map((n) => run('redis-cli', ['-p', String(n.port), 'cluster', 'info']).then((r) => r.stdout)),
    );
    return states.every((s) => s.includes('cluster_state:ok'));
  }, 10_000);
  return { nodes, stop: async () => void (await Promise.all(nodes.map((n) => n.stop()))) };
}

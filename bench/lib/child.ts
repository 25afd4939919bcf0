/**
 * Runs a registered app (registry.ts) in a child process, so per-request server CPU (µs) can be
 * read from that process alone while autocannon loads it from here.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BenchApp, Running } from './app-kit.js';
import { APPS } from './registry.js';

const MAIN = fileURLToPath(new URL('./child-main.ts', import.meta.url));

export interface ServerStats {
  ops: number;
  cpuUs: number;
  rss: number;
}

function next<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: { type: string }) => {
      if (message.type !== type) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(message as T);
    };
    const onExit = (code: number | null) => reject(new Error(`bench app exited (${code}) before "${type}"`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

export function childApp(id: string): BenchApp & { id: string } {
  const make = APPS[id];
  if (!make) throw new Error(`unknown bench app ${id}`);
  const { framework, store, library } = make();
  return {
    id,
    framework,
    store,
    library,
    async start(): Promise<Running> {
      const child = fork(MAIN, [id], {
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      const { url } = await next<{ url: string }>(child, 'ready');
      let last: ServerStats = { ops: 0, cpuUs: 0, rss: 0 };
      return {
        url,
        ops: () => last.ops,
        async stats() {
          child.send({ type: 'stats' });
          last = await next<ServerStats>(child, 'stats');
          return last;
        },
        async close() {
          const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
          child.send({ type: 'close' });
          await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
          if (child.exitCode === null) child.kill('SIGKILL');
        },
      };
    },
  };
}

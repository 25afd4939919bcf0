/**
 * Starts the shop on a port (0 in tests) with the chosen engine and attaches the inspector agent
 * (`/__sessionscope/`) to the same server. Returns what main.ts prints and what tests need to stop it.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { resolve } from 'node:path';
import { type AgentHandle, attachAgent } from '../../server-agent/agent/agent.js';
import { createSessions, type Sessions } from '../../server-agent/create.js';
import type { SessionManagerOptions } from '../../server-agent/sessions/manager.js';
import { createShopApp } from './app.js';
import { engineSettings } from './engines.js';

export interface ShopOptions {
  port?: number;
  host?: string;
  engine?: string;
  /** Extra settings (tests freeze nothing here; they pass DATABASE_URL=:memory:). */
  settings?: SessionManagerOptions;
  agent?: boolean;
}

export interface RunningShop {
  url: string;
  sessions: Sessions;
  server: Server;
  inspectorUrl: string | null;
  extensionDir: string | null;
  close(): Promise<void>;
}

export async function startShop(options: ShopOptions = {}): Promise<RunningShop> {
  const engine = options.engine ?? 'db';
  const sessions = createSessions({ ...engineSettings(engine), ...options.settings });
  const server = createServer(createShopApp(sessions, engine));
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, host, () => done());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const url = `http://${host}:${port}/`;

  let agent: AgentHandle | null = null;
  // The inspector is a development tool: never attached in production.
  if (options.agent !== false && process.env.NODE_ENV !== 'production') {
    agent = attachAgent(server, sessions, { announce: false });
  }
  const extension = resolve('dist/extension');

  return {
    url,
    sessions,
    server,
    inspectorUrl: agent?.url ?? null,
    extensionDir: existsSync(extension) ? extension : null,
    async close() {
      await agent?.close();
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
      await sessions.close();
    },
  };
}

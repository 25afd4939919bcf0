/**
 * Starts the shop on a port (0 in tests) with the chosen engine, and attaches the inspector agent
 * when this build has one. Returns what main.ts prints and what tests need to stop it.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { resolve } from 'node:path';
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

interface AgentHandle {
  url: string;
  close(): Promise<void> | void;
}
type AttachAgent = (
  server: Server,
  sessions: Sessions,
  options?: Record<string, unknown>,
) => AgentHandle | Promise<AgentHandle>;

/** The agent is another part of the project; the shop works with or without it. */
async function loadAttachAgent(): Promise<AttachAgent | null> {
  for (const candidate of ['../../server-agent/agent/agent.js', '../../server-agent/agent/index.js']) {
    try {
      const module = (await import(candidate)) as { attachAgent?: AttachAgent };
      if (typeof module.attachAgent === 'function') return module.attachAgent;
    } catch {
      // Not built into this checkout yet.
    }
  }
  return null;
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
  if (options.agent !== false && process.env.NODE_ENV !== 'production') {
    const attachAgent = await loadAttachAgent();
    if (attachAgent) agent = await attachAgent(server, sessions, {});
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

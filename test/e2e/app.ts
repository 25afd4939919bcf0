/**
 * A tiny node:http app for the end-to-end tests: pages that only *read* the session, so after a
 * flush or an expiry the next response visibly deletes the cookie (the demo shop sets Django's test
 * cookie on its anonymous home page, which would mint a fresh session instead).
 */
import { createServer, type Server } from 'node:http';
import { type AgentHandle, attachAgent } from '../../server-agent/agent/agent.js';
import { createSessions, type Sessions } from '../../server-agent/create.js';
import type { Session } from '../../server-agent/sessions/session.js';

export interface E2eApp {
  url: string;
  origin: string;
  sessions: Sessions;
  agent: AgentHandle;
  /**
   * The app restarted as far as the agent can tell: the old one says goodbye, a new one takes over
   * (a new token, or with `keepToken` the same one, as the token file gives a `tsx watch` restart).
   */
  restartAgent(options?: { keepToken?: boolean }): Promise<AgentHandle>;
  /** The agent gone (the app still serving pages) until `startAgent` brings it back on the same token. */
  stopAgent(): Promise<void>;
  startAgent(): AgentHandle;
  close(): Promise<void>;
}

const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

export async function startApp(): Promise<E2eApp> {
  const sessions = createSessions({
    SECRET_KEY: 'e2e-secret-key-that-is-long-enough-for-django-0123456789',
    SESSION_ENGINE: 'db',
    DATABASE_URL: ':memory:',
  });
  const middleware = sessions.middleware();
  const server: Server = createServer((req, res) => {
    middleware(req, res, async () => {
      const session = (req as unknown as { session: Session }).session;
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname === '/login') {
        await session.cycleKey();
        await session.set('user', url.searchParams.get('user') ?? 'alice');
        await session.set('cart', { items: [{ sku: 'tea', qty: 2 }], note: 'gift' });
        res.writeHead(303, { location: '/' }).end();
        return;
      }
      if (url.pathname === '/cart' && req.method === 'POST') {
        // POST → 303 → GET: the navigation whose redirect chain the timeline must keep.
        const cart = ((await session.get('cart')) as
          | { items: { sku: string; qty: number }[] }
          | undefined) ?? {
          items: [],
        };
        await session.set('cart', { ...cart, items: [...cart.items, { sku: 'scone', qty: 1 }] });
        res.writeHead(303, { location: '/' }).end();
        return;
      }
      if (url.pathname === '/') {
        const user = (await session.get('user')) as string | undefined;
        const theme = (await session.get('theme')) as string | undefined;
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(
          `<!doctype html><title>e2e app</title><p>user: <b id="user">${escapeHtml(user ?? 'anonymous')}</b></p><p>theme: <b id="theme">${escapeHtml(theme ?? 'none')}</b></p><form method="post" action="/cart"><button id="add">Add a scone</button></form>`,
        );
        return;
      }
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
  let agent = attachAgent(server, sessions, { announce: false });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  // localhost rather than 127.0.0.1: the name the manifest's host permissions and most dev setups use.
  const origin = `http://localhost:${port}`;
  return {
    url: `${origin}/`,
    origin,
    sessions,
    get agent() {
      return agent;
    },
    async restartAgent(options = {}) {
      const { token } = agent;
      await agent.close();
      agent = attachAgent(server, sessions, { announce: false, ...(options.keepToken ? { token } : {}) });
      return agent;
    },
    async stopAgent() {
      await agent.close();
    },
    startAgent() {
      agent = attachAgent(server, sessions, { announce: false, token: agent.token });
      return agent;
    },
    async close() {
      await agent.close();
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
      await sessions.close();
    },
  };
}

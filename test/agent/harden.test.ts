/**
 * Issue 12 items on the agent: S1 (upgrades to other paths are never held), S6 (NODE_ENV read
 * case-insensitively and trimmed).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { attachAgent, startAgent } from '../../server-agent/agent/agent.js';
import { createSessions } from '../../server-agent/create.js';
import { isProduction } from '../../server-agent/sessions/env.js';
import { listen } from '../helpers/http.js';
import { Client, quietLogs, SECRET, startHarness } from './harness.js';

let logs: ReturnType<typeof quietLogs>;
beforeAll(() => {
  logs = quietLogs();
});
afterAll(() => logs.restore());

describe('S6 NODE_ENV', () => {
  it.each(['Production', 'PRODUCTION', 'production ', ' production\n', '\tProDuction'])(
    'S6 NODE_ENV=%j refuses the agent',
    async (value) => {
      const sessions = createSessions({ SECRET_KEY: SECRET, SESSION_ENGINE: 'db', DATABASE_URL: ':memory:' });
      const server = createServer();
      expect(() => attachAgent(server, sessions, { env: { NODE_ENV: value }, announce: false })).toThrow(
        /NODE_ENV=production/,
      );
      expect(server.listenerCount('upgrade')).toBe(0);
      await expect(startAgent(sessions, { env: { NODE_ENV: value }, announce: false })).rejects.toMatchObject(
        {
          code: 'SESSION_AGENT_REFUSED',
        },
      );
      await sessions.close();
    },
  );

  it('S6 other values are not production', () => {
    for (const value of ['development', 'test', 'productionish', 'prod', '', undefined])
      expect(isProduction({ NODE_ENV: value })).toBe(false);
  });

  it('S6 a production SECRET_KEY check applies to NODE_ENV=" Production"', () => {
    expect(() =>
      createSessions({ SECRET_KEY: 'short', DATABASE_URL: ':memory:', env: { NODE_ENV: ' Production' } }),
    ).toThrow(/too weak for production/);
  });
});

interface UpgradeAnswer {
  head: string;
  body: string;
  /** ms from sending to the server closing the connection, or null if still open after `waitMs`. */
  closedAfterMs: number | null;
}

/** A WebSocket upgrade to `path`, written by hand; waits up to `waitMs` for the server to close. */
function upgradeTo(port: number, path: string, waitMs = 2000): Promise<UpgradeAnswer> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    const started = Date.now();
    let received = '';
    let settled = false;
    const finish = (closed: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const [head = '', body = ''] = received.split('\r\n\r\n');
      resolve({ head, body, closedAfterMs: closed ? Date.now() - started : null });
    };
    const timer = setTimeout(() => finish(false), waitMs);
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
    });
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: localhost:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
    );
  });
}

/** The body, de-chunked when the answer was chunked. */
function bodyText(answer: UpgradeAnswer): string {
  if (!/transfer-encoding: chunked/i.test(answer.head)) return answer.body;
  let rest = answer.body;
  let text = '';
  for (;;) {
    const line = rest.indexOf('\r\n');
    const size = Number.parseInt(rest.slice(0, line), 16);
    if (!size) return text;
    text += rest.slice(line + 2, line + 2 + size);
    rest = rest.slice(line + 2 + size + 2);
  }
}

const statusOf = (head: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);

/** A small app: /hello answers text, anything else 404, as a plain node:http handler would. */
function plainApp(): Server {
  return createServer((req, res) => {
    if (req.url === '/hello') res.writeHead(200, { 'content-type': 'text/plain' }).end('hello from the app');
    else res.writeHead(404, { 'content-type': 'text/plain' }).end('no such page');
  });
}

function echoOn(wss: WebSocketServer): void {
  wss.on('connection', (ws) => ws.on('message', (data) => ws.send(`echo:${String(data)}`)));
}

async function echoes(url: string, protocol?: string): Promise<string> {
  const ws = new WebSocket(url, protocol);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const reply = new Promise<string>((resolve) => ws.once('message', (data) => resolve(String(data))));
  ws.send('ping');
  const text = await reply;
  ws.close();
  return text;
}

describe('S1 upgrades to other paths', () => {
  it('S1 without other upgrade listeners a non-agent upgrade is answered by the app, as Node answers it without the agent, and the socket is closed', async () => {
    const paths = ['/hello', '/other', '/socket.io/?EIO=4&transport=websocket'];
    const bare = await listen(plainApp());
    const expected = new Map<string, UpgradeAnswer>();
    // Without the agent Node keeps the connection alive 5 s after answering; only the answer is compared.
    for (const path of paths) expected.set(path, await upgradeTo(bare.port, path, 300));
    await bare.close();
    expect(statusOf(expected.get('/hello')?.head ?? '')).toBe(200);

    const harness = await startHarness({});
    const server = plainApp();
    const listening = await listen(server);
    const sessions = harness.sessions;
    const agent = attachAgent(server, sessions, { announce: false });
    try {
      for (const path of paths) {
        const answer = await upgradeTo(listening.port, path);
        const without = expected.get(path) as UpgradeAnswer;
        expect(statusOf(answer.head), path).toBe(statusOf(without.head));
        expect(bodyText(answer), path).toBe(bodyText(without));
        expect(answer.closedAfterMs, `${path}: the connection is closed, not held`).not.toBeNull();
      }
      // Through the session middleware too (the harness app behind its own agent).
      const dumped = await upgradeTo(harness.port, '/dump');
      expect([statusOf(dumped.head), bodyText(dumped)]).toEqual([200, '{}']);
      expect(dumped.closedAfterMs).not.toBeNull();
      // Held-socket check: nothing of those upgrades is still open on the server.
      const open = await new Promise<number>((resolve) => server.getConnections((_e, n) => resolve(n)));
      expect(open).toBe(0);
      // And the agent's own endpoint still works.
      const client = await Client.connect(agent.wsUrl, agent.token);
      expect((await client.hello()).type).toBe('welcome');
      client.close();
    } finally {
      await agent.close();
      await listening.close();
      await harness.close();
    }
  });

  it("S1 the app's own ws server ({ server, path }) keeps working beside the agent, attached before or after it", async () => {
    const harness = await startHarness({});
    for (const order of ['ws first', 'agent first'] as const) {
      const server = plainApp();
      const listening = await listen(server);
      let wss: WebSocketServer | undefined;
      if (order === 'ws first') wss = new WebSocketServer({ server, path: '/live' });
      const agent = attachAgent(server, harness.sessions, { announce: false });
      if (order === 'agent first') wss = new WebSocketServer({ server, path: '/live' });
      echoOn(wss as WebSocketServer);
      try {
        expect(await echoes(`ws://127.0.0.1:${listening.port}/live`), order).toBe('echo:ping');
        const client = await Client.connect(agent.wsUrl, agent.token);
        expect((await client.hello()).type, order).toBe('welcome');
        client.close();
        // ws answers other paths itself (400): the agent does not interfere.
        expect(statusOf((await upgradeTo(listening.port, '/elsewhere')).head), order).toBe(400);
      } finally {
        wss?.close();
        await agent.close();
        await listening.close();
      }
    }
    await harness.close();
  });

  it('S1 a Vite-HMR-like listener (its subprotocol only) and a socket.io-like listener (its path only) keep working', async () => {
    const harness = await startHarness({});
    const server = plainApp();
    const listening = await listen(server);
    const agent = attachAgent(server, harness.sessions, { announce: false });
    const hmr = new WebSocketServer({ noServer: true });
    const io = new WebSocketServer({ noServer: true });
    echoOn(hmr);
    echoOn(io);
    // Vite: handles upgrades carrying its subprotocol, ignores the rest.
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (req.headers['sec-websocket-protocol'] === 'vite-hmr')
        hmr.handleUpgrade(req, socket, head, (ws) => hmr.emit('connection', ws, req));
    });
    // engine.io: handles /socket.io/, ends other upgrades itself after a while (destroyUpgrade).
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if ((req.url ?? '').startsWith('/socket.io/'))
        io.handleUpgrade(req, socket, head, (ws) => io.emit('connection', ws, req));
      else if (req.headers['sec-websocket-protocol'] !== 'vite-hmr') setTimeout(() => socket.end(), 200);
    });
    try {
      expect(await echoes(`ws://127.0.0.1:${listening.port}/`, 'vite-hmr')).toBe('echo:ping');
      expect(await echoes(`ws://127.0.0.1:${listening.port}/socket.io/?EIO=4&transport=websocket`)).toBe(
        'echo:ping',
      );
      const client = await Client.connect(agent.wsUrl, agent.token);
      expect((await client.hello()).type).toBe('welcome');
      client.close();
      // The app's listeners own other paths: the socket.io-like one ends them, the agent adds nothing.
      const other = await upgradeTo(listening.port, '/other');
      expect(other.head).toBe('');
      expect(other.closedAfterMs).not.toBeNull();
    } finally {
      hmr.close();
      io.close();
      await agent.close();
      await listening.close();
      await harness.close();
    }
  });

  it('S1 close() gives the server back: no agent listener, the original emit', async () => {
    const harness = await startHarness({});
    const server = plainApp();
    const emit = server.emit;
    const agent = attachAgent(server, harness.sessions, { announce: false });
    expect(server.listenerCount('upgrade')).toBe(1);
    await agent.close();
    expect(server.listenerCount('upgrade')).toBe(0);
    expect(server.emit).toBe(emit);
    await harness.close();
  });
});

describe('S4 redaction at any depth', () => {
  /** {a:{a:…{password:'hunter2', note:'deep'}}}, `depth` levels of `a`. */
  const nest = (depth: number): Record<string, unknown> => {
    let value: Record<string, unknown> = { password: 'hunter2', note: 'deep' };
    for (let i = 0; i < depth; i++) value = { a: value };
    return value;
  };

  it.each([65, 66, 100, 400])(
    'S4 {a:{a:…{password}}} %i levels deep never shows the password in events, getSession or getValue',
    async (depth) => {
      const harness = await startHarness({
        app: async (req, res) => {
          await req.session.set('deep', nest(depth) as never);
          res.end('ok');
        },
      });
      try {
        const client = await Client.ready(harness.agent.wsUrl, harness.agent.token);
        await fetch(`${harness.baseUrl}/`);
        await client.waitEvent((e) => e.type === 'session.modified' && e.key === 'deep');
        const found = await client.ok('listSessions', {});
        const handle = found.items[0]?.session as string;
        const view = await client.ok('getSession', { session: handle });
        const whole = await client.ok('getValue', { session: handle, path: ['deep'] });
        const part = await client.ok('getValue', {
          session: handle,
          // The deepest path a command may name (64 steps).
          path: ['deep', ...Array.from({ length: 63 }, () => 'a')],
        });
        expect(part.value.t).toBe('object');
        for (const answer of [view, whole, part]) expect(JSON.stringify(answer)).not.toContain('hunter2');
        expect(client.messages.some((m) => JSON.stringify(m).includes('hunter2'))).toBe(false);
        client.ws.close();
      } finally {
        await harness.close();
      }
    },
  );
});

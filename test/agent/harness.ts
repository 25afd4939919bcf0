/**
 * Agent test harness: a real node:http app with the session middleware on port 0, the agent
 * attached to it, a SQLite file store, and real `ws` clients speaking the protocol.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { type AgentHandle, type AgentOptions, attachAgent } from '../../server-agent/agent/agent.js';
import {
  type AckMessage,
  type AgentMessage,
  type CommandBodies,
  type CommandOp,
  type CommandResults,
  type NackMessage,
  SUBPROTOCOL,
  type SequencedEvent,
  TOKEN_PROTOCOL_PREFIX,
  type WelcomeMessage,
} from '../../server-agent/agent/protocol.js';
import { createSessions, type Sessions } from '../../server-agent/create.js';
import { setLogSink } from '../../server-agent/sessions/log.js';
import { listen } from '../helpers/http.js';

export const SECRET = 'agent-test-secret-key-that-is-long-enough-0123456789';

export interface Harness {
  sessions: Sessions;
  server: Server;
  agent: AgentHandle;
  port: number;
  baseUrl: string;
  close(): Promise<void>;
}

export type AppHandler = (
  req: import('node:http').IncomingMessage,
  res: import('node:http').ServerResponse,
) => Promise<void> | void;

export async function startHarness(
  options: AgentOptions & { sessionOptions?: Record<string, unknown>; app?: AppHandler } = {},
): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'sessionscope-agent-'));
  const { sessionOptions, app, ...agentOptions } = options;
  const sessions = createSessions({
    SECRET_KEY: SECRET,
    SESSION_ENGINE: 'db',
    DATABASE_URL: join(dir, 'sessions.sqlite3'),
    ...sessionOptions,
  });
  const middleware = sessions.middleware();
  const server = createServer((req, res) => {
    middleware(req, res, () => {
      Promise.resolve(app ? app(req, res) : defaultApp(req, res)).catch((error: unknown) => {
        res.statusCode = 500;
        res.end(String(error));
      });
    });
  });
  const listening = await listen(server);
  const agent = attachAgent(server, sessions, { announce: false, ...agentOptions });
  return {
    sessions,
    server,
    agent,
    port: listening.port,
    baseUrl: listening.url,
    async close() {
      await agent.close();
      await listening.close();
      await sessions.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** /set?k=v sets a key, /get reads, /flush flushes, anything else reads `count` and increments it. */
async function defaultApp(
  req: import('node:http').IncomingMessage,
  res: import('node:http').ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://x');
  const session = req.session!;
  if (url.pathname === '/set') {
    for (const [k, v] of url.searchParams) await session.set(k, v);
  } else if (url.pathname === '/flush') {
    await session.flush();
  } else if (url.pathname === '/get') {
    await session.get('x');
  } else if (url.pathname === '/dump') {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(Object.fromEntries(await session.items())));
    return;
  } else {
    const count = ((await session.get('count')) as number | undefined) ?? 0;
    await session.set('count', count + 1);
  }
  res.setHeader('content-type', 'text/plain');
  res.end('ok');
}

/**
 * A new session made over HTTP (`/?<query>`), its cookie, and its handle as a client that watched
 * the request saw it (the watcher leaves again).
 */
export async function login(harness: Harness, query = ''): Promise<{ cookie: string; handle: string }> {
  const watcher = await Client.ready(harness.agent.wsUrl, harness.agent.token);
  const res = await fetch(`${harness.baseUrl}/?${query}`);
  const cookie = res.headers.get('set-cookie')!.split(';', 1)[0]!;
  const requestId = res.headers.get('x-sessionscope-request');
  const saved = await watcher.waitEvent((e) => e.type === 'session.saved' && e.requestId === requestId);
  await watcher.close();
  if (saved.type !== 'session.saved' || !saved.session) throw new Error('no handle');
  return { cookie, handle: saved.session };
}

/** Silences the agent's notice lines (audit, startup) during tests; returns the records. */
export function quietLogs(): { lines: string[]; restore: () => void } {
  const lines: string[] = [];
  const restore = setLogSink((record) => lines.push(`${record.namespace} ${record.level} ${record.message}`));
  return { lines, restore };
}

export class Client {
  readonly messages: AgentMessage[] = [];
  readonly events: SequencedEvent[] = [];
  /** The last seq the agent accounted for (`through` of events frames, `seq` of snapshots). */
  lastSeq = 0;
  // Far above any id a fuzzer sends, so answers are never confused.
  private nextId = 2 ** 40;
  private waiters: { test: (m: AgentMessage) => boolean; resolve: (m: AgentMessage) => void }[] = [];
  closed: { code: number; reason: string } | null = null;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as AgentMessage;
      this.messages.push(message);
      if (message.type === 'events') {
        this.events.push(...message.events);
        this.lastSeq = message.through;
      }
      if (message.type === 'snapshot') {
        this.events.push(...message.events);
        this.lastSeq = message.seq;
      }
      this.waiters = this.waiters.filter((waiter) => {
        if (!waiter.test(message)) return true;
        waiter.resolve(message);
        return false;
      });
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: String(reason) };
    });
  }

  static async connect(wsUrl: string, token: string, headers: Record<string, string> = {}): Promise<Client> {
    const ws = new WebSocket(wsUrl, [SUBPROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${token}`], { headers });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`refused ${res.statusCode}`)));
    });
    return new Client(ws);
  }

  /** Connects, says hello (protocol 2-3 unless told), subscribes. */
  static async ready(wsUrl: string, token: string, protocol?: { min: number; max: number }): Promise<Client> {
    const client = await Client.connect(wsUrl, token);
    await client.hello(protocol);
    client.send({ v: 1, type: 'subscribe' });
    await client.next((m) => m.type === 'snapshot');
    return client;
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /**
   * Sends a watch and waits until the agent applied it: a client's frames are handled in order, so
   * the ack of a command sent after it means the watch is in place (a fixed sleep races on a busy
   * machine).
   */
  async watchNow(sessions: string[]): Promise<void> {
    this.send({ v: 1, type: 'watch', watch: { all: false, sessions } });
    const ack = await this.command('listSessions', { limit: 1 });
    if (ack.type !== 'ack') throw new Error(`the command after the watch was refused: ${ack.message}`);
  }

  async hello(protocol = { min: 2, max: 3 }): Promise<WelcomeMessage> {
    this.send({ v: 1, type: 'hello', client: 'test', clientVersion: '0', protocol });
    return (await this.next((m) => m.type === 'welcome')) as WelcomeMessage;
  }

  next(test: (m: AgentMessage) => boolean, timeoutMs = 3000): Promise<AgentMessage> {
    const already = this.messages.find(test);
    if (already) return Promise.resolve(already);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out waiting; got ${JSON.stringify(this.messages.map((m) => m.type))}`)),
        timeoutMs,
      );
      this.waiters.push({
        test,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  }

  async command<K extends CommandOp>(
    op: K,
    body: CommandBodies[K],
  ): Promise<Extract<AckMessage, { op: K }> | NackMessage> {
    const id = this.nextId++;
    this.send({ v: 1, type: 'command', id, op, ...body });
    return (await this.next((m) => (m.type === 'ack' || m.type === 'nack') && m.id === id)) as
      | Extract<AckMessage, { op: K }>
      | NackMessage;
  }

  async ok<K extends CommandOp>(op: K, body: CommandBodies[K]): Promise<CommandResults[K]> {
    const answer = await this.command(op, body);
    if (answer.type === 'nack') throw new Error(`${op} nacked: ${answer.code} ${answer.message}`);
    return answer.result as CommandResults[K];
  }

  async waitEvent(
    test: (e: SequencedEvent['event']) => boolean,
    timeoutMs = 3000,
  ): Promise<SequencedEvent['event']> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find((item) => test(item.event));
      if (found) return found.event;
      if (Date.now() > deadline)
        throw new Error(`no such event; saw ${this.events.map((e) => e.event.type).join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}

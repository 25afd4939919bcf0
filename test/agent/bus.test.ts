/**
 * Issue 14 item 1: one inspector for every process. Two apps (two "processes": two session
 * managers, two agents) share a store and an agent bus, on a private redis-server and on the shared
 * PostgreSQL with a channel of their own; a client of one agent sees both apps' requests in one
 * timeline, tagged with their process, and its commands act on sessions the other app served.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { WireEvent } from '../../server-agent/agent/protocol.js';
import { busChannel } from '../../server-agent/agent/bus-connect.js';
import { postgresChannel } from '../../server-agent/agent/bus-postgres.js';
import { requireService } from '../helpers/services.js';
import { busOf, dropSchema, ownRedisOrNull, POSTGRES, until } from './bus-setup.js';
import { Client, type Harness, quietLogs, startHarness } from './harness.js';

const pgUp = await requireService('PostgreSQL', 5432);
let logs: ReturnType<typeof quietLogs>;
beforeAll(() => {
  logs = quietLogs();
});
afterAll(() => logs.restore());

interface Pair {
  a: Harness;
  b: Harness;
  /** What b was started with, to start a third process like it. */
  bOptions: Parameters<typeof startHarness>[0];
  channel: string;
  close(): Promise<void>;
}

function suite(
  name: string,
  setup: () => Promise<Pair>,
  raw: (
    channel: string,
  ) => Promise<{ publish(text: string): Promise<void>; messages: string[]; close(): Promise<void> }>,
) {
  describe(name, () => {
    let pair: Pair;
    beforeAll(async () => {
      pair = await setup();
      await Promise.all([pair.a.agent.ready, pair.b.agent.ready]);
    });
    afterAll(async () => pair?.close());

    it('a client of one process sees both processes’ requests in one timeline, each tagged with its process', async () => {
      const client = await Client.ready(pair.a.agent.wsUrl, pair.a.agent.token);
      const tap = await raw(pair.channel);
      // b learns that a has a client (presence), then starts publishing.
      await until(() => (busOf(client)?.processes.length ?? 0) >= 2);
      const bInfo = busOf(client)!.processes.find((p) => !p.self)!;
      expect(bInfo).toMatchObject({ app: 'app-b', pid: process.pid, self: false });
      await until(async () => {
        const res = await fetch(`${pair.b.baseUrl}/set?password=hunter2&lang=fr`);
        const id = res.headers.get('x-sessionscope-request');
        // Let this request's events arrive before asking (a new request per probe would race its own).
        await new Promise((resolve) => setTimeout(resolve, 100));
        return (
          id && client.events.some((e) => e.event.type === 'request.end' && e.event.requestId === id) && res
        );
      });
      const fromB = client.events.map((e) => e.event).filter((e) => e.proc === bInfo.id);
      expect(fromB.map((e) => e.type)).toEqual(
        expect.arrayContaining(['request.start', 'session.modified', 'request.end']),
      );
      const local = await fetch(`${pair.a.baseUrl}/?x=1`);
      const localId = local.headers.get('x-sessionscope-request');
      const own = await client.waitEvent((e) => e.type === 'request.end' && e.requestId === localId, 8000);
      expect(own.proc).toBeUndefined();
      // The bus carries previews and handles: the password is redacted, the key never travels.
      const cookie = (await fetch(`${pair.b.baseUrl}/set?token=abc`)).headers.get('set-cookie')!;
      const key = cookie.split(';', 1)[0]!.split('=')[1]!;
      await until(() => tap.messages.some((m) => m.includes('"token"')));
      const all = tap.messages.join('\n');
      expect(all).not.toContain('hunter2');
      expect(all).not.toContain(key);
      await tap.close();
      await client.close();
    });

    it('commands from one process act on a session another process served (shared store, shared handles)', async () => {
      const client = await Client.ready(pair.a.agent.wsUrl, pair.a.agent.token);
      await until(() => (busOf(client)?.processes.length ?? 0) >= 2);
      // b publishes only once it has heard that a has a client again (presence).
      await until(() => pair.b.agent.hub.link?.interested);
      const res = await fetch(`${pair.b.baseUrl}/set?cart=apple`);
      const cookie = res.headers.get('set-cookie')!.split(';', 1)[0]!;
      const id = res.headers.get('x-sessionscope-request');
      const saved = (await client.waitEvent(
        (e) => e.type === 'session.saved' && e.requestId === id,
        8000,
      )) as Extract<WireEvent, { type: 'session.saved' }>;
      // The same session through a's own middleware gets the same handle.
      const viaA = await fetch(`${pair.a.baseUrl}/get`, { headers: { cookie } });
      const aId = viaA.headers.get('x-sessionscope-request');
      const loaded = await client.waitEvent((e) => e.type === 'session.loaded' && e.requestId === aId, 8000);
      expect(loaded.type === 'session.loaded' && loaded.session).toBe(saved.session);
      // A fresh agent process never served this session: it finds it in the store by handle.
      const fresh = await startHarness({ ...pair.bOptions, appName: 'app-c' });
      const viaC = await Client.ready(fresh.agent.wsUrl, fresh.agent.token);
      await viaC.ok('set', { session: saved.session!, key: 'cart', value: 'pear' });
      const dump = await fetch(`${pair.b.baseUrl}/dump`, { headers: { cookie } });
      expect(await dump.json()).toMatchObject({ cart: 'pear' });
      await viaC.close();
      await fresh.close();
      await client.close();
    });

    it('messages of another deployment or of a bad shape are ignored and counted; the virtual clock is per process', async () => {
      const client = await Client.ready(pair.a.agent.wsUrl, pair.a.agent.token);
      await until(() => (busOf(client)?.processes.length ?? 0) >= 2);
      const tap = await raw(pair.channel);
      const from = { id: 'evil:1:x', host: 'evil', pid: 1, app: 'evil' };
      await tap.publish(JSON.stringify({ v: 1, dep: 'other-deployment', from, kind: 'events', items: [] }));
      await tap.publish('{not json');
      await tap.publish(
        JSON.stringify({
          v: 1,
          dep: 'default',
          from,
          kind: 'events',
          items: [[1, null, 0, { type: 'session.flushed', at: 1 }]],
        }),
      );
      await tap.publish(
        JSON.stringify({
          v: 1,
          dep: 'default',
          from,
          kind: 'events',
          items: [[1, null, 0, { type: 'agent.bus', at: 1, bus: {} }]],
        }),
      );
      await until(() => (busOf(client)?.ignored ?? 0) >= 4, { timeoutMs: 6000 });
      expect(client.events.some((e) => e.event.proc === from.id)).toBe(false);
      await client.ok('clockTravel', { seconds: 3600 });
      const bView = await Client.ready(pair.b.agent.wsUrl, pair.b.agent.token);
      expect(bView.messages.find((m) => m.type === 'welcome')).toMatchObject({ clock: { offsetSeconds: 0 } });
      await until(() => busOf(bView)?.processes.find((p) => !p.self)?.clockOffsetSeconds === 3600, {
        timeoutMs: 6000,
      });
      await client.ok('clockReset', {});
      await Promise.all([tap.close(), client.close(), bView.close()]);
    });
  });
}

// ---- Redis: a private redis-server as both the store and the bus ("the store's own") ----------

const redis = await ownRedisOrNull();
const redisUp = redis !== null;

async function redisPair(): Promise<Pair> {
  const url = redis!.url;
  const sessionOptions = {
    SESSION_ENGINE: 'cache',
    CACHES: { default: { BACKEND: 'redis', LOCATION: url, KEY_PREFIX: 'bus-test' } },
    SESSION_AGENT_BUS: true,
  };
  const a = await startHarness({ sessionOptions, appName: 'app-a' });
  const b = await startHarness({ sessionOptions, appName: 'app-b' });
  return {
    a,
    b,
    bOptions: { sessionOptions, appName: 'app-b' },
    channel: busChannel('sessionid', 'default'),
    async close() {
      await a.close();
      await b.close();
    },
  };
}

async function redisTap(channel: string) {
  const pub = new Redis(redis!.url);
  const sub = new Redis(redis!.url);
  const messages: string[] = [];
  sub.on('message', (_c: string, m: string) => messages.push(m));
  await sub.subscribe(channel);
  return {
    messages,
    async publish(text: string) {
      await pub.publish(channel, text);
    },
    async close() {
      pub.disconnect();
      sub.disconnect();
    },
  };
}

describe.skipIf(!redisUp)('F1 agent bus on Redis (private redis-server)', () => {
  afterAll(async () => redis?.stop());
  suite('fan-in', redisPair, redisTap);

  it('a bus that stops answering never slows requests: events are dropped and counted', async () => {
    const pair = await redisPair();
    await Promise.all([pair.a.agent.ready, pair.b.agent.ready]);
    const client = await Client.ready(pair.a.agent.wsUrl, pair.a.agent.token);
    await until(() => (busOf(client)?.processes.length ?? 0) >= 2);
    const bBus = pair.b.agent.hub.link!.bus;
    // B publishes only once it has heard that A has a client (presence crosses the bus): frozen
    // before that, B never publishes and nothing can be dropped (CI at load 10 on Node 24).
    await until(() => bBus.interested, { timeoutMs: 10_000 });
    // Freeze redis-server (SIGSTOP): sockets stay open, nothing is answered.
    redis!.freeze();
    try {
      // One batch per tick: more ticks than the bus allows publishes in flight.
      let slowest = 0;
      for (let i = 0; i < 200; i++) {
        const started = performance.now();
        pair.b.sessions.events.emit('session.warning', {
          at: Date.now(),
          code: 'x',
          message: 'y'.repeat(500),
        });
        slowest = Math.max(slowest, performance.now() - started);
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect(slowest).toBeLessThan(50);
      await until(() => bBus.counters.dropped > 0, { timeoutMs: 8000 });
    } finally {
      redis!.thaw();
    }
    await client.close();
    await pair.close();
  });
});

// ---- PostgreSQL: the shared server, LISTEN/NOTIFY on a channel of this run's own -------------

const deployment = `bus${process.pid}x${Date.now().toString(36)}`;
const schema = `bus_${process.pid}_${Date.now().toString(36)}`;

async function postgresPair(): Promise<Pair> {
  const sessionOptions = {
    DATABASE_URL: `${POSTGRES}?schema=${schema}`,
    SESSION_AGENT_BUS: true,
    SESSION_AGENT_DEPLOYMENT: deployment,
  };
  const a = await startHarness({ sessionOptions, appName: 'app-a' });
  const b = await startHarness({ sessionOptions, appName: 'app-b' });
  return {
    a,
    b,
    bOptions: { sessionOptions, appName: 'app-b' },
    channel: postgresChannel(busChannel('sessionid', deployment)),
    async close() {
      await a.close();
      await b.close();
      await dropSchema(schema);
    },
  };
}

async function postgresTap(channel: string) {
  const client = new pg.Client(POSTGRES);
  await client.connect();
  const messages: string[] = [];
  client.on('notification', (n) => n.channel === channel && n.payload && messages.push(n.payload));
  await client.query(`LISTEN "${channel}"`);
  return {
    messages,
    async publish(text: string) {
      // The hostile messages name this deployment where the test needs them to (dep: 'default' → ours).
      await client.query('SELECT pg_notify($1, $2)', [
        channel,
        text.replaceAll('"dep":"default"', `"dep":"${deployment}"`),
      ]);
    },
    async close() {
      await client.end();
    },
  };
}

describe.skipIf(!pgUp)('F1 agent bus on PostgreSQL (LISTEN/NOTIFY, shared server, own channel)', () => {
  suite('fan-in', postgresPair, postgresTap);
});

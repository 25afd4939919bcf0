/**
 * The event stream: a real HTTP request producing the full sequence, the request-id header only
 * while a client is connected, snapshot/seq/resync, broadcast, lost-update detection, goodbye.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WireEvent } from '../../server-agent/agent/protocol.js';
import { Client, type Harness, quietLogs, startHarness } from './harness.js';

let harness: Harness;
let logs: ReturnType<typeof quietLogs>;
let release: (() => void)[] = [];

beforeAll(async () => {
  logs = quietLogs();
  harness = await startHarness({
    app: async (req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const session = req.session!;
      if (url.pathname === '/slow') {
        // Load, then wait for the test to let it go: makes two requests overlap on one session.
        await session.get('count');
        await new Promise<void>((resolve) => release.push(resolve));
        await session.set(url.searchParams.get('key') ?? 'k', url.searchParams.get('value') ?? 'v');
      } else {
        for (const [k, v] of url.searchParams) await session.set(k, v);
      }
      res.end('ok');
    },
  });
});
afterAll(async () => {
  await harness.close();
  logs.restore();
});

describe('request view', () => {
  it('no client connected: no request-id header and the events emitter is idle', async () => {
    expect(harness.sessions.events.active).toBe(false);
    const res = await fetch(`${harness.baseUrl}/?a=1`);
    expect(res.headers.get('x-sessionscope-request')).toBeNull();
  });

  it('a real HTTP request produces the full event sequence, joined by the response header', async () => {
    const client = await Client.ready(harness.agent.wsUrl, harness.agent.token);
    const first = await fetch(`${harness.baseUrl}/?name=ada`);
    const cookie = first.headers.get('set-cookie')!.split(';', 1)[0]!;
    const res = await fetch(`${harness.baseUrl}/?lang=fr`, { headers: { cookie } });
    const requestId = res.headers.get('x-sessionscope-request');
    expect(requestId).toMatch(/^r[0-9a-z]+$/);
    await client.waitEvent((e) => e.type === 'request.end' && e.requestId === requestId);
    const events = client.events
      .map((item) => item.event)
      .filter((e): e is WireEvent & { requestId: string } => 'requestId' in e && e.requestId === requestId);
    expect(events.map((e) => e.type)).toEqual([
      'request.start',
      'session.loaded',
      'session.modified',
      'session.saved',
      'cookie.set',
      'request.end',
    ]);
    const [start, loaded, modified, saved, cookieSet, end] = events;
    expect(start).toMatchObject({ method: 'GET', path: '/', cookiePresent: true });
    expect(loaded).toMatchObject({ outcome: 'hit', keys: 1 });
    expect(modified).toMatchObject({ key: 'lang', op: 'set', after: { t: 'value', value: 'fr' } });
    expect(saved).toMatchObject({ mustCreate: false, keys: ['name', 'lang'] });
    expect(cookieSet).toMatchObject({
      cookie: { name: 'sessionid', httpOnly: true, sameSite: 'Lax', path: '/' },
    });
    expect(JSON.stringify(events)).not.toContain(cookie.split('=')[1]!);
    expect(end).toMatchObject({ status: 200, saved: true, accessed: true, modified: true });
    const seqs = client.events.map((item) => item.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    await client.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(harness.sessions.events.active).toBe(false);
  });

  it('two overlapping requests that both save emit session.conflict naming the overwritten keys', async () => {
    const client = await Client.ready(harness.agent.wsUrl, harness.agent.token);
    const first = await fetch(`${harness.baseUrl}/?seed=1`);
    const cookie = first.headers.get('set-cookie')!.split(';', 1)[0]!;
    release = [];
    const a = fetch(`${harness.baseUrl}/slow?key=cart&value=apple`, { headers: { cookie } });
    const b = fetch(`${harness.baseUrl}/slow?key=theme&value=dark`, { headers: { cookie } });
    while (release.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    release[0]!();
    const firstDone = await Promise.race([a.then(() => 'a'), b.then(() => 'b')]);
    release[1]!();
    const later = await (firstDone === 'a' ? b : a);
    const conflict = await client.waitEvent((e) => e.type === 'session.conflict');
    expect(conflict).toMatchObject({
      requestId: later.headers.get('x-sessionscope-request'),
      overwrittenKeys: [firstDone === 'a' ? 'cart' : 'theme'],
    });
    await client.close();
  });
});

describe('stream', () => {
  it('every authenticated client receives every event (broadcast)', async () => {
    const one = await Client.ready(harness.agent.wsUrl, harness.agent.token);
    const two = await Client.ready(harness.agent.wsUrl, harness.agent.token);
    const res = await fetch(`${harness.baseUrl}/?b=1`);
    const requestId = res.headers.get('x-sessionscope-request');
    await one.waitEvent((e) => e.type === 'request.end' && e.requestId === requestId);
    await two.waitEvent((e) => e.type === 'request.end' && e.requestId === requestId);
    await Promise.all([one.close(), two.close()]);
  });

  it('subscribe {sinceSeq} replays exactly the missed events; an old seq gets a fresh snapshot', async () => {
    const client = await Client.ready(harness.agent.wsUrl, harness.agent.token);
    await fetch(`${harness.baseUrl}/?c=1`);
    await client.waitEvent((e) => e.type === 'request.end');
    await new Promise((resolve) => setTimeout(resolve, 20));
    const last = client.lastSeq;
    client.send({ v: 1, type: 'unsubscribe' });
    await fetch(`${harness.baseUrl}/?d=1`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    client.messages.length = 0;
    client.send({ v: 1, type: 'subscribe', sinceSeq: last });
    const snapshot = await client.next((m) => m.type === 'snapshot');
    expect(snapshot).toMatchObject({ continuous: true });
    if (snapshot.type !== 'snapshot') throw new Error('no snapshot');
    // Seqs continue from `last`; the one request's summary (seq after its request.end) is left out
    // for a client watching everything, so the snapshot ends just before `snapshot.seq`.
    expect(snapshot.events[0]?.seq).toBe(last + 1);
    expect(snapshot.events.at(-1)?.seq).toBe(snapshot.seq - 1);
    expect(snapshot.events.map((e) => e.event.type)).not.toContain('request.summary');
    client.messages.length = 0;
    client.send({ v: 1, type: 'subscribe', sinceSeq: 10_000_000 });
    expect(await client.next((m) => m.type === 'snapshot')).toMatchObject({ continuous: false });
    await client.close();
  });

  it('a client that does not read is cut off from events and told to resync, the app unaffected', async () => {
    const small = await startHarness({ limits: { maxQueuedBytes: 64 * 1024 } });
    const client = await Client.ready(small.agent.wsUrl, small.agent.token);
    const socket = (client.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    socket.pause();
    // 30 MB of events: more than the kernel's socket buffers can swallow for a paused reader.
    for (let i = 0; i < 300; i++) {
      small.sessions.events.emit('session.warning', {
        at: Date.now(),
        code: 'test',
        message: 'x'.repeat(100_000),
      });
      if (i % 10 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(small.agent.hub.clients.size).toBe(1);
    const started = performance.now();
    const res = await fetch(`${small.baseUrl}/set?after=1`);
    expect(res.status).toBe(200);
    expect(performance.now() - started).toBeLessThan(1000);
    socket.resume();
    const resync = await client.next((m) => m.type === 'resync', 5000);
    expect(resync).toMatchObject({ reason: 'overflow' });
    await client.close();
    await small.close();
  });

  it('a version mismatch gets a clear error and close 4001; close sends goodbye', async () => {
    const client = await Client.connect(harness.agent.wsUrl, harness.agent.token);
    client.send({
      v: 1,
      type: 'hello',
      client: 'extension',
      clientVersion: '9',
      protocol: { min: 4, max: 5 },
    });
    const error = await client.next((m) => m.type === 'error');
    expect(error).toMatchObject({ code: 'version', agentProtocol: { min: 2, max: 3 } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(client.closed?.code).toBe(4001);

    const other = await startHarness();
    const stay = await Client.ready(other.agent.wsUrl, other.agent.token);
    await other.agent.close();
    expect(await stay.next((m) => m.type === 'goodbye')).toMatchObject({ reason: 'shutdown' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stay.closed?.code).toBe(1001);
    await other.close();
  });

  it('serves the inspector page (or the build hint) and the doctor probe, without CORS', async () => {
    const page = await fetch(`${harness.baseUrl}/__sessionscope/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('access-control-allow-origin')).toBeNull();
    expect(await page.text()).toMatch(/<html|<!doctype/i);
    const traversal = await fetch(`${harness.baseUrl}/__sessionscope/..%2f..%2fpackage.json`);
    expect(traversal.status).toBe(404);
    const doctor = await fetch(`${harness.baseUrl}/__sessionscope/ws?token=wrong`);
    expect(await doctor.json()).toMatchObject({ ok: false, code: 'token' });
    const good = await fetch(`${harness.baseUrl}/__sessionscope/ws?token=${harness.agent.token}`);
    expect(await good.json()).toMatchObject({ ok: true });
    const app = await fetch(`${harness.baseUrl}/?e=1`);
    expect(await app.text()).toBe('ok');
  });
});

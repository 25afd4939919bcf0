/**
 * Issue 13 item 4 (protocol 2): a client says what it watches. Requests on watched sessions arrive
 * whole; every other request arrives as one `request.summary` without values; `after`/`through`
 * chain the frames so a client still notices lost events.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventsMessage, WireEvent } from '../../server-agent/agent/protocol.js';
import { Client, type Harness, login, quietLogs, startHarness } from './harness.js';

let harness: Harness;
let logs: ReturnType<typeof quietLogs>;

beforeAll(async () => {
  logs = quietLogs();
  harness = await startHarness({
    app: async (req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const session = req.session!;
      if (url.pathname === '/cycle') await session.cycleKey();
      for (const [k, v] of url.searchParams) await session.set(k, v);
      res.end('ok');
    },
  });
});
afterAll(async () => {
  await harness.close();
  logs.restore();
});

const typesOf = (events: WireEvent[], requestId: string | null) =>
  events.filter((e) => 'requestId' in e && e.requestId === requestId).map((e) => e.type);

describe('A watch (issue 13 item 4)', () => {
  it('a client watching one session gets its requests whole and every other request as one summary without values', async () => {
    const mine = await login(harness, 'who=me');
    const other = await login(harness, 'who=them');
    const client = await Client.ready(harness.agent.wsUrl, harness.agent.token);
    await client.watchNow([mine.handle]);
    const a = await fetch(`${harness.baseUrl}/?lang=fr`, { headers: { cookie: mine.cookie } });
    const b = await fetch(`${harness.baseUrl}/?secretvalue=hunter2`, { headers: { cookie: other.cookie } });
    const aId = a.headers.get('x-sessionscope-request');
    const bId = b.headers.get('x-sessionscope-request');
    const summary = await client.waitEvent((e) => e.type === 'request.summary' && e.requestId === bId);
    await client.waitEvent((e) => e.type === 'request.end' && e.requestId === aId);
    const events = client.events.map((item) => item.event);
    expect(typesOf(events, aId)).toEqual([
      'request.start',
      'session.loaded',
      'session.modified',
      'session.saved',
      'cookie.set',
      'request.end',
    ]);
    expect(typesOf(events, bId)).toEqual(['request.summary']);
    expect(summary).toMatchObject({
      session: other.handle,
      method: 'GET',
      path: '/',
      status: 200,
      cookiePresent: true,
      loaded: 'hit',
      changed: ['secretvalue'],
      saved: true,
      cookie: 'set',
      events: 6,
    });
    expect(JSON.stringify(summary)).not.toContain('hunter2');
    await client.close();
  });

  it('frames chain by after/through: each frame continues exactly where the last one ended', async () => {
    const mine = await login(harness, 'who=chain');
    const client = await Client.ready(harness.agent.wsUrl, harness.agent.token);
    client.send({ v: 1, type: 'subscribe', watch: { all: false, sessions: [] } });
    await client.next(
      (m) => m.type === 'snapshot' && client.messages.filter((x) => x.type === 'snapshot').length === 2,
    );
    const start = client.lastSeq;
    let lastId: string | null = null;
    for (let i = 0; i < 5; i++)
      lastId = (await fetch(`${harness.baseUrl}/?i=${i}`, { headers: { cookie: mine.cookie } })).headers.get(
        'x-sessionscope-request',
      );
    // Summaries leave together within SUMMARY_DELAY_MS; wait for the last request's.
    await client.waitEvent((e) => e.type === 'request.summary' && e.requestId === lastId);
    const frames = client.messages.filter((m): m is EventsMessage => m.type === 'events');
    expect(frames.length).toBeGreaterThan(0);
    let held = start;
    for (const frame of frames) {
      expect(frame.after).toBe(held);
      expect(frame.through).toBeGreaterThanOrEqual(frame.events.at(-1)!.seq);
      held = frame.through;
    }
    const types = frames.flatMap((f) => f.events.map((e) => e.event.type));
    expect(types).toEqual(Array(5).fill('request.summary'));
    await client.close();
  });

  it('a watched session stays watched across a key cycle; two clients each get their own view', async () => {
    const mine = await login(harness, 'who=cycler');
    const narrow = await Client.ready(harness.agent.wsUrl, harness.agent.token);
    const wide = await Client.ready(harness.agent.wsUrl, harness.agent.token);
    await narrow.watchNow([mine.handle]);
    const cycled = await fetch(`${harness.baseUrl}/cycle?step=1`, { headers: { cookie: mine.cookie } });
    const cookie = cycled.headers.get('set-cookie')!.split(';', 1)[0]!;
    const cycledId = cycled.headers.get('x-sessionscope-request');
    const event = await narrow.waitEvent((e) => e.type === 'session.keyCycled' && e.requestId === cycledId);
    if (event.type !== 'session.keyCycled') throw new Error('not a key cycle');
    expect(event.from).toBe(mine.handle);
    const after = await fetch(`${harness.baseUrl}/?step=2`, { headers: { cookie } });
    const afterId = after.headers.get('x-sessionscope-request');
    await narrow.waitEvent((e) => e.type === 'request.end' && e.requestId === afterId);
    expect(
      typesOf(
        narrow.events.map((e) => e.event),
        afterId,
      ),
    ).toContain('session.modified');
    // The wide client (default: everything) never sees a summary for requests it got whole.
    await wide.waitEvent((e) => e.type === 'request.end' && e.requestId === afterId);
    const ours = new Set([cycledId, afterId]);
    expect(
      wide.events.some((e) => e.event.type === 'request.summary' && ours.has(e.event.requestId ?? null)),
    ).toBe(false);
    expect(
      typesOf(
        wide.events.map((e) => e.event),
        afterId,
      ),
    ).toContain('session.modified');
    await Promise.all([narrow.close(), wide.close()]);
  });

  it('a client that starts watching a session it only saw in summaries gets its last Set-Cookie', async () => {
    const mine = await login(harness, 'who=late');
    const client = await Client.ready(harness.agent.wsUrl, harness.agent.token);
    await client.watchNow([]);
    const res = await fetch(`${harness.baseUrl}/?x=1`, { headers: { cookie: mine.cookie } });
    const requestId = res.headers.get('x-sessionscope-request');
    await client.waitEvent((e) => e.type === 'request.summary' && e.requestId === requestId);
    expect(
      typesOf(
        client.events.map((e) => e.event),
        requestId,
      ),
    ).toEqual(['request.summary']);
    client.send({ v: 1, type: 'watch', watch: { all: false, sessions: [mine.handle] } });
    const cookie = await client.waitEvent((e) => e.type === 'cookie.set' && e.requestId === requestId);
    expect(cookie).toMatchObject({ requestId, session: mine.handle, cookie: { name: 'sessionid' } });
    await client.close();
  });

  it('with nobody watching a session its requests build no previews: the event values are never read', async () => {
    const mine = await login(harness, 'who=lazy');
    const client = await Client.ready(harness.agent.wsUrl, harness.agent.token);
    await client.watchNow([]);
    let reads = 0;
    const probe = harness.sessions.open();
    await probe.set('probe', 1);
    const trap = {
      get big() {
        reads++;
        return 'x';
      },
    };
    harness.sessions.events.dispatch({
      type: 'session.modified',
      at: Date.now(),
      requestId: 'nobody-started-this',
      session: mine.handle,
      key: 'k',
      op: 'set',
      after: trap as never,
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(reads).toBe(0);
    await client.close();
  });

  it('bad watch frames are refused with a message naming the field', async () => {
    const client = await Client.ready(harness.agent.wsUrl, harness.agent.token);
    client.send({ v: 1, type: 'watch', watch: { all: 'yes', sessions: [] } });
    expect(await client.next((m) => m.type === 'nack')).toMatchObject({
      code: 'bad_request',
      message: expect.stringContaining('"watch"'),
    });
    client.messages.length = 0;
    client.send({ v: 1, type: 'watch', watch: { all: false, sessions: Array(65).fill('abcdef') } });
    expect(await client.next((m) => m.type === 'nack')).toMatchObject({
      message: expect.stringContaining('at most 64'),
    });
    client.messages.length = 0;
    client.send({ v: 1, type: 'subscribe', watch: { all: false, sessions: ['../etc'] } });
    expect(await client.next((m) => m.type === 'nack')).toMatchObject({
      message: expect.stringContaining('handles'),
    });
    await client.close();
  });

  it('a protocol 1 client is refused with the version error and the fix', async () => {
    const client = await Client.connect(harness.agent.wsUrl, harness.agent.token);
    client.send({
      v: 1,
      type: 'hello',
      client: 'extension',
      clientVersion: '0.0.1',
      protocol: { min: 1, max: 1 },
    });
    expect(await client.next((m) => m.type === 'error')).toMatchObject({
      code: 'version',
      agentProtocol: { min: 2, max: 3 },
      fix: expect.stringContaining('extension'),
    });
    await client.close();
  });
});

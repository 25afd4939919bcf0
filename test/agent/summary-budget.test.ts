/**
 * Issue 13 item 4 (protocol 3): past `limits.summariesPerSecond`, requests on sessions no client
 * follows run unobserved and are counted in one `requests.skipped` per window; requests on a
 * followed session, and every request while a client watches everything, are never skipped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WireEvent } from '../../server-agent/agent/protocol.js';
import { SummaryBudget } from '../../server-agent/agent/summary-budget.js';
import { SessionEvents } from '../../server-agent/sessions/events.js';
import { Client, type Harness, login, quietLogs, startHarness } from './harness.js';

let harness: Harness;
let logs: ReturnType<typeof quietLogs>;
// 20 a second in 50 ms windows: one summary per window.
const PER_SECOND = 20;

beforeAll(async () => {
  logs = quietLogs();
  harness = await startHarness({ limits: { summariesPerSecond: PER_SECOND } });
});
afterAll(async () => {
  await harness.close();
  logs.restore();
});

/** `n` requests at once on one session; resolves with their request-id headers. */
async function burst(n: number, cookie: string): Promise<(string | null)[]> {
  const responses = await Promise.all(
    Array.from({ length: n }, () => fetch(`${harness.baseUrl}/set?k=v`, { headers: { cookie } })),
  );
  for (const res of responses) expect(res.status).toBe(200);
  return responses.map((res) => res.headers.get('x-sessionscope-request'));
}

/** What reached the client after its snapshot (the snapshot replays earlier tests' events). */
function since(client: Client, mark: number): WireEvent[] {
  return client.events.filter((item) => item.seq > mark).map((item) => item.event);
}

const skippedCount = (events: WireEvent[]) =>
  events.reduce((sum, e) => sum + (e.type === 'requests.skipped' ? e.count : 0), 0);

describe('The summary budget (issue 13 item 4, protocol 3)', () => {
  it('past the budget, requests on an unfollowed session are counted, not summarized, and still work', async () => {
    const other = await login(harness);
    const client = await Client.ready(harness.agent.wsUrl, harness.agent.token);
    await client.watchNow(['elsewhere']);
    const mark = client.lastSeq;
    const ids = await burst(40, other.cookie);
    // A skipped request carries no request id (it ran as with no client) and its save still landed.
    const observed = ids.filter((id) => id !== null);
    expect(observed.length).toBeLessThan(40);
    await client.waitEvent((e) => e.type === 'requests.skipped');
    await new Promise((resolve) => setTimeout(resolve, 120));
    const events = since(client, mark);
    const summaries = events.filter((e) => e.type === 'request.summary');
    expect(summaries.map((e) => e.requestId).sort()).toEqual([...observed].sort());
    expect(summaries.length + skippedCount(events)).toBe(40);
    const skipped = events.find((e) => e.type === 'requests.skipped');
    expect(skipped).toMatchObject({ perSecond: PER_SECOND });
    if (skipped?.type === 'requests.skipped') expect(skipped.at).toBeGreaterThanOrEqual(skipped.since);
    // No lifecycle event of any request reached a client that follows another session.
    expect(events.some((e) => e.type === 'session.saved' || e.type === 'request.start')).toBe(false);
    const dump = await fetch(`${harness.baseUrl}/dump`, { headers: { cookie: other.cookie } });
    expect(await dump.json()).toMatchObject({ k: 'v' });
    await client.close();
  });

  it('requests on a followed session are never skipped, whatever the load', async () => {
    const mine = await login(harness);
    const client = await Client.ready(harness.agent.wsUrl, harness.agent.token);
    await client.watchNow([mine.handle]);
    const mark = client.lastSeq;
    const ids = await burst(40, mine.cookie);
    expect(ids.every((id) => id !== null)).toBe(true);
    const last = ids.at(-1);
    await client.waitEvent((e) => e.type === 'request.end' && e.requestId === last);
    await new Promise((resolve) => setTimeout(resolve, 120));
    const events = since(client, mark);
    for (const id of ids)
      expect(events.some((e) => e.type === 'request.end' && e.requestId === id)).toBe(true);
    expect(skippedCount(events)).toBe(0);
    await client.close();
  });

  it('a client watching everything sees every request whole', async () => {
    const other = await login(harness);
    const client = await Client.ready(harness.agent.wsUrl, harness.agent.token);
    const mark = client.lastSeq;
    const ids = await burst(40, other.cookie);
    expect(ids.every((id) => id !== null)).toBe(true);
    const last = ids.at(-1);
    await client.waitEvent((e) => e.type === 'request.end' && e.requestId === last);
    expect(skippedCount(since(client, mark))).toBe(0);
    await client.close();
  });

  it('a protocol 2 client gets the summaries within the budget and no requests.skipped', async () => {
    const other = await login(harness);
    const v2 = await Client.ready(harness.agent.wsUrl, harness.agent.token, { min: 2, max: 2 });
    const v3 = await Client.ready(harness.agent.wsUrl, harness.agent.token);
    for (const client of [v2, v3]) await client.watchNow(['elsewhere']);
    const mark = Math.max(v2.lastSeq, v3.lastSeq);
    await burst(40, other.cookie);
    await v3.waitEvent((e) => e.type === 'requests.skipped');
    await new Promise((resolve) => setTimeout(resolve, 120));
    const v2Events = since(v2, mark);
    expect(v2Events.some((e) => e.type === 'requests.skipped')).toBe(false);
    expect(v2Events.filter((e) => e.type === 'request.summary').length).toBe(
      since(v3, mark).filter((e) => e.type === 'request.summary').length,
    );
    await v2.close();
    await v3.close();
  });
});

describe('SummaryBudget and SessionEvents.observes', () => {
  it('admits a burst of one second’s worth, then perSecond a second, and counts the rest once per window', async () => {
    const reports: [number, number][] = [];
    const budget = new SummaryBudget(
      40,
      50,
      () => 1000,
      (count, since) => reports.push([count, since]),
    );
    // A quiet app's burst: the full bucket (40) is admitted at once, not 40 × 50 / 1000 = 2.
    const burst = Array.from({ length: 43 }, () => budget.take());
    expect(burst.filter(Boolean).length).toBe(40);
    expect(burst.slice(40)).toEqual([false, false, false]);
    const started = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(reports).toEqual([[3, 1000]]);
    // Sustained: it refilled at 40 a second while it waited, no more (not the whole bucket again).
    const elapsed = performance.now() - started;
    const admitted = Array.from({ length: 40 }, () => budget.take()).filter(Boolean).length;
    expect(admitted).toBeGreaterThanOrEqual(Math.floor((40 * 80) / 1000));
    expect(admitted).toBeLessThanOrEqual(Math.ceil((40 * (elapsed + 5)) / 1000));
    budget.flush();
    const none = new SummaryBudget(
      0,
      50,
      () => 0,
      () => {},
    );
    expect(none.take()).toBe(false);
    none.flush();
    const tiny = new SummaryBudget(
      1,
      50,
      () => 0,
      () => {},
    );
    expect(tiny.take()).toBe(true);
    tiny.flush();
  });

  it('observes(): false with no listener, true with any ungated listener, otherwise any gate that admits', () => {
    const events = new SessionEvents();
    expect(events.observes('h')).toBe(false);
    const asked: (string | undefined)[] = [];
    const offGated = events.onAny(
      () => {},
      () => false,
      (handle) => {
        asked.push(handle);
        return handle === 'followed';
      },
    );
    expect(events.observes('followed')).toBe(true);
    expect(events.observes('other')).toBe(false);
    expect(events.observes(undefined)).toBe(false);
    expect(asked).toEqual(['followed', 'other', undefined]);
    const offPlain = events.on('session.saved', () => {});
    expect(events.observes('other')).toBe(true);
    offPlain();
    offGated();
    expect(events.observes('followed')).toBe(false);
  });
});

describe('The panel’s line for a requests.skipped count', () => {
  it('says how many, why, and what shows them all', async () => {
    const { skippedText } = await import('../../extension/ui/Timeline.js');
    const text = skippedText({
      type: 'requests.skipped',
      at: 2_500,
      since: 2_000,
      count: 1234,
      perSecond: 2000,
    });
    expect(text).toContain('1,234 more requests on sessions nobody follows');
    expect(text).toContain('over 2,000 a second');
    expect(text).toContain('follow one, or keep this tab open, to see all');
  });
});

describe('attachAgent limits: bad input fails at once, naming the limit and the fix', () => {
  it('refuses a negative, non-finite or non-number limit and an unknown limit name', async () => {
    const { resolveLimits, DEFAULT_LIMITS } = await import('../../server-agent/agent/hub-options.js');
    expect(resolveLimits(undefined)).toEqual(DEFAULT_LIMITS);
    expect(resolveLimits({ summariesPerSecond: 0 }).summariesPerSecond).toBe(0);
    expect(() => resolveLimits({ summariesPerSecond: -1 })).toThrow(
      /limits\.summariesPerSecond must be a number ≥ 0, got -1\. Write limits: \{ summariesPerSecond: 1000 \}/,
    );
    expect(() => resolveLimits({ maxClients: Number.NaN })).toThrow(
      /limits\.maxClients must be a number ≥ 0, got NaN/,
    );
    expect(() => resolveLimits({ replayEvents: '500' as unknown as number })).toThrow(/got string/);
    expect(() => resolveLimits({ summariesPerSec: 10 } as never)).toThrow(
      /limits\.summariesPerSec is not a limit\. Known limits: .*summariesPerSecond/,
    );
    let caught: unknown;
    try {
      resolveLimits({ maxClients: -2 });
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: 'SESSION_IMPROPERLY_CONFIGURED' });
  });
});

describe('EventStream fan-out by protocol', () => {
  it('a requests.skipped reaches every protocol 3 client, whichever client the shared list was built for first', async () => {
    const { EventStream } = await import('../../server-agent/agent/event-stream.js');
    const { newClient } = await import('../../server-agent/agent/hub-client.js');
    const { DEFAULT_LIMITS } = await import('../../server-agent/agent/hub-options.js');
    const { Route } = await import('../../server-agent/agent/request-router.js');
    const { createClock } = await import('../../server-agent/sessions/clock.js');
    // Sockets that only record what is sent: the stream's fan-out is the unit here.
    const socket = () => {
      const sent: string[] = [];
      return {
        sent,
        ws: { OPEN: 1, readyState: 1, bufferedAmount: 0, send: (text: string) => sent.push(text) },
      };
    };
    const [old, current] = [socket(), socket()];
    const v2 = newClient(old.ws as never);
    const v3 = newClient(current.ws as never);
    v2.protocol = 2;
    v3.protocol = 3;
    const clients = new Set([v2, v3]);
    const stream = new EventStream(clients, DEFAULT_LIMITS, createClock(), 1000);
    for (const client of clients) {
      client.greeted = true;
      stream.subscribe(client, undefined);
      stream.setWatch(client, { all: false, sessions: ['elsewhere'] });
    }
    stream.rewatch();
    stream.publish({ type: 'requests.skipped', at: 2, since: 1, count: 7, perSecond: 20 }, Route.skipped);
    stream.flush();
    const frames = (sent: string[]) =>
      sent.map((text) => JSON.parse(text)).filter((m) => m.type === 'events');
    expect(frames(old.sent)).toEqual([]);
    expect(frames(current.sent).flatMap((f) => f.events.map((e: { event: WireEvent }) => e.event))).toEqual([
      { type: 'requests.skipped', at: 2, since: 1, count: 7, perSecond: 20 },
    ]);
  });
});

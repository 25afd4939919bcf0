/**
 * What an unwatched request does not pay for (issue 13 item 4): no compare-and-swap save and no
 * loaded-value baseline (the store's saveIf is not called), and its summary waits for company so
 * many requests leave in one frame; a watched request still gets the compare-and-swap (its
 * timeline can show another process's lost update) and its events still leave at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventsMessage } from '../../server-agent/agent/protocol.js';
import { Client, type Harness, quietLogs, startHarness } from './harness.js';

let harness: Harness;
let logs: ReturnType<typeof quietLogs>;
let saveIfCalls: string[] = [];

beforeAll(async () => {
  logs = quietLogs();
  harness = await startHarness();
  const store = harness.sessions.store;
  const saveIf = store.saveIf?.bind(store);
  if (!saveIf) throw new Error('the SQLite store has compare-and-swap');
  store.saveIf = (key, record, expected) => {
    saveIfCalls.push(key);
    return saveIf(key, record, expected);
  };
});
afterAll(async () => {
  await harness.close();
  logs.restore();
});

async function newSession(): Promise<{ cookie: string; handle: string }> {
  const res = await fetch(`${harness.baseUrl}/`);
  const cookie = res.headers.get('set-cookie')!.split(';', 1)[0]!;
  return { cookie, handle: harness.sessions.handles.handleFor(cookie.split('=')[1]!) };
}

const get = (cookie: string) => fetch(`${harness.baseUrl}/`, { headers: { cookie } });

describe('what an unwatched request costs', () => {
  it('the compare-and-swap save runs for the watched session only', async () => {
    const watched = await newSession();
    const other = await newSession();
    const client = await Client.ready(harness.agent.wsUrl, harness.agent.token);
    client.send({ v: 1, type: 'watch', watch: { all: false, sessions: [watched.handle] } });
    await new Promise((resolve) => setTimeout(resolve, 20));
    saveIfCalls = [];
    await get(other.cookie);
    await get(other.cookie);
    expect(saveIfCalls).toEqual([]);
    await get(watched.cookie);
    expect(saveIfCalls).toHaveLength(1);
    // The timeline open (watch everything): every request is watched again.
    client.send({ v: 1, type: 'watch', watch: { all: true, sessions: [] } });
    await new Promise((resolve) => setTimeout(resolve, 20));
    saveIfCalls = [];
    await get(other.cookie);
    expect(saveIfCalls).toHaveLength(1);
    await client.close();
  });

  it("summaries leave together; a watched request's events leave at once", async () => {
    const watched = await newSession();
    const other = await newSession();
    const client = await Client.ready(harness.agent.wsUrl, harness.agent.token);
    client.send({ v: 1, type: 'watch', watch: { all: false, sessions: [watched.handle] } });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const framesBefore = client.messages.filter((m) => m.type === 'events').length;
    const ids = await Promise.all(
      Array.from({ length: 8 }, async () => (await get(other.cookie)).headers.get('x-sessionscope-request')),
    );
    const last = ids.at(-1);
    await client.waitEvent((e) => e.type === 'request.summary' && e.requestId === last);
    const frames = client.messages.filter((m): m is EventsMessage => m.type === 'events').slice(framesBefore);
    const summaries = frames.flatMap((f) => f.events).filter((e) => e.event.type === 'request.summary');
    expect(summaries).toHaveLength(8);
    // Eight concurrent requests, one summary window (SUMMARY_DELAY_MS): fewer frames than requests.
    expect(frames.length).toBeLessThan(8);

    // A summary recorded, then a watched request: the watched events leave at the end of their
    // turn and take the pending summary with them, in seq order (the latency itself is
    // bench/agent.ts's mutation-to-client figure, not a timed test).
    const [summaryRes, watchedRes] = await Promise.all([get(other.cookie), get(watched.cookie)]);
    const summaryId = summaryRes.headers.get('x-sessionscope-request');
    const watchedId = watchedRes.headers.get('x-sessionscope-request');
    await client.waitEvent((e) => e.type === 'request.end' && e.requestId === watchedId);
    await client.waitEvent((e) => e.type === 'request.summary' && e.requestId === summaryId);
    const seqs = client.events.map((item) => item.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    await client.close();
  });
});

// @vitest-environment happy-dom
/**
 * Issue 13 item 4 on the client: the panel tells the agent what it watches (the followed session;
 * everything while the timeline is open) and renders the agent's per-request summaries.
 */
import { render } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import { groupByRequest } from '../../extension/client/reduce-events.js';
import { Timeline } from '../../extension/ui/Timeline.js';
import type { AgentMessage, ClientMessage, WireEvent } from '../../server-agent/agent/protocol.js';
import { HANDLE, view } from './fixtures.js';
import { connectedStore, tick, withApp } from './harness.js';

const OTHER = 'h_bbbbbbbbbbbb';

function summary(requestId: string, session = OTHER): WireEvent {
  return {
    type: 'request.summary',
    at: 1_700_000_000_000,
    requestId,
    session,
    method: 'POST',
    path: '/cart',
    status: 201,
    ms: 2.5,
    cookiePresent: true,
    accessed: true,
    modified: true,
    saved: true,
    loaded: 'hit',
    changed: ['cart'],
    cookie: 'set',
    events: 6,
  };
}

/** One events frame from the agent: `event` as seq 3, chained after the snapshot's seq 1. */
function pushEvent(transport: { push(message: AgentMessage): void }, event: WireEvent): void {
  transport.push({ v: 1, type: 'events', after: 1, through: 3, events: [{ seq: 3, event }] });
}

const watches = (sent: ClientMessage[]) =>
  sent.flatMap((m) => (m.type === 'watch' || m.type === 'subscribe' ? [m.watch] : []));

describe('A watch on the client (issue 13 item 4)', () => {
  it('subscribes watching the followed session, re-watches when the selection moves, watches all while the timeline is open', async () => {
    const { store, transport } = await connectedStore(view([]));
    // The snapshot's request made HANDLE the followed session.
    expect(store.state.selected).toBe(HANDLE);
    expect(watches(transport.sent).at(-1)).toEqual({ all: false, sessions: [HANDLE] });
    store.select(OTHER);
    expect(watches(transport.sent).at(-1)).toEqual({ all: false, sessions: [OTHER] });
    store.watchTimeline(true);
    expect(watches(transport.sent).at(-1)).toEqual({ all: true, sessions: [OTHER] });
    const count = transport.sent.length;
    store.watchTimeline(true);
    store.select(OTHER);
    expect(transport.sent.length).toBe(count); // unchanged watch: nothing sent
  });

  it('follows the session a summary names and renders the summary as its request row', async () => {
    const { store, transport } = await connectedStore(view([]));
    pushEvent(transport, summary('r9'));
    await tick();
    expect(store.state.lastSeq).toBe(3);
    expect(store.state.selected).toBe(OTHER);
    expect(watches(transport.sent).at(-1)).toEqual({ all: false, sessions: [OTHER] });
    const [, group] = groupByRequest(store.state.timeline);
    expect(group).toMatchObject({
      method: 'POST',
      path: '/cart',
      status: 201,
      session: OTHER,
      summary: true,
    });
    const { container } = render(withApp(store, <Timeline />));
    const row = container.querySelector('[data-request="r9"]');
    expect(row?.textContent).toContain('POST /cart');
    expect(row?.textContent).toContain('changed cart');
    expect(row?.textContent).toContain('summary of 6 events');
  });

  it('shows a requests.skipped count (protocol 3) as its own timeline line: how many, why, what shows them', async () => {
    const { store, transport } = await connectedStore(view([]));
    pushEvent(transport, {
      type: 'requests.skipped',
      at: 1_700_000_000_050,
      since: 1_700_000_000_000,
      count: 512,
      perSecond: 1000,
    });
    await tick();
    expect(store.state.lastSeq).toBe(3);
    // A count names no session: the followed session stays where it was.
    expect(store.state.selected).toBe(HANDLE);
    const { container } = render(withApp(store, <Timeline />));
    expect(container.textContent).toContain(
      '512 more requests on sessions nobody follows, counted, not listed',
    );
    expect(container.textContent).toContain('over 1,000 a second');
  });

  it('frames that do not chain from the last seq ask for a resync once, not once per frame', async () => {
    const { store, transport } = await connectedStore(view([]));
    const before = transport.sent.length;
    transport.onSend = () => {}; // the agent is slow to answer the resubscribe
    for (let i = 0; i < 3; i++)
      transport.push({
        v: 1,
        type: 'events',
        after: 7 + i,
        through: 8 + i,
        events: [{ seq: 8 + i, event: summary(`g${i}`) }],
      });
    const resubscribes = transport.sent.slice(before).filter((m) => m.type === 'subscribe');
    expect(resubscribes).toEqual([
      { v: 1, type: 'subscribe', sinceSeq: 1, watch: { all: false, sessions: [HANDLE] } },
    ]);
    expect(store.state.lastSeq).toBe(1);
  });
});

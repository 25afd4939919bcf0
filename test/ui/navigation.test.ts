/** U2: without Preserve log a navigation clears the timeline but keeps its redirect chain (as DevTools' Network). */
import { describe, expect, it } from 'vitest';
import type { WireEvent } from '../../server-agent/agent/protocol.js';
import { navigationChain } from '../../extension/client/navigation.js';
import { initialState, type TimelineEntry } from '../../extension/client/state.js';
import { ClientStore } from '../../extension/client/store.js';

let seq = 0;
function request(requestId: string, method: string, path: string, status: number): TimelineEntry[] {
  const base = { at: 1, requestId };
  const events: WireEvent[] = [
    { type: 'request.start', ...base, method, path, cookiePresent: true },
    { type: 'session.loaded', ...base, session: 'h1', outcome: 'hit', keys: 1, ms: 0.1 },
    {
      type: 'request.end',
      ...base,
      method,
      path,
      status,
      ms: 1,
      accessed: true,
      modified: false,
      saved: false,
    },
  ];
  return events.map((event) => ({ seq: ++seq, epoch: 0, event }));
}
const paths = (entries: TimelineEntry[]) => [
  ...new Set(
    entries.flatMap((e) => (e.event.type === 'request.start' ? [`${e.event.method} ${e.event.path}`] : [])),
  ),
];

describe('U2 timeline keeps the navigation redirect chain without Preserve log', () => {
  it('keeps POST → 303 when the GET it led to has not arrived yet', () => {
    const timeline = [...request('r1', 'GET', '/', 200), ...request('r2', 'POST', '/cart', 303)];
    expect(paths(navigationChain(timeline, 'http://localhost:3000/'))).toEqual(['POST /cart']);
  });

  it('keeps POST → 303 → GET and drops what came before and the panels own commands', () => {
    const timeline = [
      ...request('r1', 'GET', '/', 200),
      ...request('r2', 'POST', '/login', 302),
      ...request('r3', 'GET', '/account', 303),
      ...request('a1.4', 'GET', '/x', 200),
      ...request('r4', 'GET', '/', 200),
    ];
    expect(paths(navigationChain(timeline, 'http://localhost:3000/'))).toEqual([
      'POST /login',
      'GET /account',
      'GET /',
    ]);
  });

  it('a plain navigation to another page keeps nothing from before', () => {
    expect(navigationChain(request('r1', 'GET', '/a', 200), 'http://localhost:3000/b')).toEqual([]);
  });

  it('the store keeps the chain on navigated(url) and everything with Preserve log', () => {
    const store = new ClientStore({ client: 'test' });
    const timeline = [...request('r1', 'GET', '/', 200), ...request('r2', 'POST', '/cart', 303)];
    store.importTimeline(timeline);
    store.navigated('http://localhost:3000/');
    expect(paths(store.state.timeline)).toEqual(['POST /cart']);
    store.importTimeline(timeline);
    store.setPreserveLog(true);
    store.navigated('http://localhost:3000/');
    expect(store.state.timeline).toHaveLength(timeline.length);
    expect(initialState(0).preserveLog).toBe(false);
  });
});

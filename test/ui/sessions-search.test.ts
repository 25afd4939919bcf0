/** U8 the All sessions search in the client: out-of-order answers, and "searched N" adding up over pages. */
import { scriptedAgent } from './harness.js';
import { expect, it } from 'vitest';
import type { CommandMessage, SessionSummary } from '../../server-agent/agent/protocol.js';
import { ClientStore } from '../../extension/client/store.js';

const tick = () => new Promise((r) => setTimeout(r, 0));
const summary = (session: string): SessionSummary => ({
  session,
  expiresAt: null,
  expired: false,
  bytes: 10,
  keys: ['k'],
  revision: 'r',
});

async function connected() {
  const lists: Extract<CommandMessage, { op: 'listSessions' }>[] = [];
  const transport = scriptedAgent((m) => {
    if (m.op === 'listSessions') lists.push(m);
  });
  const store = new ClientStore({ client: 'test' });
  store.connect(transport);
  await tick();
  await tick();
  const answer = (
    m: (typeof lists)[number],
    items: SessionSummary[],
    cursor: string | null,
    scanned: number,
  ) =>
    transport.push({
      v: 1,
      type: 'ack',
      id: m.id,
      op: 'listSessions',
      result: { items, cursor, total: 9000, scanned },
    });
  return { store, lists, answer };
}

it('drops the answer to a query the search box no longer holds', async () => {
  const { store, lists, answer } = await connected();
  const older = store.listSessions('a');
  const newer = store.listSessions('ab');
  answer(lists[1]!, [summary('only-ab')], null, 9000);
  await newer;
  answer(lists[0]!, [summary('a1'), summary('a2')], null, 9000);
  await older;
  expect(store.state.sessions.query).toBe('ab');
  expect(store.state.sessions.items.map((i) => i.session)).toEqual(['only-ab']);
});

it('adds up how far the agent searched over "Search on", and starts over for a new query', async () => {
  const { store, lists, answer } = await connected();
  const first = store.listSessions('x');
  answer(lists[0]!, [summary('x1')], 'c1', 5000);
  await first;
  const more = store.listSessions('x', 'c1');
  expect(lists[1]).toMatchObject({ query: 'x', cursor: 'c1' });
  answer(lists[1]!, [summary('x2')], null, 4000);
  await more;
  expect(store.state.sessions).toMatchObject({ scanned: 9000, cursor: null });
  expect(store.state.sessions.items).toHaveLength(2);
  const other = store.listSessions('y');
  answer(lists[2]!, [], 'c2', 5000);
  await other;
  expect(store.state.sessions.scanned).toBe(5000);
});

// @vitest-environment happy-dom
/** All sessions tab: opening it asks the agent at once (the first page waits on no debounce); typing is debounced. */
import { cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { afterEach, expect, it } from 'vitest';
import type { CommandMessage } from '../../server-agent/agent/protocol.js';
import { ClientStore } from '../../extension/client/store.js';
import { SessionsList } from '../../extension/ui/SessionsList.js';
import { scriptedAgent, tick, withApp } from './harness.js';

afterEach(cleanup);

it('the first page is asked for on open, without the 200 ms typing debounce; typing waits for a pause', async () => {
  const lists: CommandMessage[] = [];
  const transport = scriptedAgent((m) => {
    if (m.op === 'listSessions') lists.push(m);
  });
  const store = new ClientStore({ client: 'test' });
  store.connect(transport);
  await tick();
  await tick();
  render(withApp(store, <SessionsList onOpen={() => {}} />));
  await tick();
  await tick();
  expect(lists).toHaveLength(1);
  fireEvent.input(screen.getByLabelText('Search sessions'), { target: { value: 'cart' } });
  await tick();
  expect(lists).toHaveLength(1);
  await new Promise((r) => setTimeout(r, 260));
  expect(lists).toHaveLength(2);
  expect(lists[1]).toMatchObject({ query: 'cart' });
  store.disconnect();
});

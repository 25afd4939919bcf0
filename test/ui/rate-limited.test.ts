// @vitest-environment happy-dom
/** U5 a rate-limited read is retried with backoff and said, instead of a blank, silent Session tab. */
import { scriptedAgent } from './harness.js';
import { describe, expect, it } from 'vitest';
import { ClientStore } from '../../extension/client/store.js';
import { view } from './fixtures.js';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('U5 rate-limited reads', () => {
  it('says the read was rate limited, retries with backoff, and shows the session once it gets through', async () => {
    let reads = 0;
    const transport = scriptedAgent((m, agent) => {
      if (m.op === 'getSession') {
        reads++;
        queueMicrotask(() =>
          agent.push(
            reads === 1
              ? { v: 1, type: 'nack', id: m.id, code: 'rate_limited', message: 'Too many frames per second' }
              : {
                  v: 1,
                  type: 'ack',
                  id: m.id,
                  op: 'getSession',
                  result: view([['color', { t: 'value', value: 'red' }]]),
                },
          ),
        );
      }
    });
    const store = new ClientStore({ client: 'test' });
    store.connect(transport);
    await wait(20);
    expect(store.state.readProblem).toMatch(/rate_limited.*retrying/);
    expect(store.state.confirmed).toBeNull();
    await wait(400);
    expect(reads).toBeGreaterThanOrEqual(2);
    expect(store.state.confirmed?.entries).toHaveLength(1);
    expect(store.state.readProblem).toBeNull();
    store.disconnect();
  });

  it('a rate-limited value fetch (expand, viewer, search, ✎) is said and retried with backoff, not swallowed', async () => {
    let fetches = 0;
    const transport = scriptedAgent((m, agent) => {
      if (m.op === 'getSession')
        queueMicrotask(() =>
          agent.push({
            v: 1,
            type: 'ack',
            id: m.id,
            op: 'getSession',
            result: view([['list', { t: 'more', type: 'array', bytes: 40_000, length: 3000 }]]),
          }),
        );
      if (m.op === 'getValue') {
        fetches++;
        queueMicrotask(() =>
          agent.push(
            fetches <= 2
              ? { v: 1, type: 'nack', id: m.id, code: 'rate_limited', message: 'this frame was dropped.' }
              : {
                  v: 1,
                  type: 'ack',
                  id: m.id,
                  op: 'getValue',
                  result: { session: 'h_aaaaaaaaaaaa', path: ['list'], value: { t: 'value', value: [1, 2] } },
                },
          ),
        );
      }
    });
    const store = new ClientStore({ client: 'test' });
    store.connect(transport);
    await wait(20);
    const got = store.loadValue(['list']);
    await wait(20);
    expect(store.state.readProblem).toMatch(
      /rate-limited fetching list; retrying in 0\.25 s \(attempt 1 of 5\)/,
    );
    expect(await got).toEqual({ t: 'value', value: [1, 2] });
    expect(fetches).toBe(3);
    expect(store.state.readProblem).toBeNull();
    expect(store.state.values['["list"]']).toEqual({ t: 'value', value: [1, 2] });
    store.disconnect();
  });

  it('a value fetch that fails for another reason is kept as the failure to show, not dropped', async () => {
    const transport = scriptedAgent((m, agent) => {
      if (m.op === 'getValue')
        queueMicrotask(() =>
          agent.push({ v: 1, type: 'nack', id: m.id, code: 'not_found', message: 'No value at that path.' }),
        );
    });
    const store = new ClientStore({ client: 'test' });
    store.connect(transport);
    await wait(20);
    store.select('h_aaaaaaaaaaaa');
    expect(await store.loadValue(['gone'])).toBeNull();
    expect(store.state.lastFailure).toMatchObject({ op: 'getValue', code: 'not_found' });
    store.disconnect();
  });
});

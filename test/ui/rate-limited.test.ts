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
});

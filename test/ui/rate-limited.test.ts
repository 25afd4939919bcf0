// @vitest-environment happy-dom
/** U5 a rate-limited read is retried with backoff and said, instead of a blank, silent Session tab. */
import { describe, expect, it } from 'vitest';
import type { ClientMessage } from '../../server-agent/agent/protocol.js';
import { ClientStore } from '../../extension/client/store.js';
import { MemoryTransport } from '../../extension/client/transport.js';
import { requestEnd, seq, view, welcome } from './fixtures.js';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('U5 rate-limited reads', () => {
  it('says the read was rate limited, retries with backoff, and shows the session once it gets through', async () => {
    const transport = new MemoryTransport();
    let reads = 0;
    transport.onSend = (m: ClientMessage) => {
      if (m.type === 'hello') queueMicrotask(() => transport.push(welcome()));
      if (m.type === 'subscribe')
        queueMicrotask(() =>
          transport.push({
            v: 1,
            type: 'snapshot',
            seq: 1,
            continuous: false,
            clock: welcome().clock,
            events: [seq(1, requestEnd('r1'))],
          }),
        );
      if (m.type === 'command' && m.op === 'getSession') {
        reads++;
        queueMicrotask(() =>
          transport.push(
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
    };
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

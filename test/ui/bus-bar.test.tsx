// @vitest-environment happy-dom
/**
 * Issue 14 item 1 in the UI: with the agent bus the panel lists the processes that share the
 * timeline, shows what was dropped or ignored, says the virtual clock is per process, tags each
 * request row with its process, and ignores other processes' clock changes.
 */
import { render } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import { BusBar } from '../../extension/ui/BusBar.js';
import { Timeline } from '../../extension/ui/Timeline.js';
import type { BusInfo } from '../../server-agent/agent/protocol.js';
import { requestEnd, view } from './fixtures.js';
import { connectedStore, tick, withApp } from './harness.js';

const bus: BusInfo = {
  channel: 'Redis redis://127.0.0.1:6379 channel sessionscope:sessionid:default',
  processes: [
    { id: 'web1:101:aa', host: 'web1', pid: 101, app: 'shop', clients: 1, clockOffsetSeconds: 0, self: true },
    {
      id: 'web2:202:bb',
      host: 'web2',
      pid: 202,
      app: 'shop',
      clients: 0,
      clockOffsetSeconds: 3600,
      self: false,
    },
  ],
  dropped: 7,
  ignored: 2,
  received: 40,
};

describe('F1 bus in the panel (issue 14 item 1)', () => {
  it('lists the processes, the counters and that the clock moves the connected process only', async () => {
    const { store, transport } = await connectedStore(view([]));
    transport.push({
      v: 1,
      type: 'events',
      after: 1,
      through: 2,
      events: [{ seq: 2, event: { type: 'agent.bus', at: 1, bus } }],
    });
    await tick();
    const { container } = render(withApp(store, <BusBar />));
    const text = container.textContent ?? '';
    expect(text).toContain('2 processes');
    expect(text).toContain('shop pid 101');
    expect(text).toContain('shop pid 202 @web2 (clock +3600s)');
    expect(text).toContain('the virtual clock moves shop pid 101 only');
    expect(text).toContain('dropped 7 · ignored 2');
  });

  it('tags request rows with their process and ignores another process’s clock', async () => {
    const { store, transport } = await connectedStore(view([]));
    transport.push({
      v: 1,
      type: 'events',
      after: 1,
      through: 4,
      events: [
        { seq: 2, event: { type: 'agent.bus', at: 1, bus } },
        { seq: 3, event: { ...requestEnd('rx1'), proc: 'web2:202:bb' } },
        {
          seq: 4,
          event: { type: 'clock.changed', at: 5, offsetSeconds: 3600, frozen: false, proc: 'web2:202:bb' },
        },
      ],
    });
    await tick();
    expect(store.state.clock.offsetSeconds).toBe(0);
    const { container } = render(withApp(store, <Timeline />));
    expect(container.querySelector('[data-request="rx1"] .proc')?.textContent).toBe('shop pid 202 @web2');
    expect(container.querySelector('[data-request="r1"] .proc')?.textContent).toBe('shop pid 101');
  });
});

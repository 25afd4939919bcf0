// @vitest-environment happy-dom
/** U4 timeline noise: the panel's own reads are not rows; the filter reaches changed keys and values; "no match" says so. */
import { cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import type { WireEvent } from '../../server-agent/agent/protocol.js';
import { ClientStore } from '../../extension/client/store.js';
import { Timeline } from '../../extension/ui/Timeline.js';
import { withApp } from './harness.js';

afterEach(cleanup);

let n = 0;
const entry = (event: WireEvent) => ({ seq: ++n, epoch: 0, event });

function storeWith(events: WireEvent[]): ClientStore {
  const store = new ClientStore({ client: 'test' });
  store.importTimeline(events.map(entry));
  return store;
}

const pageRequest: WireEvent[] = [
  { type: 'request.start', at: 1, requestId: 'r1', method: 'POST', path: '/cart', cookiePresent: true },
  {
    type: 'session.modified',
    at: 1,
    requestId: 'r1',
    session: 'h1',
    key: 'basket',
    op: 'set',
    after: { t: 'value', value: 'scone' },
  },
  {
    type: 'request.end',
    at: 1,
    requestId: 'r1',
    method: 'POST',
    path: '/cart',
    status: 303,
    ms: 1,
    accessed: true,
    modified: true,
    saved: true,
  },
];
const ownRead: WireEvent = {
  type: 'session.loaded',
  at: 2,
  requestId: 'ac1.7',
  session: 'h1',
  outcome: 'hit',
  keys: 1,
  ms: 0.2,
};

describe('U4 timeline noise and filter', () => {
  it("the panel's own reads (command ids) are not shown as session.loaded rows", () => {
    render(withApp(storeWith([...pageRequest, ownRead]), <Timeline />));
    expect(document.querySelectorAll('li.request')).toHaveLength(1);
  });

  it('the filter matches changed keys and values', () => {
    render(withApp(storeWith(pageRequest), <Timeline />));
    const filter = screen.getByLabelText('Filter timeline');
    fireEvent.input(filter, { target: { value: 'basket' } });
    expect(document.querySelectorAll('li.request')).toHaveLength(1);
    fireEvent.input(filter, { target: { value: 'scone' } });
    expect(document.querySelectorAll('li.request')).toHaveLength(1);
  });

  it('says "no match" rather than "no activity" when the filter hides everything', () => {
    render(withApp(storeWith(pageRequest), <Timeline />));
    fireEvent.input(screen.getByLabelText('Filter timeline'), { target: { value: 'zebra' } });
    expect(screen.getByTestId('timeline-empty').textContent).toBe('No request matches "zebra".');
  });
});

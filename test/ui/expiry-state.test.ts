/** U6 expiry state: reasons are not overwritten by later reads, and a clock reset revives what the clock expired. */
import { describe, expect, it } from 'vitest';
import type { SequencedEvent, WelcomeMessage, WireEvent } from '../../server-agent/agent/protocol.js';
import { foldEvents } from '../../extension/client/reduce-events.js';
import { type ClientState, initialState } from '../../extension/client/state.js';

let n = 0;
const fold = (state: ClientState, ...events: WireEvent[]) =>
  foldEvents(
    state,
    events.map((event): SequencedEvent => ({ seq: ++n, event })),
    0,
  ).state;
const expired = (
  reason: 'expire-now' | 'clock-travel' | 'expiry-date-passed',
  requestId: string,
): WireEvent => ({
  type: 'session.expired',
  at: 1,
  requestId,
  session: 'h1',
  reason,
  expiredAt: 1,
});
const base: ClientState = {
  ...initialState(0),
  welcome: { clientId: 'c1' } as WelcomeMessage,
  selected: 'h1',
  follow: false,
};

describe('U6 expiry state', () => {
  it('"expire-now" is not overwritten by the expiry-date-passed a later read reports', () => {
    const state = fold(base, expired('expire-now', 'ac1.1'), expired('expiry-date-passed', 'ac1.2'));
    expect(state.expired.h1?.reason).toBe('expire-now');
  });

  it('after clock travel then reset, the session is no longer shown as expired once it loads again', () => {
    let state = fold(
      base,
      { type: 'clock.changed', at: 5, offsetSeconds: 3600, frozen: false },
      expired('clock-travel', 'ac1.3'),
    );
    expect(state.expired.h1?.reason).toBe('clock-travel');
    state = fold(state, { type: 'clock.changed', at: 6, offsetSeconds: 0, frozen: false });
    expect(state.expired.h1).toBeUndefined();
    state = fold(state, expired('clock-travel', 'ac1.4'));
    state = fold(state, {
      type: 'session.loaded',
      at: 7,
      requestId: 'r9',
      session: 'h1',
      outcome: 'hit',
      keys: 1,
      ms: 1,
    });
    expect(state.expired.h1).toBeUndefined();
  });

  it('a clock move keeps reasons that do not depend on the clock', () => {
    let state = fold(base, expired('expire-now', 'ac1.5'));
    state = fold(state, { type: 'clock.changed', at: 6, offsetSeconds: 0, frozen: false });
    expect(state.expired.h1?.reason).toBe('expire-now');
  });
});

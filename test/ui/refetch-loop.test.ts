/**
 * Regression: reading an expired session emits session.expired; when that event (caused by the
 * panel's own getSession) triggered another refetch, the panel looped at network speed until the
 * agent's rate limit dropped its next real command (found by the e2e clock-reset step).
 */
import { describe, expect, it } from 'vitest';
import type { SequencedEvent, WelcomeMessage } from '../../server-agent/agent/protocol.js';
import { foldEvents } from '../../extension/client/reduce-events.js';
import { initialState } from '../../extension/client/state.js';

const expired = (requestId: string, seq: number): SequencedEvent =>
  ({
    seq,
    event: {
      type: 'session.expired',
      at: 1,
      requestId,
      session: 'h1',
      reason: 'expiry-date-passed',
      expiredAt: 1,
    },
  }) as SequencedEvent;

describe('refetch on events', () => {
  const state = {
    ...initialState(0),
    welcome: { clientId: 'c7' } as WelcomeMessage,
    selected: 'h1',
    follow: false,
  };

  it('does not refetch on the session.expired its own read caused, but still records it', () => {
    const result = foldEvents(state, [expired('ac7.12', 1)], 0);
    expect(result.refetch).toBe(false);
    expect(result.state.expired.h1?.reason).toBe('expiry-date-passed');
  });

  it('refetches when an app request or another client expired the selected session', () => {
    expect(foldEvents(state, [expired('r9', 1)], 0).refetch).toBe(true);
    expect(foldEvents(state, [expired('ac3.4', 1)], 0).refetch).toBe(true);
  });
});

/**
 * The expiry policy a client is shown for a stored `_session_expiry` (session.expiryChanged and the
 * agent's session view, which reads records Django wrote too: null and false included), and the
 * snapshot events take of a value.
 */
import { describe, expect, it } from 'vitest';
import { eventSnapshot, expiryPolicy } from '../../server-agent/sessions/session-events.js';

describe('expiryPolicy', () => {
  it.each([
    [undefined, true, 'browser-close'],
    [undefined, false, 'default'],
    [null, true, 'browser-close'],
    [null, false, 'default'],
    ['2026-12-01T12:00:00', false, 'absolute'],
    [0, false, 'browser-close'],
    [false, false, 'browser-close'],
    [-1, false, 'expired'],
    [-0.5, true, 'expired'],
    [1, false, 'idle-seconds'],
    [300, true, 'idle-seconds'],
  ] as const)('%j with browser close %s is %s', (stored, browserClose, policy) => {
    expect(expiryPolicy(stored, browserClose)).toBe(policy);
  });
});

describe('eventSnapshot', () => {
  it('copies objects and arrays, so a later change does not rewrite the event', () => {
    const value = { cart: [1, 2] };
    const copy = eventSnapshot(value);
    value.cart.push(3);
    expect(copy).toEqual({ cart: [1, 2] });
  });

  it('returns primitives, null and undefined as they are', () => {
    for (const value of [undefined, null, 0, 'x', true]) expect(eventSnapshot(value)).toBe(value);
  });
});

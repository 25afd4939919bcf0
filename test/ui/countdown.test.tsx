// @vitest-environment happy-dom
/** The live countdown counts on the session clock (virtual offset included) and turns into "expired". */
import { act, cleanup, render } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Countdown } from '../../extension/ui/Countdown.js';

const T0 = 1_700_000_000_000;

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe('Countdown', () => {
  it('counts down live and flips to expired', () => {
    const clock = { now: T0, offsetSeconds: 0, frozen: false, receivedAt: T0 };
    const { getByRole } = render(<Countdown expiresAt={T0 + 5_000} clock={clock} />);
    expect(getByRole('timer').textContent).toBe('5s left');
    act(() => {
      vi.advanceTimersByTime(2_000);
    });
    expect(getByRole('timer').textContent).toBe('3s left');
    expect(getByRole('timer').className).toContain('soon');
    act(() => {
      vi.advanceTimersByTime(4_000);
    });
    expect(getByRole('timer').textContent).toBe('expired 1s ago');
    expect(getByRole('timer').className).toContain('expired');
  });

  it('uses the virtual clock: two weeks of travel shows the session long expired', () => {
    const travelled = {
      now: T0 + 14 * 86_400_000,
      offsetSeconds: 14 * 86_400,
      frozen: false,
      receivedAt: T0,
    };
    const { getByRole } = render(<Countdown expiresAt={T0 + 3_600_000} clock={travelled} />);
    expect(getByRole('timer').textContent).toBe('expired 13d 23h 0m ago');
  });

  it('stands still while the clock is frozen', () => {
    const frozen = { now: T0, offsetSeconds: 0, frozen: true, receivedAt: T0 };
    const { getByRole } = render(<Countdown expiresAt={T0 + 90_000} clock={frozen} />);
    act(() => {
      vi.advanceTimersByTime(10_000);
    });
    expect(getByRole('timer').textContent).toBe('1m 30s left');
  });
});

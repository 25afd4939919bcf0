/** A live countdown to a session-clock instant; the clock keeps counting locally between agent updates. */
import { sessionNow } from '../client/state.js';
import type { ClientState } from '../client/state.js';
import { formatDuration } from '../client/hints.js';
import { useTicker } from './use-store.js';
import './countdown.css';

export interface CountdownProps {
  expiresAt: number;
  clock: ClientState['clock'];
  /** Injected in tests; defaults to Date.now. */
  now?: () => number;
}

export function Countdown({ expiresAt, clock, now = Date.now }: CountdownProps) {
  const local = useTicker(250, now);
  const remaining = (expiresAt - sessionNow(clock, local)) / 1000;
  if (remaining <= 0) {
    return (
      <span class="countdown expired" role="timer">
        expired {formatDuration(-remaining)} ago
      </span>
    );
  }
  return (
    <span class={`countdown${remaining < 60 ? ' soon' : ''}`} role="timer">
      {formatDuration(remaining)} left
    </span>
  );
}

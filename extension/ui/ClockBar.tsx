/**
 * The virtual clock: travel by preset or custom amount, reset. When it is not at real time a banner
 * stays visible on every tab, so nobody reads a countdown without knowing time was moved.
 */
import { useState } from 'preact/hooks';
import { formatDuration } from '../client/hints.js';
import { sessionNow } from '../client/state.js';
import { formatDate } from './format.js';
import { useApp, useStoreState, useTicker, useWritesOff } from './use-store.js';
import './clock.css';

const PRESETS: [string, number][] = [
  ['+1 min', 60],
  ['+1 h', 3600],
  ['+1 day', 86_400],
  ['+2 weeks', 14 * 86_400],
];

export function ClockBanner() {
  const { store } = useApp();
  const clock = useStoreState((s) => s.clock);
  const local = useTicker(1000);
  const writesOff = useWritesOff();
  if (clock.offsetSeconds === 0 && !clock.frozen) return null;
  const sign = clock.offsetSeconds < 0 ? '−' : '+';
  return (
    <div class="clock-banner" role="status" data-testid="clock-banner">
      Virtual clock {sign}
      {formatDuration(Math.abs(clock.offsetSeconds))}
      {clock.frozen ? ' (frozen)' : ''} · session time {formatDate(sessionNow(clock, local))}
      <button
        type="button"
        {...(writesOff ? { disabled: true, title: writesOff } : {})}
        onClick={() => void store.resetClock()}
      >
        Reset to real time
      </button>
    </div>
  );
}

export function ClockControls({ readOnly }: { readOnly: boolean }) {
  const { store } = useApp();
  const [custom, setCustom] = useState('');
  const writesOff = useWritesOff();
  if (readOnly) return null;
  const off = writesOff ? { disabled: true, title: writesOff } : {};
  return (
    <fieldset class="clock-controls" aria-label="Clock travel">
      <span class="muted">Travel</span>
      {PRESETS.map(([label, seconds]) => (
        <button key={label} type="button" {...off} onClick={() => void store.travel(seconds)}>
          {label}
        </button>
      ))}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const seconds = Number(custom);
          if (!writesOff && Number.isFinite(seconds) && seconds !== 0) void store.travel(seconds);
        }}
      >
        <input
          class="num"
          aria-label="Travel seconds"
          placeholder="± seconds"
          value={custom}
          onInput={(e) => setCustom(e.currentTarget.value)}
        />
        <button type="submit" {...off}>
          Go
        </button>
      </form>
    </fieldset>
  );
}

/**
 * The one source of "now" for every expiry decision. QA moves it with `travel()`; tests may
 * `freeze()` it. Real time plus an offset, so a travelled clock keeps ticking.
 */
export interface Clock {
  now(): Date;
  nowMs(): number;
  readonly offsetSeconds: number;
  readonly frozen: boolean;
  travel(seconds: number): void;
  reset(): void;
  freeze(at?: Date | number): void;
  onChange(listener: (clock: Clock) => void): () => void;
}

/**
 * S2: the virtual clock stays where every engine can store an expiry: not before the Unix epoch
 * (signed timestamps are base62 seconds since 1970), and far enough before Django's year 9999
 * (SQLite text dates, Python datetimes) that now + any cookie age still fits. PostgreSQL's range
 * is wider. A move outside is refused before it happens, so a reset never meets a broken clock.
 */
export const CLOCK_MIN_MS = 0;
export const CLOCK_MAX_MS = Date.UTC(9000, 0, 1);

function checkInRange(targetMs: number, what: string): void {
  if (targetMs >= CLOCK_MIN_MS && targetMs <= CLOCK_MAX_MS) return;
  const shown =
    Number.isFinite(targetMs) && Math.abs(targetMs) < 8.64e15
      ? new Date(targetMs).toISOString()
      : `${targetMs} ms`;
  throw new RangeError(
    `${what} would put the session clock at ${shown}, outside 1970-01-01 … 9000-01-01, which the session stores cannot hold (expiry dates are written as Django datetimes, years 1 to 9999). Travel less far, or reset the clock.`,
  );
}

export function createClock(realNow: () => number = Date.now): Clock {
  let offsetMs = 0;
  let frozenAt: number | null = null;
  const listeners = new Set<(clock: Clock) => void>();
  const notify = () => {
    for (const listener of listeners) listener(clock);
  };
  const clock: Clock = {
    nowMs: () => (frozenAt ?? realNow()) + offsetMs,
    now: () => new Date(clock.nowMs()),
    get offsetSeconds() {
      return offsetMs / 1000;
    },
    get frozen() {
      return frozenAt !== null;
    },
    travel(seconds: number) {
      if (!Number.isFinite(seconds)) {
        throw new RangeError(
          `clock.travel(seconds) needs a finite number of seconds, got ${String(seconds)}.`,
        );
      }
      checkInRange(clock.nowMs() + seconds * 1000, `clock.travel(${seconds})`);
      offsetMs += seconds * 1000;
      notify();
    },
    reset() {
      offsetMs = 0;
      frozenAt = null;
      notify();
    },
    freeze(at?: Date | number) {
      const target = at === undefined ? realNow() : typeof at === 'number' ? at : at.getTime();
      checkInRange(target, 'clock.freeze()');
      frozenAt = target;
      offsetMs = 0;
      notify();
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return clock;
}

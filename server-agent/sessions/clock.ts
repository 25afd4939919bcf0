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
      offsetMs += seconds * 1000;
      notify();
    },
    reset() {
      offsetMs = 0;
      frozenAt = null;
      notify();
    },
    freeze(at?: Date | number) {
      frozenAt = at === undefined ? realNow() : typeof at === 'number' ? at : at.getTime();
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

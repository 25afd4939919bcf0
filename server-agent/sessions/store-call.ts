/**
 * Store calls fail fast: a store that does not answer within the limit is unavailable (503). A
 * failure leaves here with every session key scrubbed out of it (S5, key-scrub.ts).
 *
 * One timer per store (and limit) watches every call in flight, rather than a timer, a timeout
 * promise and a Promise.race per call: with a fixed limit the deadlines fall in call order, so the
 * timer only ever waits for the oldest call still running.
 */
import { StoreUnavailable } from './errors.js';
import { storeFailure } from './key-scrub.js';
import type { SessionStore } from './store.js';

interface InFlight {
  deadline: number;
  fail(): void;
}

class Deadlines {
  /** Insertion order is deadline order (same limit, monotonic clock). */
  readonly #calls = new Set<InFlight>();
  #timer: NodeJS.Timeout | undefined;

  add(call: InFlight): void {
    this.#calls.add(call);
    if (!this.#timer) this.#arm(call.deadline);
    // A call in flight keeps the process alive, as its own timer used to.
    else if (this.#calls.size === 1) this.#timer.ref();
  }

  delete(call: InFlight): void {
    this.#calls.delete(call);
    // Nothing in flight: the armed timer may fire (and find nothing) but must not hold the process.
    if (this.#calls.size === 0) this.#timer?.unref();
  }

  #arm(at: number): void {
    this.#timer = setTimeout(() => this.#fire(), Math.max(0, at - performance.now()));
  }

  #fire(): void {
    this.#timer = undefined;
    const now = performance.now();
    for (const call of this.#calls) {
      if (call.deadline > now) {
        this.#arm(call.deadline);
        return;
      }
      this.#calls.delete(call);
      call.fail();
    }
  }
}

const watchers = new WeakMap<SessionStore, Map<number, Deadlines>>();

function deadlinesFor(store: SessionStore, limitMs: number): Deadlines {
  let byLimit = watchers.get(store);
  if (!byLimit) {
    byLimit = new Map();
    watchers.set(store, byLimit);
  }
  let deadlines = byLimit.get(limitMs);
  if (!deadlines) {
    deadlines = new Deadlines();
    byLimit.set(limitMs, deadlines);
  }
  return deadlines;
}

export function callStore<T>(
  store: SessionStore,
  limitMs: number,
  operation: () => Promise<T>,
  key?: string | null,
): Promise<T> {
  let work: Promise<T>;
  try {
    work = Promise.resolve(operation());
  } catch (error) {
    return Promise.reject(storeFailure(error, store.engine, [key]));
  }
  // A store that settles in time by itself (store.ts) needs no deadline: only the scrub of a
  // failure. That saves the wrapping promise, its executor, the deadline record and its closures on
  // each call (two calls a write); profiled, the store call was the largest of the read path's own
  // allocations.
  if (store.capabilities.settlesInTime)
    return work.then(undefined, (error: unknown) => {
      throw storeFailure(error, store.engine, [key]);
    });
  const deadlines = deadlinesFor(store, limitMs);
  return new Promise<T>((resolve, reject) => {
    const call: InFlight = {
      deadline: performance.now() + limitMs,
      fail: () =>
        reject(
          storeFailure(
            new StoreUnavailable(`The ${store.engine} session store did not answer within ${limitMs} ms.`),
            store.engine,
            [key],
          ),
        ),
    };
    deadlines.add(call);
    work.then(
      (value) => {
        deadlines.delete(call);
        resolve(value);
      },
      (error: unknown) => {
        deadlines.delete(call);
        reject(storeFailure(error, store.engine, [key]));
      },
    );
  });
}

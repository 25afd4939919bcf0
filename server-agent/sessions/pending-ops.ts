/**
 * U1: the session operations a handler started and has not finished. A forgotten `await`
 * (`req.session.set('user', 'ada'); res.redirect('/')`) used to lose the write, because the
 * middleware decided what to save before set() had run. The middleware now waits for these first.
 *
 * Each public async method of Session is wrapped once at load time (trackMethods). The wrapper
 * counts the call in and out without attaching a handler to the method's own promise, so an
 * unawaited call that fails still reports as an unhandled rejection, exactly as before.
 *
 * Session's methods call each other (get() and set() call load(), flush() calls delete()): those
 * inner calls are waited for like any other, but only the handler's own calls are named in the
 * warning, since `await req.session.load(…)` is no advice to a handler that never called load().
 */
export const PENDING: unique symbol = Symbol('sessionscope.pending');

/**
 * What a tracked method returns when it finished synchronously (set() on loaded data): the wrapper
 * then counts the call out at once instead of in a then(), two promises fewer per such call.
 */
export const SETTLED: Promise<void> = Promise.resolve();

export class PendingOps {
  #count = 0;
  /**
   * Above 0 while a tracked method's synchronous part runs: a tracked call started then comes from
   * that method, not from the handler. An inner call made after one of the method's own awaits
   * would be named; the inner calls still running when a response starts (get() → load(),
   * flush() → delete(), save() → create()) start synchronously, before any await.
   */
  #depth = 0;
  /** Names of the handler's calls still running, in call order (a name per call). */
  readonly #names: string[] = [];
  #waiters: (() => void)[] = [];

  get count(): number {
    return this.#count;
  }

  /** The distinct methods the handler called that are still running, first called first. */
  get methods(): string[] {
    return [...new Set(this.#names)];
  }

  /**
   * Counts a call in; true when it is the handler's own (named), false when another tracked
   * method made it. Pair with entered() once the method's synchronous part has returned.
   */
  start(name: string): boolean {
    this.#count++;
    const named = this.#depth === 0;
    if (named) this.#names.push(name);
    this.#depth++;
    return named;
  }

  /** The synchronous part of the call counted in by start() has returned (or thrown). */
  entered(): void {
    this.#depth--;
  }

  /** Counts a call out; `named` is what start() returned for it. */
  end(name: string, named: boolean): void {
    this.#count--;
    if (named) {
      const at = this.#names.indexOf(name);
      if (at !== -1) this.#names.splice(at, 1);
    }
    if (this.#count === 0 && this.#waiters.length) for (const wake of this.#waiters.splice(0)) wake();
  }

  /** Resolves true once nothing runs, or false when `limitMs` passes first. */
  drained(limitMs: number): Promise<boolean> {
    if (this.#count === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((wake) => wake !== done);
        resolve(false);
      }, limitMs);
      const done = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.#waiters.push(done);
    });
  }
}

interface Tracked {
  [PENDING]?: PendingOps;
}

export function pendingOf(target: object): PendingOps | undefined {
  return (target as Tracked)[PENDING];
}

/** Each tracked method's own function, by prototype and name (see untrackedMethod). */
const untrackedByProto = new WeakMap<object, Map<string, unknown>>();

/**
 * A tracked method as it was before trackMethods wrapped it, for a caller that awaits the call
 * itself and so needs no U1 count: the middleware's own save, a then() less per saving request.
 */
export function untrackedMethod<F extends (...args: never[]) => unknown>(proto: object, name: string): F {
  const original = untrackedByProto.get(proto)?.get(name);
  if (typeof original !== 'function') throw new TypeError(`untrackedMethod: ${name} is not tracked`);
  return original as F;
}

/** Wraps each named async method of `proto` so its calls are counted in the instance's PendingOps. */
export function trackMethods(proto: object, names: readonly string[]): void {
  const methods = proto as Record<string, unknown>;
  const originals = new Map<string, unknown>();
  untrackedByProto.set(proto, originals);
  for (const name of names) {
    const original = methods[name];
    if (typeof original !== 'function') throw new TypeError(`trackMethods: ${name} is not a method`);
    originals.set(name, original);
    // Not an async function: one promise (the finally) per call instead of an async frame and
    // its awaits, on every session call of every request. A rejection still reaches the caller
    // unhandled-if-unawaited through the promise returned here.
    methods[name] = function tracked(this: Tracked, ...args: unknown[]): Promise<unknown> {
      this[PENDING] ??= new PendingOps();
      const pending = this[PENDING];
      const named = pending.start(name);
      let result: Promise<unknown>;
      try {
        result = (original as (...a: unknown[]) => Promise<unknown>).apply(this, args);
      } catch (error) {
        pending.end(name, named);
        return Promise.reject(error);
      } finally {
        pending.entered();
      }
      if (result === SETTLED) {
        pending.end(name, named);
        return result;
      }
      // then(done, failed) rather than finally(done): finally costs a promise and two microtask hops
      // more per call (84 ns a call on Node 20, measured), and this runs for every session call.
      return result.then(
        (value) => {
          pending.end(name, named);
          return value;
        },
        (error: unknown) => {
          pending.end(name, named);
          throw error;
        },
      );
    };
  }
}

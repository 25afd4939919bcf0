/**
 * Out-of-band key cycling (the inspector's "Cycle key") changes the key in the store while the
 * browser still holds the old cookie. Without help the visitor's next request would be anonymous
 * and its response would delete the cookie: a logout. A forward carries the old key over exactly
 * once: the first request with the old key is served the new key's session (and gets the new
 * cookie); from then on the old key is dead. A forward also ends as soon as the new key itself
 * arrives (the extension set the cookie directly), so the two keys are never both usable beyond
 * that one hop.
 *
 * After its hop the old key is "retired" for a short while: requests that were already in flight
 * with it (a page's parallel fetches) get no session, but their responses do not delete the cookie,
 * which by then holds the new key. Retired keys open nothing.
 *
 * In memory, per process: a forward made in one process is not seen by another app process.
 */

/** Most forwards kept (only explicit agent commands create them); the oldest go first. */
const MAX_FORWARDS = 1000;
/** How long an already-used old key keeps its responses from deleting the new cookie. */
export const RETIRED_MS = 60_000;

export type ForwardLookup = { kind: 'forward'; to: string } | { kind: 'retired' } | { kind: 'none' };

interface Forward {
  to: string;
  until: number;
}

export class KeyForwards {
  private readonly forwards = new Map<string, Forward>();
  /** Target keys, counted (a chain points several old keys at one), for a cheap "is it a target?". */
  private readonly targets = new Map<string, number>();
  private readonly retired = new Map<string, number>();

  constructor(private readonly nowMs: () => number) {}

  get size(): number {
    return this.forwards.size + this.retired.size;
  }

  /** Registers `from → to` for one hop, valid for `ttlMs` (the cookie's lifetime) at most. */
  add(from: string, to: string, ttlMs: number): void {
    // A chain (cycled twice before the browser came back) forwards the oldest key straight to the newest.
    const chained = [...this.forwards].filter(([, forward]) => forward.to === from);
    for (const [old, forward] of chained) this.set(old, to, forward.until);
    this.set(from, to, this.nowMs() + ttlMs);
    while (this.forwards.size > MAX_FORWARDS) {
      const oldest = this.forwards.keys().next().value;
      if (oldest === undefined) break;
      this.drop(oldest);
    }
  }

  /**
   * What a request's cookie key means. A forward is used up by this call; a key that is some
   * forward's target ends that forward (the browser already has the new key).
   */
  take(key: string): ForwardLookup {
    if (this.forwards.size === 0 && this.retired.size === 0) return { kind: 'none' };
    const now = this.nowMs();
    const forward = this.forwards.get(key);
    if (forward) {
      this.drop(key);
      if (forward.until < now) return { kind: 'none' };
      this.retire(key, now);
      return { kind: 'forward', to: forward.to };
    }
    const retiredAt = this.retired.get(key);
    if (retiredAt !== undefined) {
      if (now - retiredAt <= RETIRED_MS) return { kind: 'retired' };
      this.retired.delete(key);
    }
    if (this.targets.has(key))
      for (const [old] of [...this.forwards].filter(([, f]) => f.to === key)) this.drop(old);
    return { kind: 'none' };
  }

  private set(from: string, to: string, until: number): void {
    this.drop(from);
    this.forwards.set(from, { to, until });
    this.targets.set(to, (this.targets.get(to) ?? 0) + 1);
  }

  private drop(from: string): void {
    const forward = this.forwards.get(from);
    if (!forward) return;
    this.forwards.delete(from);
    const count = (this.targets.get(forward.to) ?? 1) - 1;
    if (count > 0) this.targets.set(forward.to, count);
    else this.targets.delete(forward.to);
  }

  private retire(key: string, now: number): void {
    for (const [old, at] of this.retired) if (now - at > RETIRED_MS) this.retired.delete(old);
    this.retired.set(key, now);
    while (this.retired.size > MAX_FORWARDS) {
      const oldest = this.retired.keys().next().value;
      if (oldest === undefined) break;
      this.retired.delete(oldest);
    }
  }
}

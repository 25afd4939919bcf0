/**
 * The dict half of Django's SessionBase: get/set/pop/… over the lazily loaded data, with the
 * modified flag kept exactly as Django keeps it. Loading, saving and keys live in Session
 * (session.ts), which extends this.
 */
import { SessionKeyMissing } from './errors.js';
import { PENDING, type PendingOps, SETTLED } from './pending-ops.js';
import { assertStorable } from './serializer.js';
import type { JsonValue, SessionData } from './serializer.js';
import { TEST_COOKIE_NAME, TEST_COOKIE_VALUE } from './session-context.js';

export abstract class SessionMapping {
  accessed = false;
  modified = false;
  /** Set by the middleware so events can be joined to the request. */
  requestId: string | undefined;
  /** U1: calls still running (pending-ops.ts); created on the first call. */
  [PENDING]: PendingOps | undefined = undefined;

  /** Django's _get_session: marks accessed and loads once. */
  protected abstract sessionData(noLoad?: boolean): Promise<SessionData>;

  /**
   * What sessionData() would give when the data is loaded already (marking accessed, as it does),
   * else undefined. The methods below take it first: a call on loaded data then finishes without
   * an await, which saved two promises and a microtask hop per call (bench/request-path.ts with
   * BENCH_PROMISES=1 counts them).
   */
  protected abstract loadedData(): SessionData | undefined;

  /** One key changed: the session.modified event. */
  protected abstract changed(
    key: string,
    op: 'set' | 'removed' | 'cleared',
    before: JsonValue | undefined,
    after: JsonValue | undefined,
  ): void;

  // ---- data API ------------------------------------------------------------------------------

  /** Not async: a then() on the load when it has to load, a promise fewer than an await. */
  get<T extends JsonValue = JsonValue>(key: string, fallback?: T): Promise<T | undefined> {
    const read = (data: SessionData) => (data.has(key) ? (data.get(key) as T) : fallback);
    const data = this.loadedData();
    return data === undefined ? this.sessionData().then(read) : Promise.resolve(read(data));
  }

  /** Not async: on loaded data the change is made at once and SETTLED returned (pending-ops.ts). */
  set(key: string, value: JsonValue): Promise<void> {
    try {
      assertStorable(key, value);
      const data = this.loadedData();
      if (data === undefined) return this.sessionData().then((loaded) => this.#put(loaded, key, value));
      this.#put(data, key, value);
      return SETTLED;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #put(data: SessionData, key: string, value: JsonValue): void {
    const before = data.get(key);
    data.set(key, value);
    this.modified = true;
    this.changed(key, 'set', before, value);
  }

  async has(key: string): Promise<boolean> {
    return (this.loadedData() ?? (await this.sessionData())).has(key);
  }

  /** `del session[key]`: throws SessionKeyMissing when absent. */
  async remove(key: string): Promise<void> {
    const data = this.loadedData() ?? (await this.sessionData());
    if (!data.has(key)) throw new SessionKeyMissing(key);
    const before = data.get(key);
    data.delete(key);
    this.modified = true;
    this.changed(key, 'removed', before, undefined);
  }

  /** Without a fallback, a missing key throws SessionKeyMissing (Python's KeyError). */
  async pop<T extends JsonValue = JsonValue>(key: string, ...fallback: [T?]): Promise<T | undefined> {
    const data = this.loadedData() ?? (await this.sessionData());
    const present = data.has(key);
    this.modified = this.modified || present;
    if (!present) {
      if (fallback.length === 0) throw new SessionKeyMissing(key);
      return fallback[0];
    }
    const value = data.get(key) as T;
    data.delete(key);
    this.changed(key, 'removed', value, undefined);
    return value;
  }

  async setDefault<T extends JsonValue>(key: string, value: T): Promise<T> {
    const data = this.loadedData() ?? (await this.sessionData());
    if (data.has(key)) return data.get(key) as T;
    await this.set(key, value);
    return value;
  }

  async update(
    values: Record<string, JsonValue> | Map<string, JsonValue> | Iterable<[string, JsonValue]>,
  ): Promise<void> {
    const entries = [
      ...((values instanceof Map || Symbol.iterator in values ? values : Object.entries(values)) as Iterable<
        [string, JsonValue]
      >),
    ];
    // All checked before any is applied: a bad value leaves the session as it was.
    for (const [key, value] of entries) assertStorable(key, value);
    const data = this.loadedData() ?? (await this.sessionData());
    for (const [key, value] of entries) {
      const before = data.get(key);
      data.set(key, value);
      this.changed(key, 'set', before, value);
    }
    this.modified = true;
  }

  async keys(): Promise<string[]> {
    return [...(this.loadedData() ?? (await this.sessionData())).keys()];
  }

  async values(): Promise<JsonValue[]> {
    return [...(this.loadedData() ?? (await this.sessionData())).values()];
  }

  async items(): Promise<[string, JsonValue][]> {
    return [...(this.loadedData() ?? (await this.sessionData())).entries()];
  }

  // ---- test cookie ---------------------------------------------------------------------------

  async setTestCookie(): Promise<void> {
    await this.set(TEST_COOKIE_NAME, TEST_COOKIE_VALUE);
  }

  async testCookieWorked(): Promise<boolean> {
    return (await this.get(TEST_COOKIE_NAME)) === TEST_COOKIE_VALUE;
  }

  async deleteTestCookie(): Promise<void> {
    await this.remove(TEST_COOKIE_NAME);
  }
}

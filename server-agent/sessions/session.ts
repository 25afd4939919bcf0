/**
 * Django's SessionBase in TypeScript: lazy loading, accessed/modified flags, key validation on every
 * assignment, expiry maths, flush/cycleKey, and the storage contract's create/save/load rules.
 */
import type { Clock } from './clock.js';
import { CreateError, SessionError, SessionKeyMissing, StoreUnavailable, UpdateError } from './errors.js';
import type { SessionEvents } from './events.js';
import { type ExpiryValue, expiryAge, expiryDate, storedExpiry } from './expiry.js';
import type { SessionHandles } from './handles.js';
import { generateSessionKey, validSessionKeyOrNull } from './keys.js';
import { type Baseline, mergeChanges, takeBaseline, withSessionLock } from './merge-save.js';
import { capExceededAt, capsEnabled, createdAtOf, needsTouch, stampCaps } from './lifetime-caps.js';
import type { JsonValue, SessionData } from './serializer.js';
import type { SessionValidator } from './schema.js';
import type { SessionSettings } from './settings.js';
import { emitLoadEvents, eventSnapshot, expiryPolicy } from './session-events.js';
import { callStore } from './store-call.js';
import type { LoadResult, SessionCodec, SessionStore } from './store.js';

export const EXPIRY_KEY = '_session_expiry';
export const TEST_COOKIE_NAME = 'testcookie';
export const TEST_COOKIE_VALUE = 'worked';
const MAX_CREATE_ATTEMPTS = 10_000;

export interface SessionContext {
  settings: Readonly<SessionSettings>;
  store: SessionStore;
  clock: Clock;
  events: SessionEvents;
  codec: SessionCodec;
  handles: SessionHandles;
  /** The optional schema's check, run on every load (schema.ts). */
  validate?: SessionValidator;
}

export interface ExpiryOptions {
  /** The moment the age is measured from; defaults to the clock's now. */
  modification?: Date;
  /** Use this expiry instead of the stored one; when given (even null) the session is not loaded. */
  expiry?: JsonValue | Date;
}

export class Session {
  accessed = false;
  modified = false;
  /** Set by the middleware so events can be joined to the request. */
  requestId: string | undefined;
  #key: string | null;
  /** undefined = not loaded yet, distinct from a loaded empty Map (Django's missing _session_cache). */
  #cache: SessionData | undefined;
  #loading: Promise<SessionData> | undefined;
  #storeUnavailable = false;
  /** Lifetime caps: the creation stamp the record was loaded with (survives clear()). */
  #capCreatedAt: number | null = null;
  /** SESSION_SAVE_STRATEGY='merge': the data as loaded, to tell this request's changes apart. */
  #mergeBaseline: Baseline | undefined;
  readonly #ctx: SessionContext;

  constructor(context: SessionContext, sessionKey?: string | null) {
    this.#ctx = context;
    this.#key = validSessionKeyOrNull(sessionKey);
  }

  /** The store failed while loading and settings say 'continue': this request runs without a session. */
  get storeUnavailable(): boolean {
    return this.#storeUnavailable;
  }

  get sessionKey(): string | null {
    return this.#key;
  }

  /** True once the data has been read from the store (or set without reading). */
  get loaded(): boolean {
    return this.#cache !== undefined;
  }

  get store(): SessionStore {
    return this.#ctx.store;
  }

  // ---- data API ------------------------------------------------------------------------------

  async get<T extends JsonValue = JsonValue>(key: string, fallback?: T): Promise<T | undefined> {
    const data = await this.#data();
    return data.has(key) ? (data.get(key) as T) : fallback;
  }

  async set(key: string, value: JsonValue): Promise<void> {
    const data = await this.#data();
    const before = data.get(key);
    data.set(key, value);
    this.modified = true;
    this.#emitModified(key, 'set', before, value);
  }

  async has(key: string): Promise<boolean> {
    return (await this.#data()).has(key);
  }

  /** `del session[key]`: throws SessionKeyMissing when absent. */
  async remove(key: string): Promise<void> {
    const data = await this.#data();
    if (!data.has(key)) throw new SessionKeyMissing(key);
    const before = data.get(key);
    data.delete(key);
    this.modified = true;
    this.#emitModified(key, 'removed', before, undefined);
  }

  /** Without a fallback, a missing key throws SessionKeyMissing (Python's KeyError). */
  async pop<T extends JsonValue = JsonValue>(key: string, ...fallback: [T?]): Promise<T | undefined> {
    const data = await this.#data();
    const present = data.has(key);
    this.modified = this.modified || present;
    if (!present) {
      if (fallback.length === 0) throw new SessionKeyMissing(key);
      return fallback[0];
    }
    const value = data.get(key) as T;
    data.delete(key);
    this.#emitModified(key, 'removed', value, undefined);
    return value;
  }

  async setDefault<T extends JsonValue>(key: string, value: T): Promise<T> {
    const data = await this.#data();
    if (data.has(key)) return data.get(key) as T;
    await this.set(key, value);
    return value;
  }

  async update(
    values: Record<string, JsonValue> | Map<string, JsonValue> | Iterable<[string, JsonValue]>,
  ): Promise<void> {
    const data = await this.#data();
    const entries = values instanceof Map || Symbol.iterator in values ? values : Object.entries(values);
    for (const [key, value] of entries as Iterable<[string, JsonValue]>) {
      const before = data.get(key);
      data.set(key, value);
      this.#emitModified(key, 'set', before, value);
    }
    this.modified = true;
  }

  async keys(): Promise<string[]> {
    return [...(await this.#data()).keys()];
  }

  async values(): Promise<JsonValue[]> {
    return [...(await this.#data()).values()];
  }

  async items(): Promise<[string, JsonValue][]> {
    return [...(await this.#data()).entries()];
  }

  /** Synchronous and without loading, as in Django. */
  clear(): void {
    const before = this.#cache;
    this.#cache = new Map();
    this.accessed = true;
    this.modified = true;
    if (this.#ctx.events.active && before) {
      for (const [key, value] of before) this.#emitModified(key, 'cleared', value, undefined);
    }
  }

  isEmpty(): boolean {
    return !this.#key && (this.#cache === undefined || this.#cache.size === 0);
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

  // ---- expiry --------------------------------------------------------------------------------

  getSessionCookieAge(): number {
    return this.#ctx.settings.sessionCookieAge;
  }

  async getExpiryAge(options: ExpiryOptions = {}): Promise<number> {
    const expiry = await this.#expiryFor(options);
    const modification = options.modification?.getTime() ?? this.#ctx.clock.nowMs();
    return expiryAge(expiry, modification, this.getSessionCookieAge());
  }

  async getExpiryDate(options: ExpiryOptions = {}): Promise<Date> {
    const expiry = await this.#expiryFor(options);
    const modification = options.modification?.getTime() ?? this.#ctx.clock.nowMs();
    return expiryDate(expiry, modification, this.getSessionCookieAge());
  }

  async getExpireAtBrowserClose(): Promise<boolean> {
    const expiry = (await this.#data()).get(EXPIRY_KEY);
    if (expiry === undefined || expiry === null) return this.#ctx.settings.sessionExpireAtBrowserClose;
    return expiry === 0 || expiry === false;
  }

  /**
   * number: seconds of inactivity (0 = until the browser closes, negative = expired now);
   * Date: absolute; { seconds }: a duration from now, stored as an absolute date; null: global policy.
   */
  async setExpiry(value: ExpiryValue): Promise<void> {
    const stored = storedExpiry(value, this.#ctx.clock.nowMs());
    const data = await this.#data();
    const before = data.get(EXPIRY_KEY);
    if (stored === undefined) {
      if (!data.has(EXPIRY_KEY)) return;
      data.delete(EXPIRY_KEY);
      this.modified = true;
    } else {
      data.set(EXPIRY_KEY, stored);
      this.modified = true;
    }
    this.#emitModified(EXPIRY_KEY, stored === undefined ? 'removed' : 'set', before, stored);
    if (this.#ctx.events.active) {
      const browserClose = await this.getExpireAtBrowserClose();
      this.#ctx.events.emit('session.expiryChanged', {
        ...this.#base(),
        policy: expiryPolicy(stored, browserClose),
        value: stored === undefined ? null : (stored as number | string),
        expiresAt: browserClose ? null : (await this.getExpiryDate()).getTime(),
      });
    }
  }

  // ---- lifecycle -----------------------------------------------------------------------------

  async flush(): Promise<void> {
    const keys = this.#cache ? [...this.#cache.keys()] : [];
    const handle = this.#key ? this.#ctx.handles.handleFor(this.#key) : undefined;
    this.clear();
    await this.delete();
    this.#key = null;
    if (this.#ctx.events.active)
      this.#ctx.events.emit('session.flushed', { ...this.#base(), session: handle, keys });
  }

  /** New key, same data, old record deleted: the defence against session fixation on login. */
  async cycleKey(): Promise<void> {
    const data = await this.#data();
    const old = this.#key;
    if (!this.#ctx.store.capabilities.serverSide) {
      await this.save();
    } else {
      await this.create();
      this.#cache = data;
      if (old) await this.delete(old);
    }
    if (this.#ctx.events.active && this.#key) {
      this.#ctx.events.emit('session.keyCycled', {
        ...this.#base(),
        from: old ? this.#ctx.handles.handleFor(old) : null,
        to: this.#ctx.handles.handleFor(this.#key),
      });
    }
  }

  async exists(key: string | null): Promise<boolean> {
    if (!key || !this.#wellFormed(key)) return false;
    return this.#call(() => this.#ctx.store.exists(key));
  }

  async create(): Promise<void> {
    if (!this.#ctx.store.capabilities.serverSide) {
      this.modified = true;
      return;
    }
    for (let attempt = 0; attempt < MAX_CREATE_ATTEMPTS; attempt++) {
      this.#key = await this.#newKey();
      try {
        await this.save({ mustCreate: true });
      } catch (error) {
        if (error instanceof CreateError) continue;
        throw error;
      }
      this.modified = true;
      if (this.#ctx.events.active)
        this.#ctx.events.dispatch({
          type: 'session.created',
          at: this.#ctx.clock.nowMs(),
          requestId: this.requestId,
          session: this.#handle(),
        });
      return;
    }
    throw new SessionError(
      'SESSION_CREATE_EXHAUSTED',
      'Unable to create a new session key. It is likely that the store is unavailable.',
    );
  }

  async save(options: { mustCreate?: boolean } = {}): Promise<void> {
    const mustCreate = options.mustCreate ?? false;
    const serverSide = this.#ctx.store.capabilities.serverSide;
    if (serverSide && this.#key === null) return this.create();
    const data = await this.#data(mustCreate);
    // Loading may have found the key unknown and dropped it: never adopt it, mint a new one.
    if (serverSide && this.#key === null) return this.create();
    const key = this.#key;
    if (
      key !== null &&
      serverSide &&
      !mustCreate &&
      this.#mergeBaseline &&
      this.#ctx.settings.sessionSaveStrategy === 'merge'
    ) {
      const baseline = this.#mergeBaseline;
      return withSessionLock(this.#ctx.store, key, () => this.#mergeAndWrite(key, baseline, data));
    }
    return this.#write(data, mustCreate);
  }

  /** The merge strategy: re-read the record, apply only this request's changes, write (under the lock). */
  async #mergeAndWrite(key: string, baseline: Baseline, data: SessionData): Promise<void> {
    const stored = await this.#call(() => this.#ctx.store.load(key));
    if (stored.outcome === 'miss')
      throw new UpdateError('The session was deleted by another request before this merge save.');
    const merged = mergeChanges(stored.outcome === 'hit' ? stored.data : new Map(), baseline, data);
    this.#cache = merged;
    await this.#write(merged, false);
  }

  async #write(data: SessionData, mustCreate: boolean): Promise<void> {
    const serverSide = this.#ctx.store.capabilities.serverSide;
    const started = performance.now();
    const now = this.#ctx.clock.nowMs();
    const expiry = data.get(EXPIRY_KEY);
    const record = {
      data,
      expireDate: expiryDate(expiry, now, this.getSessionCookieAge()),
      ageSeconds: expiryAge(expiry, now, this.getSessionCookieAge()),
    };
    if (capsEnabled(this.#ctx.settings)) this.#applyCaps(record, now);
    const key = this.#key ?? '';
    const outcome = await this.#call(() => this.#ctx.store.save(key, record, mustCreate));
    if (outcome?.key !== undefined) this.#key = validSessionKeyOrNull(outcome.key);
    if (!serverSide) this.modified = true;
    if (this.#ctx.events.active) {
      this.#ctx.events.dispatch({
        type: 'session.saved',
        at: this.#ctx.clock.nowMs(),
        requestId: this.requestId,
        session: this.#handle(),
        ms: performance.now() - started,
        bytes: outcome?.bytes ?? 0,
        mustCreate,
        keys: [...data.keys()],
        expiresAt: record.expireDate.getTime(),
      });
    }
    if (this.#ctx.settings.sessionSaveStrategy === 'merge') this.#mergeBaseline = takeBaseline(data);
  }

  /** Reads the record from the store without caching it (Django's load()). */
  async load(): Promise<SessionData> {
    const key = this.#key;
    if (key === null) return new Map();
    const started = performance.now();
    let result: LoadResult;
    const wellFormed = this.#wellFormed(key);
    if (!wellFormed) result = { outcome: 'miss' };
    else {
      try {
        result = await this.#call(() => this.#ctx.store.load(key));
      } catch (error) {
        // onStoreUnavailable 'continue': go on with an empty session that keeps its key, so the
        // middleware neither saves it nor deletes the visitor's cookie.
        if (!(error instanceof StoreUnavailable) || this.#ctx.settings.onStoreUnavailable !== 'continue')
          throw error;
        this.#storeUnavailable = true;
        return new Map();
      }
    }
    if (result.outcome === 'hit' && capsEnabled(this.#ctx.settings))
      result = await this.#checkCaps(key, result.data);
    if (result.outcome === 'hit' && this.#ctx.validate)
      result = { ...result, data: await this.#ctx.validate(result.data, this.#ctx.handles.handleFor(key)) };
    const handle = this.#ctx.events.active ? this.#ctx.handles.handleFor(key) : undefined;
    if (result.outcome !== 'hit') {
      if (this.#ctx.store.capabilities.serverSide) this.#key = null;
      else this.modified = true; // signed cookies: the bad token is replaced by a fresh one
    }
    if (this.#ctx.events.active) {
      emitLoadEvents(this.#ctx.events, result, {
        at: this.#ctx.clock.nowMs(),
        requestId: this.requestId,
        session: handle,
        wellFormed,
        ms: performance.now() - started,
      });
    }
    return result.outcome === 'hit' ? result.data : new Map();
  }

  async delete(key: string | null = this.#key): Promise<void> {
    if (!this.#ctx.store.capabilities.serverSide) {
      this.#key = null;
      this.#cache = new Map();
      this.modified = true;
      return;
    }
    if (!key) return;
    if (this.#wellFormed(key)) await this.#call(() => this.#ctx.store.delete(key));
    if (this.#ctx.events.active)
      this.#ctx.events.emit('session.deleted', {
        ...this.#base(),
        session: this.#ctx.handles.handleFor(key),
      });
  }

  encode(data: SessionData | Record<string, JsonValue>): string {
    return this.#ctx.codec.encode(data instanceof Map ? data : new Map(Object.entries(data)));
  }

  decode(text: string): SessionData {
    return this.#ctx.codec.decode(text);
  }

  // ---- internals -----------------------------------------------------------------------------

  /** Django's _get_session: marks accessed, loads once, concurrent callers share one load. */
  async #data(noLoad = false): Promise<SessionData> {
    this.accessed = true;
    if (this.#cache) return this.#cache;
    if (this.#key === null || noLoad) {
      this.#cache = new Map();
      return this.#cache;
    }
    this.#loading ??= this.load().finally(() => {
      this.#loading = undefined;
    });
    const data = await this.#loading;
    if (this.#ctx.settings.sessionSaveStrategy === 'merge' && this.#key !== null)
      this.#mergeBaseline = takeBaseline(data);
    // clear() may have run while loading; its empty dict wins, as it would in Django.
    this.#cache ??= data;
    return this.#cache;
  }

  async #expiryFor(options: ExpiryOptions): Promise<JsonValue | undefined> {
    if ('expiry' in options) {
      const given = options.expiry;
      return given instanceof Date ? given.toISOString() : given;
    }
    return (await this.#data()).get(EXPIRY_KEY);
  }

  async #newKey(): Promise<string> {
    // 165 random bits never collide in practice; where the insert is atomic a collision still
    // ends in CreateError and a retry, so Django's exists() probe is skipped (one round trip less).
    if (this.#ctx.store.capabilities.atomicCreate) return generateSessionKey();
    for (;;) {
      const key = generateSessionKey();
      if (!(await this.exists(key))) return key;
    }
  }

  /** Lifetime caps: an over-cap record loads as expired and is deleted; a stale idle stamp is touched. */
  async #checkCaps(key: string, data: SessionData): Promise<LoadResult> {
    const now = this.#ctx.clock.nowMs();
    const exceededAt = capExceededAt(data, this.#ctx.settings, now);
    if (exceededAt === null) {
      this.#capCreatedAt = createdAtOf(data);
      if (needsTouch(data, this.#ctx.settings, now)) this.modified = true;
      return { outcome: 'hit', data };
    }
    if (this.#ctx.store.capabilities.serverSide) await this.#call(() => this.#ctx.store.delete(key));
    return { outcome: 'expired', expiredAt: new Date(exceededAt), reason: 'lifetime-cap' };
  }

  /**
   * Stamps creation/activity. The stored expiry stays Django's on purpose: were it clamped to the
   * cap, the store would report a plain expiry first and the over-cap record would never be deleted.
   */
  #applyCaps(record: { data: SessionData }, now: number): void {
    stampCaps(record.data, this.#ctx.settings, now, this.#capCreatedAt);
  }

  #wellFormed(key: string): boolean {
    const pattern = this.#ctx.store.capabilities.keyPattern;
    return pattern === null || pattern.test(key);
  }

  /** Store calls fail fast: see store-call.ts. */
  #call<T>(operation: () => Promise<T>): Promise<T> {
    return callStore(this.#ctx.store, this.#ctx.settings.storeTimeoutMs, operation);
  }

  #base(): { at: number; requestId?: string; session?: string } {
    return { at: this.#ctx.clock.nowMs(), requestId: this.requestId, session: this.#handle() };
  }

  #handle(): string | undefined {
    return this.#key ? this.#ctx.handles.handleFor(this.#key) : undefined;
  }

  #emitModified(
    key: string,
    op: 'set' | 'removed' | 'cleared',
    before: JsonValue | undefined,
    after: JsonValue | undefined,
  ): void {
    if (!this.#ctx.events.active) return;
    this.#ctx.events.dispatch({
      type: 'session.modified',
      at: this.#ctx.clock.nowMs(),
      requestId: this.requestId,
      session: this.#handle(),
      key,
      op,
      before: eventSnapshot(before),
      after: eventSnapshot(after),
    });
  }
}

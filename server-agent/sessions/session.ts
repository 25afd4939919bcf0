/**
 * Django's SessionBase in TypeScript: lazy loading, accessed/modified flags, key validation on every
 * assignment, expiry maths, flush/cycleKey, and the storage contract's create/save/load rules.
 */
import type { ExpiryValue } from './expiry.js';
import { validSessionKeyOrNull } from './keys.js';
import { type Baseline, withSessionLock } from './merge-save.js';
import type { JsonValue, SessionData } from './serializer.js';
import { EXPIRY_KEY, type ExpiryOptions, type SessionContext } from './session-context.js';
import { emitModified, emitSavedRecord, eventSnapshot } from './session-events.js';
import {
  ageFor,
  applyExpiry,
  browserCloseFor,
  dateFor,
  emitExpiryChanged,
  givenExpiry,
} from './session-expiry.js';
import { baselineFor, type CasSaved, mergeSave, persist } from './cas.js';
import { buildRecord, deleteRecord, type LoadedRecord, loadRecord, recordExists } from './session-storage.js';
import { trackMethods } from './pending-ops.js';
import { createRecord } from './session-create.js';
import { SessionMapping } from './session-mapping.js';
import { TRACKED_SESSION_METHODS } from './session-tracked-methods.js';
import type { RecordVersion, SessionStore } from './store.js';
import { type SessionObject, trackedView } from './tracked-data.js';

export {
  EXPIRY_KEY,
  type ExpiryOptions,
  type SessionContext,
  TEST_COOKIE_NAME,
  TEST_COOKIE_VALUE,
} from './session-context.js';

export class Session extends SessionMapping {
  #key: string | null;
  /** undefined = not loaded yet, distinct from a loaded empty Map (Django's missing _session_cache). */
  #cache: SessionData | undefined;
  #loading: Promise<SessionData> | undefined;
  #storeUnavailable = false;
  /** Lifetime caps: the creation stamp the record was loaded with (survives clear()). */
  #capCreatedAt: number | null = null;
  /** SESSION_SAVE_STRATEGY='merge': the data as loaded, to tell this request's changes apart. */
  #mergeBaseline: Baseline | undefined;
  /** The record's version as loaded or last saved: the compare in a compare-and-swap save (cas.ts). */
  #version: RecordVersion | undefined;
  readonly #ctx: SessionContext;

  constructor(context: SessionContext, sessionKey?: string | null) {
    super();
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

  /**
   * U2: after this one await, the session as an object whose reads are synchronous and whose
   * changes are saved (tracked-data.ts): `const data = await req.session.data(); data.user = 'ada'`.
   */
  async data<D extends object = SessionObject>(): Promise<D> {
    await this.sessionData();
    const current = () => {
      this.#cache ??= new Map();
      return this.#cache;
    };
    return trackedView<D>({
      read: current,
      write: (key, mutate) => {
        const data = current();
        const before = this.#ctx.events.detail(this.requestId) ? eventSnapshot(data.get(key)) : undefined;
        mutate(data);
        this.modified = true;
        this.changed(key, data.has(key) ? 'set' : 'removed', before, data.get(key));
      },
    });
  }

  /** Synchronous and without loading, as in Django. */
  clear(): void {
    const before = this.#cache;
    this.#cache = new Map();
    this.accessed = true;
    this.modified = true;
    if (this.#ctx.events.active && before)
      for (const [key, value] of before) this.changed(key, 'cleared', value, undefined);
  }

  isEmpty(): boolean {
    return !this.#key && (this.#cache === undefined || this.#cache.size === 0);
  }

  // ---- expiry --------------------------------------------------------------------------------

  getSessionCookieAge(): number {
    return this.#ctx.settings.sessionCookieAge;
  }

  async getExpiryAge(options: ExpiryOptions = {}): Promise<number> {
    return ageFor(this.#ctx, await this.#expiryFor(options), options);
  }

  async getExpiryDate(options: ExpiryOptions = {}): Promise<Date> {
    return dateFor(this.#ctx, await this.#expiryFor(options), options);
  }

  async getExpireAtBrowserClose(): Promise<boolean> {
    return browserCloseFor(this.#ctx, await this.sessionData());
  }

  /**
   * For the middleware's Set-Cookie: getExpireAtBrowserClose() and, unless that is true,
   * getExpiryAge(), without their two promises, when the data is loaded already (a session being
   * saved almost always is); undefined when it is not, and the caller awaits the two instead.
   * Not tracked (pending-ops.ts): it never touches the store.
   */
  loadedCookieExpiry(): { maxAge: number | undefined } | undefined {
    const data = this.#cache;
    if (data === undefined) return undefined;
    this.accessed = true; // as sessionData() would
    if (browserCloseFor(this.#ctx, data)) return { maxAge: undefined };
    return { maxAge: ageFor(this.#ctx, data.get(EXPIRY_KEY), {}) };
  }

  /**
   * number: seconds of inactivity (0 = until the browser closes, negative = expired now);
   * Date: absolute; { seconds }: a duration from now, stored as an absolute date; null: global policy.
   */
  async setExpiry(value: ExpiryValue): Promise<void> {
    const data = await this.sessionData();
    const change = applyExpiry(this.#ctx, data, value);
    if (!change) return;
    this.modified = true;
    this.changed(EXPIRY_KEY, change.stored === undefined ? 'removed' : 'set', change.before, change.stored);
    if (this.#ctx.events.active) emitExpiryChanged(this.#ctx, this.#base(), data, change.stored);
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
    const data = await this.sessionData();
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

  exists(key: string | null): Promise<boolean> {
    return recordExists(this.#ctx, key);
  }

  create(): Promise<void> {
    return this.#create();
  }

  /** create() and save() call each other here, outside the U1 count (pending-ops.ts) they are in. */
  #create(): Promise<void> {
    if (!this.#ctx.store.capabilities.serverSide) {
      this.modified = true;
      return Promise.resolve();
    }
    return createRecord(this.#ctx, {
      useKey: (key) => {
        this.#key = key;
      },
      saveNew: () => this.#save({ mustCreate: true }),
      exists: (key) => this.exists(key),
      created: () => {
        this.modified = true;
        if (this.#ctx.events.active)
          this.#ctx.events.dispatch({
            type: 'session.created',
            at: this.#ctx.clock.nowMs(),
            requestId: this.requestId,
            session: this.#handle(),
          });
      },
    });
  }

  save(options: { mustCreate?: boolean } = {}): Promise<void> {
    return this.#save(options);
  }

  // Not async, nor #saveData: on loaded data the save's promise is persist's own (two fewer);
  // nothing on the path throws synchronously (persist rejects instead, createRecord is async).
  #save(options: { mustCreate?: boolean }): Promise<void> {
    const mustCreate = options.mustCreate ?? false;
    if (this.#ctx.store.capabilities.serverSide && this.#key === null) return this.#create();
    const data = this.loadedData();
    if (data !== undefined) return this.#saveData(data, mustCreate);
    return this.sessionData(mustCreate).then((loaded) => this.#saveData(loaded, mustCreate));
  }

  #saveData(data: SessionData, mustCreate: boolean): Promise<void> {
    const serverSide = this.#ctx.store.capabilities.serverSide;
    // Loading may have found the key unknown and dropped it: never adopt it, mint a new one.
    if (serverSide && this.#key === null) return this.#create();
    const key = this.#key;
    const where = {
      key: key ?? '',
      requestId: this.requestId,
      handle: () => this.#handle(),
    };
    const build = (current: SessionData) =>
      buildRecord(this.#ctx, current, this.#ctx.clock.nowMs(), this.#capCreatedAt);
    const baseline = this.#mergeBaseline;
    if (
      key !== null &&
      serverSide &&
      !mustCreate &&
      baseline &&
      this.#ctx.settings.sessionSaveStrategy === 'merge'
    )
      // Serialized per session in this process; across processes the store's compare-and-swap decides.
      return withSessionLock(this.#ctx.store, key, () => {
        const started = performance.now(); // the version is read once the lock is held
        const merging = mergeSave(this.#ctx, where, data, this.#version, baseline, build);
        return merging.then((saved) => this.#committed(false, saved, started));
      });
    const started = performance.now();
    return persist(this.#ctx, where, data, mustCreate, this.#version, baseline, build, (saved) =>
      this.#committed(mustCreate, saved, started),
    );
  }

  #committed(mustCreate: boolean, { outcome, record, data }: CasSaved, started: number): void {
    if (data !== this.#cache && this.#ctx.settings.sessionSaveStrategy === 'merge') this.#cache = data;
    this.#version = outcome.version;
    if (outcome.key !== undefined) this.#key = validSessionKeyOrNull(outcome.key);
    if (!this.#ctx.store.capabilities.serverSide) this.modified = true;
    if (this.#ctx.events.active)
      emitSavedRecord(
        this.#ctx.events,
        { ...this.#base(), ms: performance.now() - started, mustCreate },
        { bytes: outcome.bytes, data, expireDate: record.expireDate },
      );
    this.#mergeBaseline = baselineFor(this.#ctx, this.requestId, data);
  }

  /** Reads the record from the store without caching it (Django's load()). */
  load(): Promise<SessionData> {
    return this.#load();
  }

  /** load() without the U1 count: sessionData() calls it from inside a counted call. */
  #load(): Promise<SessionData> {
    const key = this.#key;
    if (key === null) return Promise.resolve(new Map());
    return loadRecord(this.#ctx, key, this.requestId).then((loaded) => this.#adopt(loaded));
  }

  /** What a load found becomes the session's state (one then() per load, not an async frame). */
  #adopt(loaded: LoadedRecord): SessionData {
    if (loaded.storeUnavailable) {
      this.#storeUnavailable = true;
      return loaded.data;
    }
    this.#version = loaded.hit ? loaded.version : undefined;
    if (loaded.capCreatedAt !== undefined) this.#capCreatedAt = loaded.capCreatedAt;
    if (loaded.touch) this.modified = true;
    if (!loaded.hit) {
      if (this.#ctx.store.capabilities.serverSide) this.#key = null;
      else this.modified = true; // signed cookies: the bad token is replaced by a fresh one
    }
    return loaded.data;
  }

  async delete(key: string | null = this.#key): Promise<void> {
    if (!this.#ctx.store.capabilities.serverSide) {
      this.#key = null;
      this.#cache = new Map();
      this.modified = true;
      return;
    }
    if (key) await deleteRecord(this.#ctx, key, () => this.#base());
  }

  encode(data: SessionData | Record<string, JsonValue>): string {
    return this.#ctx.codec.encode(data instanceof Map ? data : new Map(Object.entries(data)));
  }

  decode(text: string): SessionData {
    return this.#ctx.codec.decode(text);
  }

  // ---- internals -----------------------------------------------------------------------------

  /** sessionData() without a promise, when the data is loaded already (SessionMapping's fast path). */
  protected loadedData(): SessionData | undefined {
    const data = this.#cache;
    if (data !== undefined) this.accessed = true;
    return data;
  }

  /**
   * Django's _get_session: marks accessed, loads once, concurrent callers share one load (a then()
   * on it, no async frame per caller).
   */
  protected sessionData(noLoad = false): Promise<SessionData> {
    this.accessed = true;
    if (this.#cache) return Promise.resolve(this.#cache);
    if (this.#key === null || noLoad) {
      this.#cache = new Map();
      return Promise.resolve(this.#cache);
    }
    // Forgotten once settled, so a failed load is tried again by the next call.
    // loadRecord's result adopted here, not through #load()'s then: a promise less per load.
    this.#loading ??= loadRecord(this.#ctx, this.#key, this.requestId).then(
      (loaded) => {
        const data = this.#adopt(loaded);
        this.#loading = undefined;
        if (this.#key !== null) this.#mergeBaseline = baselineFor(this.#ctx, this.requestId, data);
        // clear() may have run while loading; its empty dict wins, as it would in Django.
        this.#cache ??= data;
        return this.#cache;
      },
      (error: unknown) => {
        this.#loading = undefined;
        throw error;
      },
    );
    return this.#loading;
  }

  async #expiryFor(options: ExpiryOptions): Promise<JsonValue | undefined> {
    const given = givenExpiry(options);
    return given ? given.value : (await this.sessionData()).get(EXPIRY_KEY);
  }

  #base(): { at: number; requestId?: string; session?: string } {
    return { at: this.#ctx.clock.nowMs(), requestId: this.requestId, session: this.#handle() };
  }

  #handle(): string | undefined {
    return this.#key ? this.#ctx.handles.handleFor(this.#key) : undefined;
  }

  protected changed(
    key: string,
    op: 'set' | 'removed' | 'cleared',
    before: JsonValue | undefined,
    after: JsonValue | undefined,
  ): void {
    if (this.#ctx.events.active)
      emitModified(
        this.#ctx.events,
        this.#ctx.clock.nowMs(),
        this.requestId,
        this.#handle(),
        key,
        op,
        before,
        after,
      );
  }
}

/** U1: the methods that may touch the store are counted while they run (session-tracked-methods.ts). */
trackMethods(Session.prototype, TRACKED_SESSION_METHODS);

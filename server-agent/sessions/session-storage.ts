/**
 * The storage side of a Session: reading a record (key check, store call, lifetime caps, schema,
 * load events), building the record a save writes, and the merge strategy's re-read. Plain
 * functions over the SessionContext, so session.ts keeps only the data API and Django's flags.
 */
import { StoreUnavailable, UpdateError } from './errors.js';
import { expiryAge, expiryDate } from './expiry.js';
import { capExceededAt, capsEnabled, createdAtOf, needsTouch, stampCaps } from './lifetime-caps.js';
import { type Baseline, mergeChanges } from './merge-save.js';
import type { SessionData } from './serializer.js';
import { EXPIRY_KEY, type SessionContext } from './session-context.js';
import { emitLoadEvents } from './session-events.js';
import { callStore } from './store-call.js';
import type { LoadResult, RecordVersion, SaveRecord } from './store.js';

/** Store calls fail fast: see store-call.ts. */
export function storeCall<T>(
  ctx: SessionContext,
  operation: () => Promise<T>,
  key?: string | null,
): Promise<T> {
  return callStore(ctx.store, ctx.settings.storeTimeoutMs, operation, key);
}

export function wellFormedKey(ctx: SessionContext, key: string): boolean {
  const pattern = ctx.store.capabilities.keyPattern;
  return pattern === null || pattern.test(key);
}

export interface LoadedRecord {
  /** The data when the store had a live record, else an empty Map. */
  data: SessionData;
  hit: boolean;
  /** The store failed and settings say 'continue': the request runs without a session. */
  storeUnavailable: boolean;
  /** Lifetime caps: the creation stamp the record was loaded with (undefined: caps not checked). */
  capCreatedAt: number | null | undefined;
  /** Lifetime caps: the idle stamp is stale, so the session must be re-saved. */
  touch: boolean;
  /** The stored record's version, for a compare-and-swap save (cas.ts). */
  version?: RecordVersion;
}

/** Django's load(): reads the record without caching it. */
export async function loadRecord(
  ctx: SessionContext,
  key: string,
  requestId: string | undefined,
): Promise<LoadedRecord> {
  const started = performance.now();
  const loaded: LoadedRecord = {
    data: new Map(),
    hit: false,
    storeUnavailable: false,
    capCreatedAt: undefined,
    touch: false,
  };
  let result: LoadResult;
  const wellFormed = wellFormedKey(ctx, key);
  if (!wellFormed) result = { outcome: 'miss' };
  else {
    try {
      result = await storeCall(ctx, () => ctx.store.load(key), key);
    } catch (error) {
      // onStoreUnavailable 'continue': go on with an empty session that keeps its key, so the
      // middleware neither saves it nor deletes the visitor's cookie.
      if (!(error instanceof StoreUnavailable) || ctx.settings.onStoreUnavailable !== 'continue') throw error;
      loaded.storeUnavailable = true;
      return loaded;
    }
  }
  if (result.outcome === 'hit' && capsEnabled(ctx.settings))
    result = await checkCaps(ctx, key, result.data, loaded);
  if (result.outcome === 'hit' && ctx.validate)
    result = { ...result, data: await ctx.validate(result.data, ctx.handles.handleFor(key)) };
  if (ctx.events.active) {
    emitLoadEvents(ctx.events, result, {
      at: ctx.clock.nowMs(),
      requestId,
      session: ctx.handles.handleFor(key),
      wellFormed,
      ms: performance.now() - started,
    });
  }
  if (result.outcome === 'hit') {
    loaded.hit = true;
    loaded.data = result.data;
    loaded.version = result.version;
  }
  return loaded;
}

/** Django's exists(): a malformed key is never stored, so it answers false without a store call. */
export async function recordExists(ctx: SessionContext, key: string | null): Promise<boolean> {
  if (!key || !wellFormedKey(ctx, key)) return false;
  return storeCall(ctx, () => ctx.store.exists(key), key);
}

/** Django's delete() for a server-side store: the record goes (a malformed key has none), then the event. */
export async function deleteRecord(
  ctx: SessionContext,
  key: string,
  base: () => { at: number; requestId?: string },
): Promise<void> {
  if (wellFormedKey(ctx, key)) await storeCall(ctx, () => ctx.store.delete(key), key);
  if (ctx.events.active)
    ctx.events.emit('session.deleted', { ...base(), session: ctx.handles.handleFor(key) });
}

/** Lifetime caps: an over-cap record loads as expired and is deleted; a stale idle stamp is touched. */
async function checkCaps(
  ctx: SessionContext,
  key: string,
  data: SessionData,
  loaded: LoadedRecord,
): Promise<LoadResult> {
  const now = ctx.clock.nowMs();
  const exceededAt = capExceededAt(data, ctx.settings, now);
  if (exceededAt === null) {
    loaded.capCreatedAt = createdAtOf(data);
    if (needsTouch(data, ctx.settings, now)) loaded.touch = true;
    return { outcome: 'hit', data };
  }
  if (ctx.store.capabilities.serverSide) await storeCall(ctx, () => ctx.store.delete(key), key);
  return { outcome: 'expired', expiredAt: new Date(exceededAt), reason: 'lifetime-cap' };
}

/**
 * The record a save writes. Caps stamp creation/activity; the stored expiry stays Django's on
 * purpose: were it clamped to the cap, the store would report a plain expiry first and the over-cap
 * record would never be deleted.
 */
export function buildRecord(
  ctx: SessionContext,
  data: SessionData,
  now: number,
  capCreatedAt: number | null,
): SaveRecord {
  const expiry = data.get(EXPIRY_KEY);
  const age = ctx.settings.sessionCookieAge;
  const record = { data, expireDate: expiryDate(expiry, now, age), ageSeconds: expiryAge(expiry, now, age) };
  // No capsEnabled() guard: with both caps null stampCaps writes nothing, so the bytes stay Django's.
  stampCaps(record.data, ctx.settings, now, capCreatedAt);
  return record;
}

/** The merge strategy: re-read the record and apply only this request's changes to it. */
export async function mergeWithStored(
  ctx: SessionContext,
  key: string,
  baseline: Baseline,
  data: SessionData,
): Promise<SessionData> {
  const stored = await storeCall(ctx, () => ctx.store.load(key), key);
  if (stored.outcome === 'miss')
    throw new UpdateError('The session was deleted by another request before this merge save.');
  // Not an equivalent to mark: `true ? stored.data` gives the same (an expired record has no data,
  // and mergeChanges' new Map(undefined) is empty), but a disable comment would also hide `false ?`.
  return mergeChanges(stored.outcome === 'hit' ? stored.data : new Map(), baseline, data);
}

/** Small helpers for the session's events, kept apart so session.ts stays about Django's rules. */
import type { ExpiryPolicy, SessionEventMap, SessionEvents } from './events.js';
import type { JsonValue } from './serializer.js';
import type { LoadResult } from './store.js';

/** A copy of a value as it is now, so later mutation does not rewrite history in the timeline. */
export function eventSnapshot(value: JsonValue | undefined): JsonValue | undefined {
  // Primitives (undefined included) are their own copy: only skips structuredClone's cost.
  if (typeof value !== 'object' || value === null) return value;
  try {
    return structuredClone(value);
  } catch {
    return String(value);
  }
}

export function expiryPolicy(stored: JsonValue | undefined, browserClose: boolean): ExpiryPolicy {
  if (stored === undefined || stored === null) return browserClose ? 'browser-close' : 'default';
  if (typeof stored === 'string') return 'absolute';
  // Negative before zero, so the two tests cannot overlap (0 is browser close, not expired).
  if (typeof stored === 'number' && stored < 0) return 'expired';
  if (stored === 0 || stored === false) return 'browser-close';
  return 'idle-seconds';
}

/** session.loaded for every load, and session.expired when the store found the record expired. */
export function emitLoadEvents(
  events: SessionEvents,
  result: LoadResult,
  base: {
    at: number;
    requestId: string | undefined;
    session: string | undefined;
    wellFormed: boolean;
    ms: number;
  },
): void {
  events.dispatch({
    type: 'session.loaded',
    at: base.at,
    requestId: base.requestId,
    session: base.session,
    outcome: base.wellFormed ? result.outcome : 'malformed-key',
    keys: result.outcome === 'hit' ? result.data.size : 0,
    ms: base.ms,
  });
  if (result.outcome === 'expired') {
    events.dispatch({
      type: 'session.expired',
      at: base.at,
      requestId: base.requestId,
      session: base.session,
      reason: result.reason ?? 'expiry-date-passed',
      expiredAt: result.expiredAt?.getTime() ?? null,
    });
  }
}

/**
 * session.modified, built whole (one object per change: this runs on every set while a client
 * streams). The values are copied only for a listener that wants the detail (events.detail): the
 * agent's summary of an unwatched request carries key names only.
 */
export function emitModified(
  events: SessionEvents,
  at: number,
  requestId: string | undefined,
  session: string | undefined,
  key: string,
  op: 'set' | 'removed' | 'cleared',
  before: JsonValue | undefined,
  after: JsonValue | undefined,
): void {
  const detail = events.detail(requestId);
  events.dispatch({
    type: 'session.modified',
    at,
    requestId,
    session,
    key,
    op,
    before: detail ? eventSnapshot(before) : undefined,
    after: detail ? eventSnapshot(after) : undefined,
  });
}

/** session.saved, built whole with type first (the order emit() gives every event). */
export function emitSaved(events: SessionEvents, f: SessionEventMap['session.saved']): void {
  events.dispatch({
    type: 'session.saved',
    at: f.at,
    requestId: f.requestId,
    session: f.session,
    ms: f.ms,
    bytes: f.bytes,
    mustCreate: f.mustCreate,
    keys: f.keys,
    expiresAt: f.expiresAt,
  });
}

/** session.saved for what a save wrote: its size, its keys and its expiry. */
export function emitSavedRecord(
  events: SessionEvents,
  base: { at: number; requestId?: string; session?: string; ms: number; mustCreate: boolean },
  written: { bytes: number | undefined; data: Map<string, JsonValue>; expireDate: Date },
): void {
  emitSaved(events, {
    at: base.at,
    requestId: base.requestId,
    session: base.session,
    ms: base.ms,
    mustCreate: base.mustCreate,
    bytes: written.bytes ?? 0,
    keys: [...written.data.keys()],
    expiresAt: written.expireDate.getTime(),
  });
}

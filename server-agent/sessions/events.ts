/**
 * Typed lifecycle events. Sessions are named by a salted handle (see handles.ts), never the raw key.
 * Emitters check `events.active` before building a payload, so with no listener an event costs
 * one property read.
 */
import type { JsonValue } from './serializer.js';

export type LoadOutcome = 'hit' | 'miss' | 'expired' | 'invalid-signature' | 'malformed-key' | 'corrupt';
export type ExpiryPolicy = 'default' | 'browser-close' | 'idle-seconds' | 'absolute' | 'expired';
export type NotSavedReason =
  | 'unmodified'
  | 'empty'
  | 'server-error'
  | 'interrupted'
  | 'store-error'
  /** The merge strategy's compare-and-swap kept losing (SaveConflict, 409); the response is the app's. */
  | 'conflict';
export type ExpiredReason =
  | 'expiry-date-passed'
  | 'negative-expiry'
  | 'signature-too-old'
  | 'lifetime-cap'
  /** The agent's virtual clock moved past the session's expiry. */
  | 'clock-travel'
  /** The agent's "expire now" command. */
  | 'expire-now';

export interface EventBase {
  /** Milliseconds since the epoch on the session clock (virtual when travelled). */
  at: number;
  /** Set when the event happened inside an HTTP request the middleware handled. */
  requestId?: string;
  /** Salted handle of the session key. */
  session?: string;
}

export interface CookieAttributes {
  name: string;
  value: string;
  maxAge?: number;
  expires?: string;
  domain?: string;
  path?: string;
  secure?: boolean;
  httpOnly?: boolean;
  sameSite?: string;
  partitioned?: boolean;
  /** Bytes of name=value, what browsers limit to 4096. */
  size: number;
}

export interface SessionEventMap {
  'request.start': EventBase & { method: string; path: string; cookiePresent: boolean };
  'request.end': EventBase & {
    method: string;
    path: string;
    status: number;
    ms: number;
    accessed: boolean;
    modified: boolean;
    saved: boolean;
    notSavedReason?: NotSavedReason;
  };
  'session.loaded': EventBase & { outcome: LoadOutcome; keys: number; ms: number };
  'session.created': EventBase;
  'session.modified': EventBase & {
    key: string;
    op: 'set' | 'removed' | 'cleared';
    before?: JsonValue | undefined;
    after?: JsonValue | undefined;
  };
  'session.saved': EventBase & {
    ms: number;
    bytes: number;
    mustCreate: boolean;
    keys: string[];
    expiresAt: number;
  };
  'session.deleted': EventBase;
  'session.flushed': EventBase & { keys: string[] };
  'session.keyCycled': EventBase & { from: string | null; to: string };
  'session.expiryChanged': EventBase & {
    policy: ExpiryPolicy;
    value: number | string | null;
    expiresAt: number | null;
  };
  'session.expired': EventBase & { reason: ExpiredReason; expiredAt: number | null };
  'session.interrupted': EventBase & { message: string };
  'session.conflict': EventBase & {
    overwrittenKeys: string[];
    /** 'store': the store's compare-and-swap saw the record change since this request loaded it (any process). */
    detectedBy?: 'store';
  };
  'session.warning': EventBase & { code: string; message: string };
  'cookie.set': EventBase & { cookie: CookieAttributes; header: string };
  'cookie.deleted': EventBase & { cookie: CookieAttributes; header: string };
  'clock.changed': { at: number; offsetSeconds: number; frozen: boolean };
}

export type SessionEventType = keyof SessionEventMap;
export type SessionEvent = { [K in SessionEventType]: { type: K } & SessionEventMap[K] }[SessionEventType];
type Listener<K extends SessionEventType> = (event: { type: K } & SessionEventMap[K]) => void;
type AnyListener = (event: SessionEvent) => void;
/** Does this request's events need their detail? (see SessionEvents.detail) */
export type DetailFilter = (requestId: string | undefined) => boolean;
/** Does the listener want a request on this session (handle; undefined: no cookie) observed at all? */
export type RequestGate = (handle: string | undefined) => boolean;

export class SessionEvents {
  /** True while anyone listens; emitters test it before building payloads. */
  active = false;
  private readonly byType = new Map<SessionEventType, Set<Listener<SessionEventType>>>();
  private readonly any = new Set<AnyListener>();
  private readonly filters = new Map<AnyListener, DetailFilter>();
  private readonly gates = new Map<AnyListener, RequestGate>();
  /** Listeners that take every event with its detail (all but the filtered onAny ones). */
  private unfiltered = 0;
  /** Listeners that want every request observed (all but the gated onAny ones). */
  private ungated = 0;

  on<K extends SessionEventType>(type: K, listener: Listener<K>): () => void {
    let set = this.byType.get(type);
    if (!set) {
      set = new Set();
      this.byType.set(type, set);
    }
    set.add(listener as Listener<SessionEventType>);
    this.refresh();
    return () => this.off(type, listener);
  }

  off<K extends SessionEventType>(type: K, listener: Listener<K>): void {
    this.byType.get(type)?.delete(listener as Listener<SessionEventType>);
    this.refresh();
  }

  /**
   * Every event, in order; the agent uses this. Returns the unsubscribe function. With `detail`,
   * the listener says per request whether it needs the events' detail (see detail()); with `gate`,
   * whether it wants the request observed at all (see observes()).
   */
  onAny(listener: AnyListener, detail?: DetailFilter, gate?: RequestGate): () => void {
    this.any.add(listener);
    if (detail) this.filters.set(listener, detail);
    if (gate) this.gates.set(listener, gate);
    this.refresh();
    return () => {
      this.any.delete(listener);
      this.filters.delete(listener);
      this.gates.delete(listener);
      this.refresh();
    };
  }

  /**
   * Should the middleware observe a request on this session (emit its events)? False when nobody
   * listens, or when every listener is gated and each gate declines: the agent declines requests on
   * sessions no client follows once its summaries for the moment are spent (summary-budget.ts), and
   * such a request then runs exactly as with no listener. Asked once per request, at its start.
   */
  observes(handle: string | undefined): boolean {
    if (!this.active) return false;
    if (this.ungated > 0) return true;
    let wanted = false;
    // Every gate is asked (none short-circuited), so each one's own count stays right.
    for (const gate of this.gates.values()) if (gate(handle)) wanted = true;
    return wanted;
  }

  /**
   * Does some listener need this request's detail: copies of the values a `session.modified`
   * carries, and the store's compare-and-swap save behind a `session.conflict` naming another
   * process's write? Never with no listener; always, unless every listener filters: the agent asks only for what its
   * clients watch whole, since the rest reaches them as a summary that carries neither.
   */
  detail(requestId: string | undefined): boolean {
    if (!this.active) return false;
    if (this.unfiltered > 0) return true;
    for (const wants of this.filters.values()) if (wants(requestId)) return true;
    return false;
  }

  emit<K extends SessionEventType>(type: K, payload: SessionEventMap[K]): void {
    if (!this.active) return;
    this.dispatch({ type, ...payload } as SessionEvent);
  }

  /**
   * emit() for a caller that built the whole event itself (type first, as emit orders it): the
   * per-request events take this path, which saves a copy of every payload while a client watches.
   */
  dispatch(event: SessionEvent): void {
    if (!this.active) return;
    const set = this.byType.get(event.type);
    if (set) for (const listener of set) safeCall(listener as AnyListener, event);
    for (const listener of this.any) safeCall(listener, event);
  }

  private refresh(): void {
    let count = this.any.size;
    for (const set of this.byType.values()) count += set.size;
    this.active = count > 0;
    this.unfiltered = count - this.filters.size;
    this.ungated = count - this.gates.size;
  }
}

/** A listener's bug must never fail the app's request. */
function safeCall<E>(listener: (event: E) => void, event: E): void {
  try {
    listener(event);
  } catch {
    // Deliberately swallowed: observers are not allowed to break the session path.
  }
}

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

export class SessionEvents {
  /** True while anyone listens; emitters test it before building payloads. */
  active = false;
  private readonly byType = new Map<SessionEventType, Set<Listener<SessionEventType>>>();
  private readonly any = new Set<AnyListener>();

  on<K extends SessionEventType>(type: K, listener: Listener<K>): () => void {
    let set = this.byType.get(type);
    if (!set) {
      set = new Set();
      this.byType.set(type, set);
    }
    set.add(listener as Listener<SessionEventType>);
    this.active = true;
    return () => this.off(type, listener);
  }

  off<K extends SessionEventType>(type: K, listener: Listener<K>): void {
    this.byType.get(type)?.delete(listener as Listener<SessionEventType>);
    this.refresh();
  }

  /** Every event, in order; the agent uses this. Returns the unsubscribe function. */
  onAny(listener: AnyListener): () => void {
    this.any.add(listener);
    this.active = true;
    return () => {
      this.any.delete(listener);
      this.refresh();
    };
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

/** Lifecycle events as sent: the app's session events with values replaced by previews. */
import type { BusInfo } from './bus.js';
import type { CommandOp, NackCode } from './commands.js';
import type { ExpiryPolicy, Handle, ValuePreview } from './values.js';

export type LoadOutcome = 'hit' | 'miss' | 'expired' | 'invalid-signature' | 'malformed-key' | 'corrupt';
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
  | 'clock-travel'
  | 'expire-now';

export interface WireEventBase {
  /** Milliseconds since the epoch on the session clock (virtual when travelled). */
  at: number;
  /** The HTTP request the event belongs to (same value as the REQUEST_ID_HEADER response header). */
  requestId?: string;
  session?: Handle;
  /**
   * The process the event happened in, when it came over the agent bus from another process (the
   * `id` of a `BusInfo` process); absent for the connected agent's own process.
   */
  proc?: string;
}

export interface WireCookie {
  name: string;
  /** The session key never travels: shown as ‹handle›. */
  value: string;
  maxAge?: number;
  expires?: string;
  domain?: string;
  path?: string;
  secure?: boolean;
  httpOnly?: boolean;
  sameSite?: string;
  partitioned?: boolean;
  size: number;
}

export interface WireEventMap {
  'request.start': WireEventBase & { method: string; path: string; cookiePresent: boolean };
  'request.end': WireEventBase & {
    method: string;
    path: string;
    status: number;
    ms: number;
    accessed: boolean;
    modified: boolean;
    saved: boolean;
    notSavedReason?: NotSavedReason;
  };
  /**
   * One request nobody watched in full: what its events would have said, without values. Sent in
   * place of its lifecycle events to clients that do not watch its session; `session` is the
   * handle the request ended with (after a key cycle, the new one).
   */
  'request.summary': WireEventBase & {
    method: string;
    path: string;
    status: number;
    ms: number;
    cookiePresent: boolean;
    accessed: boolean;
    modified: boolean;
    saved: boolean;
    notSavedReason?: NotSavedReason;
    /** How the session loaded, when it did. */
    loaded?: LoadOutcome;
    /** Keys set or removed (names only; values never travel in a summary). */
    changed?: string[];
    flushed?: boolean;
    cycled?: boolean;
    expired?: ExpiredReason;
    conflict?: boolean;
    interrupted?: boolean;
    cookie?: 'set' | 'deleted';
    /** How many lifecycle events this summary stands for. */
    events: number;
  };
  /**
   * Protocol 3: requests on sessions no client followed, past `limits.summariesPerSecond`, ran
   * unobserved (no events, no request id): this many between `since` and `at`. At most one per
   * summary window; a client that watches a session or everything never misses its requests.
   */
  'requests.skipped': WireEventBase & { count: number; since: number; perSecond: number };
  'session.loaded': WireEventBase & { outcome: LoadOutcome; keys: number; ms: number };
  'session.created': WireEventBase;
  'session.modified': WireEventBase & {
    key: string;
    op: 'set' | 'removed' | 'cleared';
    before?: ValuePreview;
    after?: ValuePreview;
  };
  'session.saved': WireEventBase & {
    ms: number;
    bytes: number;
    mustCreate: boolean;
    keys: string[];
    expiresAt: number;
  };
  'session.deleted': WireEventBase;
  'session.flushed': WireEventBase & { keys: string[] };
  'session.keyCycled': WireEventBase & { from: Handle | null; to: Handle };
  'session.expiryChanged': WireEventBase & {
    policy: ExpiryPolicy;
    value: number | string | null;
    expiresAt: number | null;
  };
  'session.expired': WireEventBase & { reason: ExpiredReason; expiredAt: number | null };
  'session.interrupted': WireEventBase & { message: string };
  /** Two overlapping requests both saved; the later save overwrote these keys written by the earlier one. */
  'session.conflict': WireEventBase & {
    overwrittenKeys: string[];
    /** 'store': the store's compare-and-swap saw the record change since the load, in any process. */
    detectedBy?: 'store';
  };
  'session.warning': WireEventBase & { code: string; message: string };
  'cookie.set': WireEventBase & { cookie: WireCookie; header: string };
  'cookie.deleted': WireEventBase & { cookie: WireCookie; header: string };
  'clock.changed': { at: number; offsetSeconds: number; frozen: boolean; proc?: string };
  /** The bus changed: processes came or went, or the counters moved. */
  'agent.bus': WireEventBase & { bus: BusInfo };
  /** A command some client ran (the audit trail, broadcast so every panel sees edits). */
  'agent.command': WireEventBase & { op: CommandOp; client: string; ok: boolean; code?: NackCode };
}

export type WireEventType = keyof WireEventMap;
export type WireEvent = { [K in WireEventType]: { type: K } & WireEventMap[K] }[WireEventType];

export interface SequencedEvent {
  seq: number;
  event: WireEvent;
}

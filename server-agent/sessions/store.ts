/**
 * The contract every backend implements. Small on purpose: Django's storage semantics in five
 * calls, with capability flags telling the session, the CLI and the agent what a store can do.
 */
import type { Clock } from './clock.js';
import type { Logger } from './log.js';
import type { SessionData } from './serializer.js';
import type { SessionSettings } from './settings.js';

export interface StoreCapabilities {
  /** False for signed cookies: the cookie is the record, so there is nothing to delete or update. */
  serverSide: boolean;
  /** The store can enumerate its sessions (`list`). */
  list: boolean;
  /** The store drops expired records by itself (cache TTL); clearExpired has nothing to do. */
  expiresOnItsOwn: boolean;
  /** Keys outside this pattern can never be stored, so they are a miss without any I/O. */
  keyPattern: RegExp | null;
  /**
   * save(mustCreate) is an atomic insert-if-absent (SQL ON CONFLICT, Redis SET NX, O_EXCL), so a
   * collision already surfaces as CreateError and the exists() probe before it is a wasted round trip.
   */
  atomicCreate?: boolean;
  /**
   * saveIf() is an atomic compare-and-swap against the version a load returned (SQL UPDATE …
   * WHERE session_data = ?, a Redis Lua script), so a write made elsewhere since the load is seen.
   */
  compareAndSwap?: boolean;
  /**
   * Every call settles within SESSION_STORE_TIMEOUT_MS by itself: in-process work (the memory
   * cache, signed cookies) or statements retried against that deadline (SQLite, sqlite-busy.ts).
   * The store-call deadline (store-call.ts) then has nothing to watch and is skipped. A store
   * that waits on anything outside the process (a socket, a disk that may hang) leaves it unset.
   */
  settlesInTime?: boolean;
}

/**
 * What a load saw, exactly as stored (the db row's session_data, the cache value's bytes): a
 * later saveIf writes only while the record is still this (compare-and-swap).
 */
export type RecordVersion = string | Uint8Array | { readonly [part: string]: string | Uint8Array };

export type LoadResult =
  | { outcome: 'hit'; data: SessionData; expiresAt?: Date; version?: RecordVersion }
  | { outcome: 'miss' | 'corrupt' | 'invalid-signature' }
  | {
      outcome: 'expired';
      expiredAt: Date | null;
      reason?: 'expiry-date-passed' | 'signature-too-old' | 'lifetime-cap';
    };

export interface SaveRecord {
  data: SessionData;
  /** Absolute server-side expiry: what db writes to expire_date. */
  expireDate: Date;
  /** get_expiry_age(): what Django uses as the cache timeout. */
  ageSeconds: number;
}

export interface SaveOutcome {
  /** Client-side stores return the new key (the signed token). */
  key?: string;
  /** Bytes written, for the saved event and the inspector. */
  bytes?: number;
  /** What a load would now return as the record's version (stores with compareAndSwap). */
  version?: RecordVersion;
}

/** saveIf's answer: written, or not because the record changed since `expected`, or is gone. */
export type SaveIfOutcome =
  | (SaveOutcome & { written: true })
  | { written: false; reason: 'changed' | 'gone' };

export interface ListOptions {
  /** Opaque cursor from the previous page; omit for the first page. */
  cursor?: string | null;
  limit: number;
  /** Include expired records (they stay in SQL tables until clearsessions). */
  includeExpired?: boolean;
}

export interface ListedSession {
  key: string;
  expiresAt: Date | null;
  data: SessionData;
  bytes: number;
}

export interface SessionPage {
  items: ListedSession[];
  cursor: string | null;
  /** Total when cheap to know (SQL count), else null. */
  total: number | null;
}

export interface ClearExpiredOptions {
  batchSize?: number;
  onProgress?: (removedSoFar: number) => void;
}

export interface SessionStore {
  readonly engine: string;
  readonly capabilities: StoreCapabilities;
  load(key: string): Promise<LoadResult>;
  /** Ignores expiry, as Django does, so an expired key is never issued again. */
  exists(key: string): Promise<boolean>;
  /** mustCreate: insert or throw CreateError. Otherwise update or throw UpdateError; never insert. */
  save(key: string, record: SaveRecord, mustCreate: boolean): Promise<SaveOutcome | undefined>;
  /**
   * Update only while the stored record is still `expected` (a load's version); never inserts.
   * Present with capabilities.compareAndSwap; stores without it keep plain save().
   */
  saveIf?(key: string, record: SaveRecord, expected: RecordVersion): Promise<SaveIfOutcome>;
  delete(key: string): Promise<void>;
  /** Number removed, or null when the store expires records itself. */
  clearExpired(options?: ClearExpiredOptions): Promise<number | null>;
  list?(options: ListOptions): Promise<SessionPage>;
  close(): Promise<void>;
}

/** Turns session data into the signed string Django stores, and back ({} on any failure). */
export interface SessionCodec {
  encode(data: SessionData): string;
  decode(text: string): SessionData;
  /** Like decode, but says why it failed so stores can report 'corrupt' vs 'invalid-signature'. */
  decodeDetailed(text: string): { data: SessionData; problem: null | 'invalid-signature' | 'corrupt' };
}

export interface StoreContext {
  settings: Readonly<SessionSettings>;
  clock: Clock;
  codec: SessionCodec;
  log: Logger;
}

export type StoreFactory = (context: StoreContext) => SessionStore;

/** Django's key alphabet, and the shape of every key sessionscope issues. */
export const VALID_KEY_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789';
/** Server-side stores: [a-z0-9], 8 to 40 characters (the django_session column is varchar(40)). */
export const SERVER_KEY_PATTERN = /^[a-z0-9]{8,40}$/;

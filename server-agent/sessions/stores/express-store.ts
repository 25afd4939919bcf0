/**
 * fromExpressStore(store): any express-session-compatible store (connect-redis, connect-pg-simple,
 * MemoryStore, …) as a sessionscope engine: `createSessions({ SESSION_ENGINE: fromExpressStore(s) })`.
 *
 * Records are `{ cookie: { expires, originalMaxAge }, session_data }`, where session_data is Django's
 * signed encoding, so the peer store computes its TTL from `cookie` as usual and tampering is caught.
 *
 * Guarantees it cannot give, because express-session's API has only get/set/destroy:
 * - create is not atomic: "absent, then set" is two calls, so two requests minting the same 32-char
 *   random key at the same instant would both win (odds 36^-32; sessionscope checks before writing).
 * - save is not update-only: "present, then set" is two calls, so a logout (destroy) landing between
 *   them is overwritten and the session comes back. The db, cache and file engines never resurrect.
 * - the peer store expires records on real time (its TTL comes from `cookie`), while sessionscope
 *   judges `expire_date` against its own clock: travelling the clock forward expires sessions, but
 *   the peer may also drop a record on its own schedule. clearExpired is the peer's business (null).
 */
import { CreateError, UpdateError } from '../errors.js';
import type {
  LoadResult,
  SaveOutcome,
  SaveRecord,
  SessionStore,
  StoreContext,
  StoreFactory,
} from '../store.js';
import { SERVER_KEY_PATTERN } from '../store.js';

type Callback<T = unknown> = (error?: unknown, value?: T) => void;

/** The part of express-session's Store that the bridge uses. */
export interface ExpressStoreLike {
  get(sid: string, callback: Callback<ExpressRecord | null | undefined>): unknown;
  set(sid: string, session: ExpressRecord, callback?: Callback): unknown;
  destroy(sid: string, callback?: Callback): unknown;
}

interface ExpressRecord {
  /** For the peer store's own TTL, in real time (MemoryStore and connect-redis read it). */
  cookie: { expires?: string | Date | null; originalMaxAge?: number | null };
  /** sessionscope's logical expiry, judged against its (possibly travelled) clock. */
  expire_date?: string;
  session_data?: unknown;
}

function call<T>(run: (callback: Callback<T>) => unknown): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    const result = run((error, value) => (error ? reject(error) : resolve(value)));
    // Some stores (connect-redis 8+) return a promise and also call back; either settles us.
    if (result && typeof (result as Promise<T>).then === 'function')
      (result as Promise<T>).then(resolve, reject);
  });
}

export function fromExpressStore(store: ExpressStoreLike): StoreFactory {
  if (
    !store ||
    typeof store.get !== 'function' ||
    typeof store.set !== 'function' ||
    typeof store.destroy !== 'function'
  ) {
    throw new TypeError(
      'fromExpressStore(store) needs an express-session store with get(sid, cb), set(sid, session, cb) and destroy(sid, cb), such as new RedisStore({ client }).',
    );
  }
  return (context: StoreContext): SessionStore => {
    const { clock, codec } = context;
    const read = (key: string) => call<ExpressRecord | null | undefined>((cb) => store.get(key, cb));

    return {
      engine: 'express-store',
      capabilities: { serverSide: true, list: false, expiresOnItsOwn: true, keyPattern: SERVER_KEY_PATTERN },

      async load(key): Promise<LoadResult> {
        const record = await read(key);
        if (!record || typeof record.session_data !== 'string') return { outcome: 'miss' };
        const expires = typeof record.expire_date === 'string' ? new Date(record.expire_date) : null;
        if (expires && expires.getTime() <= clock.nowMs()) return { outcome: 'expired', expiredAt: expires };
        const decoded = codec.decodeDetailed(record.session_data);
        if (decoded.problem) return { outcome: decoded.problem };
        return { outcome: 'hit', data: decoded.data, expiresAt: expires ?? undefined };
      },

      async exists(key) {
        return !!(await read(key));
      },

      async save(key: string, record: SaveRecord, mustCreate: boolean): Promise<SaveOutcome> {
        const session_data = codec.encode(record.data);
        // Two calls, not one: see the guarantees above.
        const present = !!(await read(key));
        if (mustCreate && present) throw new CreateError();
        if (!mustCreate && !present) throw new UpdateError();
        const ttlMs = Math.max(0, record.ageSeconds) * 1000;
        const value: ExpressRecord = {
          cookie: { expires: new Date(Date.now() + ttlMs).toISOString(), originalMaxAge: ttlMs },
          expire_date: record.expireDate.toISOString(),
          session_data,
        };
        await call((cb) => store.set(key, value, cb));
        return { bytes: Buffer.byteLength(session_data) };
      },

      async delete(key) {
        await call((cb) => store.destroy(key, cb));
      },

      async clearExpired() {
        return null;
      },

      async close() {},
    };
  };
}

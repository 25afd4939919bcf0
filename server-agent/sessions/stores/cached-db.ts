/**
 * The `cached_db` engine (Django's backends.cached_db): a write-through cache in front of the
 * `db` store, composed from the two rather than copied. The database is the source of truth: a
 * cache that fails to read falls back to it, a cache that fails to write is logged and the
 * request goes on, and deleting a session removes both copies.
 */
import type {
  ClearExpiredOptions,
  ListOptions,
  LoadResult,
  SaveRecord,
  SessionStore,
  StoreContext,
} from '../store.js';
import { SERVER_KEY_PATTERN } from '../store.js';
import type { SessionCache } from './cache.js';

export const CACHED_DB_KEY_PREFIX = 'django.contrib.sessions.cached_db';

export function createCachedDbStore(
  context: StoreContext,
  db: SessionStore,
  cache: SessionCache,
): SessionStore {
  const where = cache.backend.description;
  const guarded = async <T>(what: string, operation: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await operation();
    } catch (error) {
      context.log.error(`Error ${what} the session cache (${where}); using the database`, error);
      return undefined;
    }
  };

  return {
    engine: 'cached_db',
    capabilities: {
      serverSide: true,
      list: true,
      expiresOnItsOwn: false,
      keyPattern: SERVER_KEY_PATTERN,
      atomicCreate: true,
    },

    async load(key): Promise<LoadResult> {
      const cached = await guarded('reading', () => cache.load(key));
      // The cached copy carries the row's expiry, so a hit is judged against the clock like the row.
      if (cached?.outcome === 'hit') return cached;
      const result = await db.load(key);
      if (result.outcome === 'hit' && result.expiresAt) {
        const record: SaveRecord = {
          data: result.data,
          expireDate: result.expiresAt,
          ageSeconds: Math.floor((result.expiresAt.getTime() - context.clock.nowMs()) / 1000),
        };
        await guarded('filling', () => cache.write(key, record, 'set'));
      }
      return result;
    },

    async exists(key) {
      // Django checks the cache first: a hit costs no SQL.
      if (await guarded('reading', () => cache.exists(key))) return true;
      return db.exists(key);
    },

    async save(key, record, mustCreate) {
      const outcome = await db.save(key, record, mustCreate);
      const written = await guarded('writing', async () => (await cache.write(key, record, 'set')).written);
      // A failed write would leave the previous copy in the cache, and later loads would serve
      // that stale copy over the database's newer row: drop it (DEL works even when Redis is full).
      if (written === undefined) await guarded('dropping a stale copy from', () => cache.delete(key));
      return outcome;
    },

    async delete(key) {
      // The cached copy goes first and must go: left behind, it would keep a logged-out session
      // alive (CVE-2015-3982's lesson). If the cache cannot delete it, nothing is deleted and the
      // caller sees the error. A second delete removes a copy a concurrent load may have put back.
      await cache.delete(key);
      await db.delete(key);
      await guarded('deleting from', () => cache.delete(key));
    },

    // Rows are cleared in the database; cache entries expire by their TTL.
    clearExpired: (options?: ClearExpiredOptions) => db.clearExpired(options),
    list: (options: ListOptions) => {
      if (!db.list) throw new Error('The db store cannot list sessions.');
      return db.list(options);
    },
    async close() {
      await Promise.allSettled([db.close(), cache.backend.close()]);
    },
  };
}

/**
 * An in-process cache (Django's LocMemCache): bounded, least-recently-used entries are evicted
 * first, entries expire after their TTL. Per process, so it is for development and tests; it warns
 * once when used under NODE_ENV=production.
 */
import { isProduction } from '../env.js';
import type { Logger } from '../log.js';
import type { CacheBackend, CacheValue, ScanPage } from './cache-backend.js';

interface Entry {
  value: CacheValue;
  /** Real-time deadline (Date.now): the TTL is garbage collection, not the session's expiry. */
  deadline: number;
}

export interface MemoryCacheOptions {
  /** Django's OPTIONS.MAX_ENTRIES. Django's default is 300; sessions need more. */
  maxEntries?: number;
  log: Logger;
  now?: () => number;
  env?: NodeJS.ProcessEnv;
}

let warnedInProduction = false;
const text = (value: CacheValue) => (typeof value === 'string' ? value : value.toString('latin1'));
const bytes = (value: CacheValue) => (typeof value === 'string' ? Buffer.from(value, 'latin1') : value);

export function createMemoryCache(options: MemoryCacheOptions): CacheBackend {
  const maxEntries = options.maxEntries ?? 10_000;
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  if (isProduction(options.env ?? process.env) && !warnedInProduction) {
    warnedInProduction = true;
    options.log.warn(
      'The in-memory session cache is per process: sessions are lost on restart and not shared between workers. Use Redis (CACHES.default.BACKEND = "redis") in production.',
    );
  }

  const live = (key: string): Entry | undefined => {
    const entry = entries.get(key);
    if (!entry) return undefined;
    if (entry.deadline <= now()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };
  /**
   * Evictions walk one iterator kept across writes. A fresh `entries.keys()` starts at the front of
   * the Map's table and steps over every slot deleted since the table was last compacted: once the
   * cache is full (a new session per request) that was thousands of holes per write, a tenth of the
   * request's CPU. Everything behind this iterator's position has been deleted (evictions take from
   * the front, touches and new keys append at the end), so its next key is still the oldest.
   */
  let evictFrom: IterableIterator<string> | undefined;
  const oldestKey = (): string | undefined => {
    evictFrom ??= entries.keys();
    let next = evictFrom.next();
    if (next.done) {
      // An exhausted iterator stays exhausted: start over from the front.
      evictFrom = entries.keys();
      next = evictFrom.next();
    }
    return next.done ? undefined : next.value;
  };
  const write = (key: string, value: CacheValue, ttlSeconds: number) => {
    entries.delete(key); // re-insert so Map order is least-recently-used first
    entries.set(key, { value, deadline: now() + Math.max(1, ttlSeconds) * 1000 });
    // Held only while the cache stays full: an idle iterator would keep the Map's old tables alive.
    if (entries.size <= maxEntries) evictFrom = undefined;
    while (entries.size > maxEntries) {
      const oldest = oldestKey();
      if (oldest === undefined) break;
      entries.delete(oldest);
    }
  };

  return {
    description: 'memory',
    expiresOnItsOwn: true,
    inProcess: true,
    async get(key) {
      const entry = live(key);
      if (!entry) return null;
      entries.delete(key);
      entries.set(key, entry);
      return text(entry.value);
    },
    async getRaw(key) {
      const entry = live(key);
      if (!entry) return null;
      return { value: bytes(entry.value), ttlMs: entry.deadline - now() };
    },
    async getManyRaw(keys) {
      return keys.map((key) => {
        const entry = live(key);
        return entry ? bytes(entry.value) : null;
      });
    },
    async replaceIf(key, expected, value, ttl) {
      const entry = live(key);
      if (!entry || !bytes(entry.value).equals(bytes(expected))) return false;
      write(key, value, ttl);
      return true;
    },
    async add(key, value, ttl) {
      if (live(key)) return false;
      write(key, value, ttl);
      return true;
    },
    async replace(key, value, ttl) {
      if (!live(key)) return false;
      write(key, value, ttl);
      return true;
    },
    async set(key, value, ttl) {
      write(key, value, ttl);
    },
    async has(key) {
      return live(key) !== undefined;
    },
    async delete(key) {
      entries.delete(key);
    },
    async scan(prefix, cursor, count): Promise<ScanPage> {
      // Sorted keys give a stable cursor (the last key returned) while entries come and go.
      const keys = [...entries.keys()]
        .filter((key) => key.startsWith(prefix) && (cursor === null || key > cursor) && live(key))
        .sort();
      const page = keys.slice(0, count);
      return { keys: page, cursor: keys.length > count ? (page.at(-1) ?? null) : null };
    },
    async getMany(keys) {
      return keys.map((key) => {
        const entry = live(key);
        return entry ? text(entry.value) : null;
      });
    },
    async close() {
      entries.clear();
      evictFrom = undefined;
    },
  };
}

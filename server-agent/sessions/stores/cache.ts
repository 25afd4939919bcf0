/**
 * The `cache` engine (Django's backends.cache) over a CacheBackend (memory or Redis). Keys are
 * Django's: "<KEY_PREFIX>:<VERSION>:django.contrib.sessions.cache<key>". Each value carries its
 * absolute expiry, checked against the session clock; the cache TTL is only garbage collection.
 */
import { CreateError, UpdateError } from '../errors.js';
import type {
  ListOptions,
  LoadResult,
  SaveOutcome,
  SaveRecord,
  SessionPage,
  SessionStore,
  StoreContext,
} from '../store.js';
import { SERVER_KEY_PATTERN } from '../store.js';
import {
  type CacheBackend,
  type CacheSpec,
  type CacheValue,
  makeCacheKey,
  resolveCacheSpec,
} from './cache-backend.js';
import { type CacheValueFormat, jsonFormat, pickleFormat, resolveCacheFormat } from './cache-format.js';
import { createMemoryCache } from './cache-memory.js';
import { createRedisCache } from './cache-redis.js';

export const CACHE_KEY_PREFIX = 'django.contrib.sessions.cache';
/** Reads a pickle met by a JSON-format store (the protocol only matters for writing). */
const pickleReader = pickleFormat(5);
const MISS: LoadResult = Object.freeze({ outcome: 'miss' });

export { decodeCacheValue, encodeCacheValue } from './cache-format.js';

/**
 * The hit's version for a compare-and-swap save is the value as read. Set on the result the format
 * just made (each decode returns a fresh object): a spread copy of it was ~4 µs of a Redis read.
 */
function withVersion(raw: CacheValue, result: LoadResult): LoadResult {
  if (result.outcome === 'hit') result.version = raw;
  return result;
}

/** A save's answer: written, or the error that says why not (created meanwhile, or gone). */
function saveOutcome(
  written: boolean,
  mustCreate: boolean,
  bytes: number,
  version: CacheValue | undefined,
): SaveOutcome {
  if (written) return { bytes, version };
  throw mustCreate
    ? new CreateError()
    : new UpdateError('The session expired or was deleted from the cache before it could be saved.');
}

export function openCacheBackend(
  context: StoreContext,
  spec: CacheSpec = resolveCacheSpec(context.settings),
): CacheBackend {
  if (spec.kind === 'redis')
    return createRedisCache({ spec, timeoutMs: context.settings.storeTimeoutMs, log: context.log });
  const maxEntries = spec.options.MAX_ENTRIES ?? spec.options.maxEntries;
  return createMemoryCache({
    log: context.log,
    maxEntries: typeof maxEntries === 'number' ? maxEntries : undefined,
  });
}

export interface SessionCacheOptions {
  backend: CacheBackend;
  spec: Pick<CacheSpec, 'keyPrefix' | 'version'>;
  /** Django's cache_key_prefix for the store class. */
  prefix: string;
  /** How values are written (cache-format.ts); sessionscope's JSON when omitted. */
  format?: CacheValueFormat;
}

/** The cache half of the `cache` and `cached_db` engines: sessions in a CacheBackend, by key. */
export interface SessionCache {
  readonly backend: CacheBackend;
  physicalKey(key: string): string;
  load(key: string): Promise<LoadResult>;
  /** What a load would make of `raw` (a version a load returned): its data, judged against the clock. */
  decode(raw: CacheValue): LoadResult;
  exists(key: string): Promise<boolean>;
  /** mustCreate → add (false when present); update → replace (false when gone); neither → set. */
  write(
    key: string,
    record: SaveRecord,
    mode: 'add' | 'replace' | 'set',
  ): Promise<{ written: boolean; bytes: number; value?: CacheValue }>;
  /**
   * The `cache` engine's save: add (mustCreate) or replace; a miss of either rejects with the save's
   * CreateError / UpdateError. write() and a then() on it did the same with a promise more.
   */
  save(key: string, record: SaveRecord, mustCreate: boolean): Promise<SaveOutcome>;
  /** Compare-and-swap: replace only while the stored value is still `expected` (a load's version). */
  writeIf(
    key: string,
    record: SaveRecord,
    expected: CacheValue,
  ): Promise<{ written: boolean; bytes: number; value: CacheValue }>;
  delete(key: string): Promise<void>;
  list(options: ListOptions): Promise<SessionPage>;
}

export function createSessionCache(context: StoreContext, options: SessionCacheOptions): SessionCache {
  const { backend } = options;
  const format = options.format ?? jsonFormat;
  const keyPrefix = makeCacheKey(options.spec, options.prefix);
  const physicalKey = (key: string) => keyPrefix + key;
  const ttl = (record: SaveRecord) => Math.max(1, Math.ceil(record.ageSeconds));
  /** SET NX (add: false when present) or SET XX (replace: false when gone). */
  const addOrReplace = (target: string, value: CacheValue, record: SaveRecord, add: boolean) =>
    add ? backend.add(target, value, ttl(record)) : backend.replace(target, value, ttl(record));
  /** Django's cache semantics: a timeout ≤ 0 means "already expired", so nothing is kept; add and
   * replace still answer whether the key was free or present. */
  const writeExpired = async (target: string, mode: 'add' | 'replace' | 'set') => {
    const present = await backend.has(target);
    if (present && mode !== 'add') await backend.delete(target);
    return { written: mode === 'add' ? !present : mode === 'replace' ? present : true, bytes: 0 };
  };
  return {
    backend,
    physicalKey,
    load(key) {
      const raw = (reader: CacheValueFormat) =>
        backend
          .getRaw(physicalKey(key))
          .then((entry) =>
            entry === null
              ? MISS
              : withVersion(entry.value, reader.decode(entry.value, context.clock.nowMs(), entry.ttlMs)),
          );
      if (format !== jsonFormat) return raw(format);
      return backend.get(physicalKey(key)).then((text) => {
        if (text === null) return MISS;
        // A pickle (PROTO 0x80, decoded to U+FFFD as text), e.g. written by Django or by the CLI's
        // RedisCache settings: read its bytes, so a JSON-format app never loses such a session.
        if (text.charCodeAt(0) === 0xfffd) return raw(pickleReader);
        return withVersion(text, format.decode(text, context.clock.nowMs(), null));
      });
    },
    decode(raw) {
      // A JSON-format store reads a pickle it meets as bytes (load above), so bytes are a pickle.
      const reader = typeof raw !== 'string' && format === jsonFormat ? pickleReader : format;
      return reader.decode(raw, context.clock.nowMs(), null);
    },
    exists: (key) => backend.has(physicalKey(key)),
    write(key, record, mode) {
      const value = format.encode(record);
      // Python-style JSON escapes every non-ASCII character, so characters are bytes.
      const bytes = value.length;
      const target = physicalKey(key);
      if (record.ageSeconds <= 0) return writeExpired(target, mode);
      if (mode === 'set')
        return backend.set(target, value, ttl(record)).then(() => ({ written: true, bytes, value }));
      return addOrReplace(target, value, record, mode === 'add').then((written) => ({
        written,
        bytes,
        value,
      }));
    },
    save(key, record, mustCreate) {
      const target = physicalKey(key);
      if (record.ageSeconds <= 0)
        return writeExpired(target, mustCreate ? 'add' : 'replace').then(({ written }) =>
          saveOutcome(written, mustCreate, 0, undefined),
        );
      const value = format.encode(record);
      return addOrReplace(target, value, record, mustCreate).then((written) =>
        saveOutcome(written, mustCreate, value.length, value),
      );
    },
    writeIf(key, record, expected) {
      const value = format.encode(record);
      // An expired record is not kept (as in write): only the comparison's answer matters.
      const ttlSeconds = record.ageSeconds <= 0 ? 1 : ttl(record);
      return backend.replaceIf(physicalKey(key), expected, value, ttlSeconds).then(async (written) => {
        if (written && record.ageSeconds <= 0) await backend.delete(physicalKey(key));
        return { written, bytes: value.length, value };
      });
    },
    delete: (key) => backend.delete(physicalKey(key)),
    async list(listOptions) {
      const page = await backend.scan(keyPrefix, listOptions.cursor ?? null, listOptions.limit);
      const values: (CacheValue | null)[] =
        format === jsonFormat ? await backend.getMany(page.keys) : await backend.getManyRaw(page.keys);
      const now = context.clock.nowMs();
      const items: SessionPage['items'] = [];
      page.keys.forEach((physical, index) => {
        const text = values[index];
        const key = physical.slice(keyPrefix.length);
        if (text === null || text === undefined || !SERVER_KEY_PATTERN.test(key)) return;
        const result = format.decode(text, now, null);
        if (result.outcome === 'hit')
          items.push({
            key,
            expiresAt: result.expiresAt ?? null,
            data: result.data,
            bytes: text.length,
          });
        else if (result.outcome === 'expired' && listOptions.includeExpired)
          items.push({ key, expiresAt: result.expiredAt, data: new Map(), bytes: text.length });
      });
      return { items, cursor: page.cursor, total: null };
    },
  };
}

export function createCacheStore(
  context: StoreContext,
  backend: CacheBackend = openCacheBackend(context),
  spec?: Pick<CacheSpec, 'keyPrefix' | 'version'>,
): SessionStore {
  const resolved = spec ?? resolveCacheSpec(context.settings);
  const cache = createSessionCache(context, {
    backend,
    spec: resolved,
    prefix: CACHE_KEY_PREFIX,
    format: 'alias' in resolved ? resolveCacheFormat(context.settings, resolved as CacheSpec) : jsonFormat,
  });
  return {
    engine: 'cache',
    capabilities: {
      serverSide: true,
      list: true,
      expiresOnItsOwn: true,
      keyPattern: SERVER_KEY_PATTERN,
      atomicCreate: true,
      compareAndSwap: true,
      settlesInTime: backend.inProcess === true,
    },
    load: (key) => cache.load(key),
    exists: (key) => cache.exists(key),
    // One round trip each: SET NX for create, SET XX for update (Django does GET then SET).
    save: (key, record, mustCreate) => cache.save(key, record, mustCreate),
    // Compare-and-swap in one Lua script; only a lost race costs the EXISTS that tells why.
    async saveIf(key, record, expected) {
      const compare =
        typeof expected === 'string'
          ? expected
          : expected instanceof Uint8Array
            ? Buffer.from(expected)
            : null;
      if (compare === null) return { written: false, reason: 'changed' };
      const result = await cache.writeIf(key, record, compare);
      if (result.written) return { written: true, bytes: result.bytes, version: result.value };
      return { written: false, reason: (await cache.exists(key)) ? 'changed' : 'gone' };
    },
    delete: (key) => cache.delete(key),
    // The cache drops entries itself when their TTL runs out; there is nothing to clear.
    clearExpired: async () => null,
    list: (options) => cache.list(options),
    close: () => backend.close(),
  };
}

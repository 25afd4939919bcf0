/**
 * What the session stores need from a cache (Django's cache API, reduced): atomic add and
 * replace with a TTL, get, delete, and a paged scan by prefix. Memory and Redis implement it.
 */
import { ImproperlyConfigured } from '../errors.js';
import type { CacheConfig, SessionSettings } from '../settings.js';

export interface ScanPage {
  keys: string[];
  /** Opaque; null when the scan is complete. */
  cursor: string | null;
}

/** A value as stored: text (sessionscope's JSON format) or bytes (Django's pickles). */
export type CacheValue = string | Buffer;

/** The stored bytes and the time left before the cache drops them (null: no TTL). */
export interface RawEntry {
  value: Buffer;
  ttlMs: number | null;
}

export interface CacheBackend {
  /** `memory` or `redis`, and where, for error messages and logs (password hidden). */
  readonly description: string;
  /** The cache drops entries on its own (TTL): clearExpired has nothing to do. */
  readonly expiresOnItsOwn: true;
  /** Every call is in-process work that settles at once (the memory cache): see StoreCapabilities.settlesInTime. */
  readonly inProcess?: boolean;
  get(key: string): Promise<string | null>;
  /** Insert only when absent (Django's cache.add / SET NX); false when the key exists. */
  add(key: string, value: CacheValue, ttlSeconds: number): Promise<boolean>;
  /** Overwrite only when present (SET XX); false when the key is gone. */
  replace(key: string, value: CacheValue, ttlSeconds: number): Promise<boolean>;
  /** Unconditional write (Django's cache.set). */
  set(key: string, value: CacheValue, ttlSeconds: number): Promise<void>;
  /** The bytes and their remaining TTL (Django's values carry no expiry of their own). */
  getRaw(key: string): Promise<RawEntry | null>;
  getManyRaw(keys: string[]): Promise<(Buffer | null)[]>;
  /**
   * Compare-and-swap: writes `value` only when the stored bytes are exactly `expected` (atomic:
   * a Lua script on Redis). false when they differ or the key is gone.
   */
  replaceIf(key: string, expected: CacheValue, value: CacheValue, ttlSeconds: number): Promise<boolean>;
  has(key: string): Promise<boolean>;
  delete(key: string): Promise<void>;
  /** Keys starting with prefix, about `count` at a time. */
  scan(prefix: string, cursor: string | null, count: number): Promise<ScanPage>;
  getMany(keys: string[]): Promise<(string | null)[]>;
  close(): Promise<void>;
}

/** A resolved CACHES entry, names normalized. */
export interface CacheSpec {
  alias: string;
  kind: 'memory' | 'redis';
  locations: string[];
  options: Record<string, unknown>;
  keyPrefix: string;
  version: number;
}

const MEMORY_BACKENDS = new Set(['django.core.cache.backends.locmem.LocMemCache', 'locmem', 'memory']);
const REDIS_BACKENDS = new Set([
  'django.core.cache.backends.redis.RedisCache',
  'django_redis.cache.RedisCache',
  'redis',
]);

/** CACHES[SESSION_CACHE_ALIAS], resolved when the store is built (an unknown alias fails at once, as in Django). */
export function resolveCacheSpec(settings: Readonly<SessionSettings>): CacheSpec {
  const alias = settings.sessionCacheAlias;
  const config: CacheConfig | undefined = settings.caches[alias];
  if (!config) {
    throw new ImproperlyConfigured(
      `SESSION_CACHE_ALIAS is ${JSON.stringify(alias)} but CACHES has no such entry (it has: ${Object.keys(settings.caches).join(', ') || 'none'}). Add CACHES.${alias} or change SESSION_CACHE_ALIAS.`,
    );
  }
  const backend = config.BACKEND ?? config.backend ?? 'memory';
  const kind = MEMORY_BACKENDS.has(backend) ? 'memory' : REDIS_BACKENDS.has(backend) ? 'redis' : null;
  if (!kind) {
    throw new ImproperlyConfigured(
      `CACHES.${alias}.BACKEND ${JSON.stringify(backend)} is not supported. Use "django.core.cache.backends.redis.RedisCache" (or "redis") or "django.core.cache.backends.locmem.LocMemCache" (or "memory").`,
    );
  }
  const location = config.LOCATION ?? config.location ?? '';
  const locations = (Array.isArray(location) ? location.map(String) : String(location).split(/[,;]/))
    .map((l) => l.trim())
    .filter(Boolean);
  if (kind === 'redis' && locations.length === 0 && !hasSentinels(config)) {
    throw new ImproperlyConfigured(
      `CACHES.${alias}.LOCATION must name the Redis server, e.g. "redis://127.0.0.1:6379/0".`,
    );
  }
  const keyFunction =
    (config as Record<string, unknown>).KEY_FUNCTION ?? (config as Record<string, unknown>).keyFunction;
  if (keyFunction !== undefined)
    throw new ImproperlyConfigured(
      `CACHES.${alias}.KEY_FUNCTION is set; sessionscope builds keys with Django's default only ("<KEY_PREFIX>:<VERSION>:<key>"). Remove KEY_FUNCTION, or sessions will not be found under the keys your Django app uses.`,
    );
  const version = config.VERSION ?? config.version ?? 1;
  if (!Number.isInteger(version))
    throw new ImproperlyConfigured(`CACHES.${alias}.VERSION must be a whole number; got ${String(version)}.`);
  return {
    alias,
    kind,
    locations,
    options: { ...(config.OPTIONS ?? config.options ?? {}) },
    keyPrefix: config.KEY_PREFIX ?? config.keyPrefix ?? '',
    version,
  };
}

function hasSentinels(config: CacheConfig): boolean {
  const options = config.OPTIONS ?? config.options ?? {};
  return Array.isArray(options.sentinels);
}

/** Django's default cache key function: "<KEY_PREFIX>:<VERSION>:<key>". */
export function makeCacheKey(spec: Pick<CacheSpec, 'keyPrefix' | 'version'>, key: string): string {
  return `${spec.keyPrefix}:${spec.version}:${key}`;
}

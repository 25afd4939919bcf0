/**
 * How a session is written under its cache key. `json` is sessionscope's own format
 * ("<expiry ms>\n<Python JSON>", the expiry judged by the session clock); `pickle` is what
 * Django's cache session backends write through django-redis or Django 4+'s RedisCache (a
 * pickled dict, the expiry in the cache TTL), so a Django app and a Node app share sessions.
 * SESSION_CACHE_VALUE_FORMAT chooses; by default a Django Redis BACKEND means pickle.
 */
import { ImproperlyConfigured } from '../errors.js';
import { parseIso } from '../expiry.js';
import { securityLog } from '../log.js';
import { pythonJsonSerializer } from '../serializer.js';
import type { SessionSettings } from '../settings.js';
import type { LoadResult, SaveRecord } from '../store.js';
import type { CacheSpec, CacheValue } from './cache-backend.js';
import { decodeSessionValue, encodeSessionValue, type PickleProtocol } from './session-pickle.js';

export interface CacheValueFormat {
  readonly kind: 'json' | 'pickle';
  encode(record: Pick<SaveRecord, 'data' | 'expireDate'>): CacheValue;
  /** ttlMs: what the cache says is left (pickle values carry no expiry themselves). */
  decode(raw: CacheValue, nowMs: number, ttlMs: number | null): LoadResult;
}

/** "<expiry ms>\n<Python JSON>": the expiry travels with the data, so any clock can judge it. */
export function encodeCacheValue(record: Pick<SaveRecord, 'data' | 'expireDate'>): string {
  return `${record.expireDate.getTime()}\n${pythonJsonSerializer.dumps(record.data)}`;
}

export function decodeCacheValue(text: string, nowMs: number): LoadResult {
  const newline = text.indexOf('\n');
  const expiresMs = newline > 0 ? Number(text.slice(0, newline)) : Number.NaN;
  if (!Number.isFinite(expiresMs)) {
    securityLog.warn('Session data corrupted (cache entry without an expiry)');
    return { outcome: 'corrupt' };
  }
  const expiresAt = new Date(expiresMs);
  if (!(expiresMs > nowMs)) return { outcome: 'expired', expiredAt: expiresAt };
  try {
    return { outcome: 'hit', data: pythonJsonSerializer.loads(text.slice(newline + 1)), expiresAt };
  } catch {
    securityLog.warn('Session data corrupted (cache entry is not JSON)');
    return { outcome: 'corrupt' };
  }
}

export const jsonFormat: CacheValueFormat = {
  kind: 'json',
  encode: encodeCacheValue,
  decode: (raw, nowMs) => decodeCacheValue(typeof raw === 'string' ? raw : raw.toString('latin1'), nowMs),
};

export function pickleFormat(protocol: PickleProtocol): CacheValueFormat {
  return {
    kind: 'pickle',
    encode: (record) => encodeSessionValue(record.data, protocol),
    decode(raw, nowMs, ttlMs) {
      // sessionscope's own format ("<ms>\n…") still reads: switching a deployment from json to
      // pickle logs nobody out, and the CLI reads either. A pickle always starts with PROTO (0x80).
      const first = typeof raw === 'string' ? raw.charCodeAt(0) : raw[0];
      if (first !== undefined && first >= 0x30 && first <= 0x39)
        return decodeCacheValue(typeof raw === 'string' ? raw : raw.toString('utf8'), nowMs);
      const { data, problem } = decodeSessionValue(
        typeof raw === 'string' ? Buffer.from(raw, 'latin1') : raw,
      );
      if (problem) return { outcome: problem };
      // An absolute `_session_expiry` is judged by the session clock too (the agent's clock travel).
      const expiry = data.get('_session_expiry');
      const absolute = typeof expiry === 'string' ? parseIso(expiry) : null;
      if (absolute && absolute.getTime() <= nowMs) return { outcome: 'expired', expiredAt: absolute };
      return ttlMs !== null
        ? { outcome: 'hit', data, expiresAt: new Date(nowMs + ttlMs) }
        : { outcome: 'hit', data };
    },
  };
}

const DJANGO_REDIS = 'django_redis.cache.RedisCache';
const DJANGO_CORE_REDIS = 'django.core.cache.backends.redis.RedisCache';

/** The format for this cache alias, with the pickle protocol the Django backend would write. */
export function resolveCacheFormat(settings: Readonly<SessionSettings>, spec: CacheSpec): CacheValueFormat {
  const config = settings.caches[spec.alias] ?? {};
  const backend = config.BACKEND ?? config.backend ?? '';
  const choice = settings.sessionCacheValueFormat;
  const djangoBackend = backend === DJANGO_REDIS || backend === DJANGO_CORE_REDIS;
  if (choice === 'json' || (choice === 'auto' && !djangoBackend)) return jsonFormat;
  const options = spec.options;
  for (const [name, fine] of [
    ['SERIALIZER', 'django_redis.serializers.pickle.PickleSerializer'],
    ['COMPRESSOR', 'django_redis.compressors.identity.IdentityCompressor'],
  ] as const) {
    if (options[name] !== undefined && options[name] !== fine)
      throw new ImproperlyConfigured(
        `CACHES.${spec.alias}.OPTIONS.${name} is ${JSON.stringify(options[name])}; sessionscope reads only django-redis's default (${fine}). Remove the option or set SESSION_CACHE_VALUE_FORMAT to "json" (then Django cannot read these sessions).`,
      );
  }
  // django-redis: pickle.DEFAULT_PROTOCOL (4 on Python 3.8-3.13) unless PICKLE_VERSION; Django: HIGHEST (5).
  const version = options.PICKLE_VERSION ?? (backend === DJANGO_REDIS ? 4 : 5);
  if (version !== 4 && version !== 5 && version !== -1)
    throw new ImproperlyConfigured(
      `CACHES.${spec.alias}.OPTIONS.PICKLE_VERSION is ${JSON.stringify(version)}; sessionscope writes pickle protocol 4 or 5 (-1 means 5). Use 4 or 5.`,
    );
  return pickleFormat(version === 4 ? 4 : 5);
}

/**
 * Issue 14 item 3: the `cache` engine in Django's value format (SESSION_CACHE_VALUE_FORMAT
 * 'pickle', the default for a Django Redis BACKEND): the store conformance suite on real Redis,
 * the physical layout Django reads, and refused pickles.
 */
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { ImproperlyConfigured } from '../../server-agent/sessions/errors.js';
import { createSessionManager } from '../../server-agent/sessions/manager.js';
import { pickle } from '../../server-agent/sessions/stores/pickle.js';
import { describeStore } from '../conformance/describe-store.js';
import { captureLogs } from '../helpers/log-capture.js';
import { requireService } from '../helpers/services.js';
import { HOSTILE } from './pickle-hostile.js';

/** Redis db 13: this suite's and the Django interop suite's own (distinct key prefixes). */
const REDIS = 'redis://127.0.0.1:6379/13';
const available = await requireService('Redis', 6379);
const run = `casp${process.pid}${Date.now().toString(36)}`;
let n = 0;
const raw = available ? new Redis(REDIS) : null;
const make = (
  backend = 'django.core.cache.backends.redis.RedisCache',
  options: Record<string, unknown> = {},
) => {
  const prefix = `${run}_${++n}`;
  return createSessionManager({
    SECRET_KEY: 'cache-pickle-secret',
    SESSION_ENGINE: 'cache',
    CACHES: { default: { BACKEND: backend, LOCATION: REDIS, KEY_PREFIX: prefix, OPTIONS: options } },
  });
};
const physical = (manager: ReturnType<typeof make>, key: string) =>
  `${(manager.settings.caches.default as { KEY_PREFIX: string }).KEY_PREFIX}:1:django.contrib.sessions.cache${key}`;

afterAll(async () => {
  if (!raw) return;
  const keys = await raw.keys(`${run}*`);
  if (keys.length) await raw.del(...keys);
  raw.disconnect();
});

describe.skipIf(!available)('I14.3 cache engine, Django pickle values, on Redis', () => {
  describeStore('cache (Redis, pickle)', {
    make: () => make(),
    rawExists: async (manager, key) => (await raw!.exists(physical(manager, key))) === 1,
    corrupt: async (manager, key) => {
      await raw!.set(
        physical(manager, key),
        Buffer.from(HOSTILE['builtins.eval reducer'] as string, 'hex'),
        'EX',
        60,
      );
    },
    skip: {
      virtual_clock_expires_sessions:
        "Django's format keeps the expiry in the Redis TTL, which runs on real time: the virtual clock cannot move it",
    },
  });

  it('writes pickle protocol 5 for RedisCache and 4 for django-redis, under prefix:version:key, TTL from the age', async () => {
    for (const [backend, protocol] of [
      ['django.core.cache.backends.redis.RedisCache', 5],
      ['django_redis.cache.RedisCache', 4],
    ] as const) {
      const sessions = make(backend);
      try {
        const s = sessions.open();
        await s.set('a', 1);
        await s.setExpiry(300);
        await s.save();
        const key = physical(sessions, s.sessionKey!);
        const stored = await raw!.getBuffer(key);
        expect(stored).toEqual(
          pickle(
            new Map([
              ['a', 1],
              ['_session_expiry', 300],
            ]),
            protocol,
          ),
        );
        const ttl = await raw!.ttl(key);
        expect(ttl).toBeGreaterThan(295);
        expect(ttl).toBeLessThanOrEqual(300);
      } finally {
        await sessions.close();
      }
    }
  });

  it('OPTIONS.PICKLE_VERSION is honoured; an unsupported one, serializer or compressor fails at startup', async () => {
    const four = make('django.core.cache.backends.redis.RedisCache', { PICKLE_VERSION: 4 });
    const s = four.open();
    await s.set('a', 1);
    await s.save();
    expect((await raw!.getBuffer(physical(four, s.sessionKey!)))?.[1]).toBe(4);
    await four.close();
    expect(() =>
      createSessionManager({
        SECRET_KEY: 'x',
        SESSION_ENGINE: 'cache',
        CACHES: {
          default: {
            BACKEND: 'django_redis.cache.RedisCache',
            LOCATION: REDIS,
            KEY_FUNCTION: 'myapp.make_key',
          },
        },
      }),
    ).toThrow(/KEY_FUNCTION/);
    for (const options of [
      { PICKLE_VERSION: 2 },
      { SERIALIZER: 'django_redis.serializers.json.JSONSerializer' },
      { COMPRESSOR: 'django_redis.compressors.zlib.ZlibCompressor' },
    ])
      expect(() => make('django_redis.cache.RedisCache', options)).toThrow(ImproperlyConfigured);
  });

  it('a pickle with a refused opcode loads as {} with the security log line, and the key is dropped', async () => {
    const sessions = make();
    const logs = captureLogs();
    try {
      const key = 'hostilepickle0123456789';
      await raw!.set(
        physical(sessions, key),
        Buffer.from(HOSTILE['os.system reducer, protocol 4 (STACK_GLOBAL)'] as string, 'hex'),
        'EX',
        60,
      );
      const s = sessions.open(key);
      expect(await s.items()).toEqual([]);
      expect(s.sessionKey).toBeNull();
      const line = logs.records.find((r) => r.namespace === 'sessionscope:security:SuspiciousSession');
      expect(line?.message).toContain('global "posix.system" is not allowed');
      // No key, value or pickle text beyond the refused global's name in the log.
      expect(line?.message).not.toContain(key);
    } finally {
      logs.stop();
      await sessions.close();
    }
  });

  it('each format reads the other: a JSON-format app keeps a session the CLI or Django pickled, and back', async () => {
    const prefix = `${run}_both`;
    const caches = (BACKEND: string) => ({ default: { BACKEND, LOCATION: REDIS, KEY_PREFIX: prefix } });
    const json = createSessionManager({ SECRET_KEY: 'x', SESSION_ENGINE: 'cache', CACHES: caches('redis') });
    const pickled = createSessionManager({
      SECRET_KEY: 'x',
      SESSION_ENGINE: 'cache',
      CACHES: caches('django.core.cache.backends.redis.RedisCache'),
    });
    try {
      const a = pickled.open();
      await a.set('from', 'pickle');
      await a.save();
      const readByJson = json.open(a.sessionKey);
      expect(await readByJson.get('from')).toBe('pickle');
      await readByJson.set('later', 'json');
      await readByJson.save();
      expect(await raw!.get(physical(json, a.sessionKey!))).toMatch(/^\d+\n/);
      expect(Object.fromEntries(await pickled.open(a.sessionKey).items())).toEqual({
        from: 'pickle',
        later: 'json',
      });
    } finally {
      await json.close();
      await pickled.close();
    }
  });

  it("SESSION_CACHE_VALUE_FORMAT 'json' keeps sessionscope's own format on a Django backend", async () => {
    const sessions = createSessionManager({
      SECRET_KEY: 'x',
      SESSION_ENGINE: 'cache',
      SESSION_CACHE_VALUE_FORMAT: 'json',
      CACHES: {
        default: { BACKEND: 'django_redis.cache.RedisCache', LOCATION: REDIS, KEY_PREFIX: `${run}_json` },
      },
    });
    try {
      const s = sessions.open();
      await s.set('a', 1);
      await s.save();
      expect(await raw!.get(physical(sessions, s.sessionKey!))).toMatch(/^\d+\n\{"a":1\}$/);
    } finally {
      await sessions.close();
    }
  });
});

/**
 * Issue 14 item 3, live: a real Django 3.2 app (Debian's python3-django, python3-django-redis
 * 5.2) and sessionscope share sessions through Redis with the `cache` and `cached_db` engines:
 * log in through Django's admin and read the session in Node; write in Node and read in a
 * Django view (still logged in); Django's set_expiry(timedelta) datetime both ways.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSessionManager, type SessionManager } from '../../server-agent/sessions/manager.js';
import { IN_CI, requireService } from '../helpers/services.js';
import { DJANGO_APP_SECRET, type DjangoView, djangoApp, djangoRedisAvailable } from './django-redis.js';

/** Redis db 13 is this suite's own (other suites use 0, 3, 4, 6, 9, 11, 12). */
const REDIS = 'redis://127.0.0.1:6379/13';
const redisUp = await requireService('Redis', 6379);
const djangoUp = await djangoRedisAvailable();
if (IN_CI && !djangoUp)
  throw new Error('python3-django-redis is needed (apt-get install python3-django python3-django-redis)');
const run = `casdj${process.pid}${Date.now().toString(36)}`;
const dir = mkdtempSync(join(tmpdir(), 'sessionscope-django-redis-'));
const raw = redisUp ? new Redis(REDIS) : null;

afterAll(async () => {
  if (raw) {
    const keys = await raw.keys(`${run}*`);
    if (keys.length) await raw.del(...keys);
    raw.disconnect();
  }
  rmSync(dir, { recursive: true, force: true });
});

for (const engine of ['cache', 'cached_db'] as const) {
  describe.skipIf(!redisUp || !djangoUp)(`I14.3 Django ↔ Node on Redis: ${engine}`, () => {
    const prefix = `${run}${engine}`;
    const sqlite = join(dir, `${engine}.sqlite3`);
    const common = { engine, redis: REDIS, sqlite, prefix } as const;
    const cachePrefix = `${prefix}:1:django.contrib.sessions.${engine}`;
    let sessions: SessionManager;
    let login: { status: number; key: string; user_id: string };

    beforeAll(async () => {
      // Django migrates first (auth, admin, sessions): sessionscope uses its django_session table as is.
      login = await djangoApp({ op: 'login', ...common });
      sessions = createSessionManager({
        SECRET_KEY: DJANGO_APP_SECRET,
        SESSION_ENGINE: `django.contrib.sessions.backends.${engine}`,
        CACHES: {
          default: { BACKEND: 'django_redis.cache.RedisCache', LOCATION: REDIS, KEY_PREFIX: prefix },
        },
        DATABASE_URL: `sqlite:${sqlite}`,
      });
    }, 60_000);
    afterAll(() => sessions?.close());

    it('logged in through the admin in Django, the session reads in Node', async () => {
      expect(login.status).toBe(302);
      const stored = await raw!.getBuffer(`${cachePrefix}${login.key}`);
      expect(stored?.subarray(0, 2)).toEqual(Buffer.from([0x80, 0x04])); // django-redis: protocol 4
      const session = sessions.open(login.key);
      expect(await session.get('_auth_user_id')).toBe(login.user_id);
      expect(await session.get('_auth_user_backend')).toBe('django.contrib.auth.backends.ModelBackend');
      expect(await session.get('_auth_user_hash')).toMatch(/^[0-9a-f]{64}$/);
      expect(await session.getExpiryAge()).toBeGreaterThan(1_209_000);
    });

    it('written in Node, read in a Django view: the user stays logged in', async () => {
      const session = sessions.open(login.key);
      await session.set('cart', [1, 2.5, { sku: 'A-1' }]);
      await session.set('from_node', 'Zoë ’😀');
      await session.save();
      const stored = await raw!.getBuffer(`${cachePrefix}${login.key}`);
      expect(stored?.subarray(0, 2)).toEqual(Buffer.from([0x80, 0x04])); // written as django-redis writes
      const view = await djangoApp<DjangoView>({ op: 'view', ...common, key: login.key });
      expect(view.user).toBe('admin');
      expect(view.admin_status).toBe(200);
      expect(view.data).toMatchObject({
        _auth_user_id: login.user_id,
        cart: [1, 2.5, { sku: 'A-1' }],
        from_node: 'Zoë ’😀',
      });
    });

    it('a session created in Node is read by Django; what Django sets there is read back in Node', async () => {
      const session = sessions.open();
      await session.update({ n: 7, nothing: null, flag: true });
      await session.save();
      const key = session.sessionKey!;
      const view = await djangoApp<DjangoView>({
        op: 'view',
        ...common,
        key,
        set: { from_django: [1, 'two'] },
      });
      expect(view.data).toEqual({ n: 7, nothing: null, flag: true, from_django: [1, 'two'] });
      expect(view.user).toBeNull();
      expect(Object.fromEntries(await sessions.open(key).items())).toEqual({
        n: 7,
        nothing: null,
        flag: true,
        from_django: [1, 'two'],
      });
    });

    // cached_db skips it: Django 3.2 also writes that row with its JSON serializer, which cannot
    // hold a datetime (Django's own TypeError, before sessionscope is involved).
    it.skipIf(engine === 'cached_db')(
      "Django's set_expiry(timedelta) datetime reads in Node, and survives a Node save",
      async () => {
        const session = sessions.open();
        await session.set('a', 1);
        await session.save();
        const key = session.sessionKey!;
        const view = await djangoApp<DjangoView>({ op: 'view', ...common, key, expiry_seconds: 600 });
        expect(view.expiry_age).toBeGreaterThan(590);
        const again = sessions.open(key);
        expect(await again.get('_session_expiry')).toMatch(
          /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00$/,
        );
        const age = await again.getExpiryAge();
        expect(age).toBeGreaterThan(590);
        expect(age).toBeLessThanOrEqual(600);
        await again.set('b', 2);
        await again.save();
        const after = await djangoApp<DjangoView>({ op: 'view', ...common, key });
        expect(after.status).toBe(200);
        expect(after.expiry_age).toBeGreaterThan(580);
        expect(after.data).toMatchObject({
          a: 1,
          b: 2,
          _session_expiry: { datetime: expect.stringMatching(/\+00:00$/) },
        });
      },
    );
  });
}

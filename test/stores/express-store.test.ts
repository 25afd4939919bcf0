/**
 * fromExpressStore: express-session's MemoryStore and connect-redis (real Redis) run the store
 * conformance suite, and the guarantees the bridge cannot give are pinned down as tests.
 */
import { createRequire } from 'node:module';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSessions } from '../../server-agent/create.js';
import { type ExpressStoreLike, fromExpressStore } from '../../server-agent/sessions/stores/express-store.js';
import { describeStore } from '../conformance/describe-store.js';

// Loaded without their type declarations, which would retype Express's req.session.
const require = createRequire(import.meta.url);
const { MemoryStore } = require('express-session') as { MemoryStore: new () => ExpressStoreLike };
const { RedisStore } = require('connect-redis') as {
  RedisStore: new (options: { client: unknown; prefix: string }) => ExpressStoreLike;
};

const settings = { SECRET_KEY: 'test-secret-key' };

describeStore('fromExpressStore(express-session MemoryStore)', {
  make: () => createSessions({ ...settings, SESSION_ENGINE: fromExpressStore(new MemoryStore()) }),
  skip: {
    list_pages_sessions:
      "express-session's Store contract has no paged listing (all() is optional and unbounded), so the bridge declares capabilities.list = false",
  },
});

describe('fromExpressStore(connect-redis)', () => {
  const client = createClient({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/12' });
  const prefix = `sessionscope-test:${process.pid}:`;
  beforeAll(async () => {
    await client.connect();
  });
  afterAll(async () => {
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*` }))
      if (keys.length) await client.del(keys);
    await client.quit();
  });

  it('stores, reads, updates and deletes through connect-redis with a TTL', async () => {
    const sessions = createSessions({
      ...settings,
      SESSION_ENGINE: fromExpressStore(new RedisStore({ client, prefix })),
    });
    const session = sessions.open();
    await session.set('cart', ['tea']);
    await session.save();
    const key = session.sessionKey as string;
    expect(await client.ttl(`${prefix}${key}`)).toBeGreaterThan(1_209_000);
    const again = sessions.open(key);
    expect(await again.get('cart')).toEqual(['tea']);
    await again.set('cart', ['tea', 'mug']);
    await again.save();
    expect(await sessions.open(key).get('cart')).toEqual(['tea', 'mug']);
    await again.flush();
    expect(await client.exists(`${prefix}${key}`)).toBe(0);
    await sessions.close();
  });
});

describe('fromExpressStore: what it cannot guarantee', () => {
  it('rejects something that is not an express-session store', () => {
    expect(() => fromExpressStore({} as ExpressStoreLike)).toThrow(/needs an express-session store with get/);
  });

  it('save is not update-only: a destroy landing between its two calls is overwritten (resurrection)', async () => {
    const memory = new MemoryStore();
    // A logout that lands after save's existence check (the second get) and before its write.
    let gets = 0;
    const racing: ExpressStoreLike = {
      get: (sid, cb) =>
        memory.get(sid, (error, value) => {
          if (++gets === 2) memory.destroy(sid, () => cb(error, value));
          else cb(error, value);
        }),
      set: (sid, value, cb) => memory.set(sid, value, cb),
      destroy: (sid, cb) => memory.destroy(sid, cb),
    };
    const sessions = createSessions({ ...settings, SESSION_ENGINE: fromExpressStore(memory) });
    const seeded = sessions.open();
    await seeded.set('user', 'ada');
    await seeded.save();
    const key = seeded.sessionKey as string;
    const racingSessions = createSessions({ ...settings, SESSION_ENGINE: fromExpressStore(racing) });
    const stale = racingSessions.open(key);
    await stale.set('user', 'ada (stale)');
    // The db engine would raise UpdateError here; the bridge cannot see the destroy and writes.
    await stale.save();
    expect(await sessions.open(key).get('user')).toBe('ada (stale)');
    await sessions.close();
    await racingSessions.close();
  });

  it('sequential update of a destroyed record still raises UpdateError', async () => {
    const sessions = createSessions({ ...settings, SESSION_ENGINE: fromExpressStore(new MemoryStore()) });
    const session = sessions.open();
    await session.set('a', 1);
    await session.save();
    await sessions.store.delete(session.sessionKey as string);
    await session.set('a', 2);
    await expect(session.save()).rejects.toMatchObject({ code: 'SESSION_UPDATE_GONE' });
    await sessions.close();
  });
});

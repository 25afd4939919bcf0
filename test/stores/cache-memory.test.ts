import { describe, expect, it } from 'vitest';
import { createLogger } from '../../server-agent/sessions/log.js';
import { createSessionManager } from '../../server-agent/sessions/manager.js';
import { createMemoryCache } from '../../server-agent/sessions/stores/cache-memory.js';
import { describeStore } from '../conformance/describe-store.js';
import { captureLogs } from '../helpers/log-capture.js';

const SECRET_KEY = 'memory-cache-secret-key';
const log = createLogger('sessionscope:test');

describeStore('cache (memory)', {
  make: () => createSessionManager({ SECRET_KEY, SESSION_ENGINE: 'cache' }),
});

describe('in-memory cache backend', () => {
  it('is bounded: the least recently used entry goes first', async () => {
    const cache = createMemoryCache({ maxEntries: 3, log });
    for (const key of ['a', 'b', 'c']) await cache.set(key, key, 60);
    await cache.get('a'); // a is now the most recently used
    await cache.set('d', 'd', 60);
    expect(await cache.getMany(['a', 'b', 'c', 'd'])).toEqual(['a', null, 'c', 'd']);
  });

  it('stays least-recently-used first while full, across touches, deletes and re-sets (the kept eviction iterator)', async () => {
    const cache = createMemoryCache({ maxEntries: 5, log });
    const model: string[] = []; // least recently used first
    const touch = (key: string) => {
      const at = model.indexOf(key);
      if (at !== -1) model.splice(at, 1);
      model.push(key);
      while (model.length > 5) model.shift();
    };
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    for (let step = 0; step < 5_000; step++) {
      const key = `k${random(12)}`;
      const op = random(4);
      if (op === 0) {
        await cache.delete(key);
        const at = model.indexOf(key);
        if (at !== -1) model.splice(at, 1);
      } else if (op === 1) {
        if ((await cache.get(key)) !== null) touch(key);
      } else {
        await cache.set(key, key, 60);
        touch(key);
      }
      const keys = Array.from({ length: 12 }, (_, i) => `k${i}`);
      const held = (await cache.getMany(keys)).filter((value) => value !== null);
      expect(held.sort()).toEqual([...model].sort());
    }
  });

  it('drops entries after their TTL (real time, a garbage-collection backstop)', async () => {
    let now = 1_000_000;
    const cache = createMemoryCache({ log, now: () => now });
    expect(await cache.add('k', 'v', 10)).toBe(true);
    expect(await cache.add('k', 'v', 10)).toBe(false);
    now += 10_001;
    expect(await cache.get('k')).toBeNull();
    expect(await cache.replace('k', 'w', 10)).toBe(false);
    expect(await cache.add('k', 'v', 10)).toBe(true);
  });

  it('scans by prefix with a stable cursor', async () => {
    const cache = createMemoryCache({ log });
    for (let i = 0; i < 5; i++) await cache.set(`p:${i}`, 'x', 60);
    await cache.set('other', 'x', 60);
    const first = await cache.scan('p:', null, 3);
    expect(first.keys).toEqual(['p:0', 'p:1', 'p:2']);
    const second = await cache.scan('p:', first.cursor, 3);
    expect(second).toEqual({ keys: ['p:3', 'p:4'], cursor: null });
  });

  it('warns once under NODE_ENV=production that it is per process', () => {
    const logs = captureLogs();
    try {
      createMemoryCache({ log, env: { NODE_ENV: 'production' } });
      createMemoryCache({ log, env: { NODE_ENV: 'production' } });
      const warnings = logs.records.filter((r) => r.level === 'warn' && r.message.includes('per process'));
      expect(warnings).toHaveLength(1);
    } finally {
      logs.stop();
    }
  });

  it('clearExpired says the cache expires entries itself (null)', async () => {
    const sessions = createSessionManager({ SECRET_KEY, SESSION_ENGINE: 'cache' });
    expect(sessions.store.capabilities.expiresOnItsOwn).toBe(true);
    expect(await sessions.clearExpired()).toBeNull();
  });

  it('an unknown SESSION_CACHE_ALIAS fails at once, naming the aliases', () => {
    expect(() =>
      createSessionManager({ SECRET_KEY, SESSION_ENGINE: 'cache', SESSION_CACHE_ALIAS: 'sessions' }),
    ).toThrow(/SESSION_CACHE_ALIAS is "sessions".*default/);
  });
});

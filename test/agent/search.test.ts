/**
 * U8 "All sessions" search in the agent, on real stores (memory cache, SQLite, Redis): it reaches
 * every page of the store with a bounded scan per command and a cursor to go on, it finds key names
 * inside values, and it never matches a value the agent redacts (no probing for secrets).
 */
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { startAgent } from '../../server-agent/agent/agent.js';
import { MAX_SCANNED } from '../../server-agent/agent/list.js';
import type { CommandResults } from '../../server-agent/agent/protocol.js';
import { createSessions, type Sessions } from '../../server-agent/create.js';
import type { JsonValue } from '../../server-agent/sessions/serializer.js';
import { requireService } from '../helpers/services.js';
import { Client, quietLogs, SECRET } from './harness.js';

const REDIS = 'redis://127.0.0.1:6379/2';
const redisUp = await requireService('Redis', 6379);
const run = `srch${process.pid}${Date.now().toString(36)}`;
const TOKEN = 'search-test-token-0123456789abcdef';
const FILLER = MAX_SCANNED + 150;
const logs = quietLogs();

afterAll(async () => {
  logs.restore();
  if (!redisUp) return;
  const raw = new Redis(REDIS);
  const keys = await raw.keys(`${run}*`);
  if (keys.length) await raw.del(...keys);
  raw.disconnect();
});

const STORES: { name: string; skip: string | false; settings: () => Record<string, unknown> }[] = [
  { name: 'memory cache', skip: false, settings: () => ({ SESSION_ENGINE: 'cache' }) },
  { name: 'SQLite', skip: false, settings: () => ({ SESSION_ENGINE: 'db', DATABASE_URL: ':memory:' }) },
  {
    name: 'Redis',
    skip: redisUp ? false : 'Redis is not answering on 127.0.0.1:6379',
    settings: () => ({
      SESSION_ENGINE: 'cache',
      SESSION_CACHE_VALUE_FORMAT: 'json',
      CACHES: {
        default: {
          BACKEND: 'django.core.cache.backends.redis.RedisCache',
          LOCATION: REDIS,
          KEY_PREFIX: `${run}_${Math.random().toString(36).slice(2, 8)}`,
        },
      },
    }),
  },
];

async function seed(sessions: Sessions, records: Record<string, JsonValue>[]): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < records.length) {
      const data = records[next++]!;
      const session = sessions.open();
      await session.update(data);
      await session.save();
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
}

for (const store of STORES) {
  describe.skipIf(store.skip)(
    `U8 search on ${store.name}${store.skip ? ` (skipped: ${store.skip})` : ''}`,
    { timeout: 120_000 },
    () => {
      it('searches the whole store in bounded steps: every record scanned once, every match found, the cut said', async () => {
        const sessions = createSessions({ SECRET_KEY: SECRET, ...store.settings() });
        const agent = await startAgent(sessions, { token: TOKEN, announce: false });
        try {
          const records: Record<string, JsonValue>[] = Array.from({ length: FILLER }, (_, i) => ({
            n: i,
            user: `user${i}`,
          }));
          // Three needles spread over the store, one inside a nested value only.
          records.splice(10, 0, { cart: { items: [{ sku: 'needle-42', qty: 1 }] } });
          records.splice(2600, 0, { note: 'has needle-42 in a string' });
          records.push({ deep: { a: { b: ['needle-42'] } } });
          await seed(sessions, records);
          const client = await Client.ready(agent.wsUrl, TOKEN);
          const found = new Set<string>();
          let cursor: string | null = null;
          let scanned = 0;
          let calls = 0;
          do {
            const page: CommandResults['listSessions'] = await client.ok('listSessions', {
              query: 'NEEDLE-42',
              cursor,
              limit: 50,
            });
            expect(page.scanned).toBeLessThanOrEqual(MAX_SCANNED);
            // Cache stores cannot count cheaply (null: the UI then says "searched N" without "of M").
            if (page.total !== null) expect(page.total).toBe(records.length);
            for (const item of page.items) found.add(item.session);
            scanned += page.scanned;
            cursor = page.cursor;
            calls++;
          } while (cursor);
          expect(found.size).toBe(3);
          expect(calls).toBeGreaterThanOrEqual(2); // the scan limit cut the first call
          expect(scanned).toBeGreaterThanOrEqual(records.length);
          expect(scanned).toBeLessThanOrEqual(records.length + 200); // at most a page read twice
          const first = await client.ok('listSessions', { query: 'needle-42', limit: 50 });
          expect(first.cursor).not.toBeNull();
          expect(first.scanned).toBe(MAX_SCANNED);
          await client.close();
        } finally {
          await agent.close();
          await sessions.close();
        }
      });

      it('finds key names inside values and never a redacted value, at any depth or size', async () => {
        const sessions = createSessions({ SECRET_KEY: SECRET, ...store.settings() });
        const agent = await startAgent(sessions, { token: TOKEN, announce: false });
        try {
          await seed(sessions, [
            { profile: { nickname: 'ada', prefs: { colour: 'teal' } } },
            { password: 'hunter2' },
            { profile: { api_key: 'sk_live_abc123' } },
            { notes: [{ secret: 'zebra-crossing' }, 'plain zebra? no'] },
            { cookie_consent: 'accepted-marker' },
            // Bigger than one getValue answer: searched on its preview (head of the string) only.
            { blob: `visible-head ${'x'.repeat(300 * 1024)} hidden-tail` },
          ]);
          const client = await Client.ready(agent.wsUrl, TOKEN);
          const count = async (query: string, field?: 'key' | 'value' | 'any') =>
            (await client.ok('listSessions', { query, ...(field ? { field } : {}) })).items.length;
          expect(await count('nickname')).toBe(1);
          expect(await count('colour', 'key')).toBe(1);
          expect(await count('colour', 'value')).toBe(0);
          expect(await count('teal', 'value')).toBe(1);
          expect(await count('teal', 'key')).toBe(0);
          // Redacted values: not by exact text, not by a prefix, not nested in objects or arrays.
          for (const probe of ['hunter2', 'hunter', 'sk_live', 'abc123', 'zebra-crossing', 'accepted-marker'])
            expect(await count(probe), probe).toBe(0);
          // …while the key names stay findable: the views show them.
          expect(await count('api_key')).toBe(1);
          expect(await count('password', 'key')).toBe(1);
          expect(await count('plain zebra')).toBe(1);
          expect(await count('visible-head')).toBe(1);
          expect(await count('hidden-tail')).toBe(0);
          await client.close();
        } finally {
          await agent.close();
          await sessions.close();
        }
      });
    },
  );
}

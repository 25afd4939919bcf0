/**
 * Paging SCAN across masters when a batch comes back in another order on its re-read, as it does
 * once Redis finishes rehashing its keyspace between two pages (seen on a 3-master cluster: one
 * key listed twice, another never).
 */
import { describe, expect, it } from 'vitest';
import { scanPage } from '../../server-agent/sessions/stores/cache-redis.js';

/** A master whose SCAN returns its keys in one batch, in a new order at every call. */
function shufflingMaster(keys: string[]) {
  let calls = 0;
  return {
    scan: async (cursor: string) => {
      calls += 1;
      expect(cursor).toBe('0');
      const rotated = keys.map((_, i) => keys[(i + calls * 3) % keys.length]!);
      return ['0', calls % 2 ? rotated : rotated.reverse()] as [string, string[]];
    },
  };
}

describe('scanPage', () => {
  it('lists every key once when a re-read batch is reordered', async () => {
    const masters = [0, 1, 2].map((m) =>
      shufflingMaster(Array.from({ length: 10 }, (_, i) => `p:${m}-${String(i).padStart(28, 'k')}`)),
    );
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await scanPage(masters as never, 'p:*', cursor, 7);
      expect(page.keys.length).toBeLessThanOrEqual(7);
      seen.push(...page.keys);
      cursor = page.cursor;
      pages += 1;
    } while (cursor && pages < 20);
    expect(cursor).toBeNull();
    expect(seen.sort()).toEqual(
      masters
        .flatMap((_, m) => Array.from({ length: 10 }, (_, i) => `p:${m}-${String(i).padStart(28, 'k')}`))
        .sort(),
    );
  });

  it('keeps session keys out of the cursor (it reaches the panel)', async () => {
    const keys = Array.from({ length: 10 }, (_, i) => `p:${String(i).repeat(32)}`);
    const page = await scanPage([shufflingMaster(keys)] as never, 'p:*', null, 4);
    expect(page.cursor).not.toBeNull();
    for (const key of keys) expect(page.cursor).not.toContain(key.slice(2));
  });
});

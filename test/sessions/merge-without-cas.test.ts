/**
 * SESSION_SAVE_STRATEGY 'merge' on a store without compare-and-swap (the file store, third-party
 * stores): the save re-reads the record and applies only this request's changes to it
 * (mergeWithStored). In process, on the memory cache with its saveIf taken away, so the mutation
 * pass reaches the path that cas.test.ts drives with child processes.
 */
import { describe, expect, it } from 'vitest';
import { UpdateError } from '../../server-agent/sessions/errors.js';
import type { SessionManagerOptions } from '../../server-agent/sessions/manager.js';
import type { LoadResult, SessionStore } from '../../server-agent/sessions/store.js';
import { resolveStore } from '../../server-agent/sessions/stores/index.js';
import { frozenSessions, NOW } from './frozen-sessions.js';

const make = frozenSessions('merge-without-cas-secret');

/** The memory cache without compareAndSwap; `reads` can answer a load in the store's place. */
function withoutCas(reads: { next?: LoadResult }): SessionManagerOptions['SESSION_ENGINE'] {
  return ((context: Parameters<typeof resolveStore>[1]) => {
    const store = resolveStore('cache', context);
    const { saveIf: _dropped, ...rest } = store;
    return {
      ...rest,
      capabilities: { ...store.capabilities, compareAndSwap: false },
      load: async (key: string) => {
        const answer = reads.next;
        reads.next = undefined;
        return answer ?? store.load(key);
      },
    } satisfies SessionStore;
  }) as never;
}

async function seeded(reads: { next?: LoadResult } = {}) {
  const sessions = make({ SESSION_SAVE_STRATEGY: 'merge', SESSION_ENGINE: withoutCas(reads) });
  const first = sessions.open();
  await first.update({ base: 0, drop: 1 });
  await first.save();
  return { sessions, key: first.sessionKey as string };
}

const items = async (session: { items(): Promise<[string, unknown][]> }) =>
  Object.fromEntries(await session.items());

describe('merge without compare-and-swap (mergeWithStored)', () => {
  it("two writers of one session: each save keeps the other one's changes", async () => {
    const { sessions, key } = await seeded();
    const a = sessions.open(key);
    const b = sessions.open(key);
    await a.get('base');
    await b.get('base');
    await a.set('cart', 1);
    await b.set('theme', 'dark');
    await b.remove('drop');
    await a.save();
    await b.save();
    expect(await items(sessions.open(key))).toEqual({ base: 0, cart: 1, theme: 'dark' });
    expect(await items(b)).toEqual({ base: 0, cart: 1, theme: 'dark' });
  });

  it('a record deleted between load and save: the save fails with UpdateError', async () => {
    const { sessions, key } = await seeded();
    const a = sessions.open(key);
    await a.set('cart', 1);
    await sessions.open(key).delete();
    const saving = a.save();
    await expect(saving).rejects.toBeInstanceOf(UpdateError);
    await expect(saving).rejects.toThrow(
      'The session was deleted by another request before this merge save.',
    );
  });

  it("a record expired between load and save: only this request's changes are written", async () => {
    const reads: { next?: LoadResult } = {};
    const { sessions, key } = await seeded(reads);
    const a = sessions.open(key);
    await a.set('cart', 1);
    reads.next = { outcome: 'expired', expiredAt: new Date(NOW - 1000) };
    await a.save();
    expect(await items(sessions.open(key))).toEqual({ cart: 1 });
  });
});

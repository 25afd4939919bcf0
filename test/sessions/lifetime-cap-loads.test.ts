/**
 * Lifetime caps on load, beside test/reliability/lifetime-caps: an unknown key stays a miss with
 * caps on, and an over-cap signed cookie is dropped without a store delete (a client-side store
 * holds no record; Session.delete() does not call it either).
 */
import { describe, expect, it } from 'vitest';
import { countStoreOps } from '../helpers/http.js';
import { frozenSessions, NOW } from './frozen-sessions.js';

const make = frozenSessions('lifetime-cap-loads-secret');

describe('lifetime caps while loading', () => {
  it('an unknown key with caps on loads as a miss: no data, the key dropped', async () => {
    const sessions = make({ SESSION_ABSOLUTE_LIFETIME: 60, SESSION_IDLE_TIMEOUT: 30 });
    const session = sessions.open('unknownkey12345678unknownkey1234');
    expect(await session.keys()).toEqual([]);
    expect(session.sessionKey).toBeNull();
  });

  it('an over-cap signed cookie loads empty and reaches no store delete', async () => {
    const sessions = make({ SESSION_ENGINE: 'signed_cookies', SESSION_ABSOLUTE_LIFETIME: 60 });
    const first = sessions.open();
    await first.set('user', 'ada');
    await first.save();
    sessions.clock.freeze(NOW + 61_000);
    const ops = countStoreOps(sessions.store);
    const session = sessions.open(first.sessionKey);
    expect(await session.get('user')).toBeUndefined();
    expect(session.modified).toBe(true);
    expect(ops.load).toBe(1);
    expect(ops.delete).toBe(0);
  });
});

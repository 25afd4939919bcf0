/**
 * Django's flags and store reads at the edges: which calls mark a session modified (so the
 * middleware writes the cookie) and which leave it alone, create() reading nothing, and a stored
 * `_session_expiry` of null following SESSION_EXPIRE_AT_BROWSER_CLOSE as in Django.
 */
import { describe, expect, it } from 'vitest';
import { countStoreOps } from '../helpers/http.js';
import { frozenSessions } from './frozen-sessions.js';

const make = frozenSessions('session-flags-secret');

describe('modified after a save', () => {
  it('cycleKey() on signed cookies re-signs the data and marks the session modified', async () => {
    const sessions = make({ SESSION_ENGINE: 'signed_cookies' });
    const first = sessions.open();
    await first.set('user', 'ada');
    await first.save();
    const session = sessions.open(first.sessionKey);
    expect(await session.get('user')).toBe('ada');
    expect(session.modified).toBe(false);
    await session.cycleKey();
    expect(session.modified).toBe(true);
  });

  it('save() on a server-side store leaves modified as it was', async () => {
    const sessions = make();
    const first = sessions.open();
    await first.set('user', 'ada');
    await first.save();
    const session = sessions.open(first.sessionKey);
    expect(await session.get('user')).toBe('ada');
    await session.save();
    expect(session.modified).toBe(false);
  });
});

describe('reads', () => {
  it('create() on a session never loaded does not read the store (the new key has no record)', async () => {
    const sessions = make();
    const ops = countStoreOps(sessions.store);
    const session = sessions.open();
    await session.create();
    expect(session.sessionKey).not.toBeNull();
    expect(ops.load).toBe(0);
    expect(ops.save).toBe(1);
  });
});

describe('a stored _session_expiry of null', () => {
  it('follows SESSION_EXPIRE_AT_BROWSER_CLOSE, as a missing one does', async () => {
    for (const atClose of [true, false]) {
      const session = make({ SESSION_EXPIRE_AT_BROWSER_CLOSE: atClose }).open();
      await session.set('_session_expiry', null);
      expect(await session.getExpireAtBrowserClose(), String(atClose)).toBe(atClose);
    }
  });
});

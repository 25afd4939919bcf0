/**
 * LC-4 (idle timeout) and LC-5 (absolute lifetime), enforced on the server against the virtual
 * clock: an over-cap record loads as expired (reason lifetime-cap) and is gone from the store.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ACTIVE_AT_KEY, CREATED_AT_KEY } from '../../server-agent/sessions/lifetime-caps.js';
import { createSessionManager, type SessionManager } from '../../server-agent/sessions/manager.js';
import type { SessionEventMap } from '../../server-agent/sessions/events.js';

const NOW = Date.UTC(2024, 0, 1, 9, 0, 0);
const HOUR = 3600;
let manager: SessionManager | undefined;

function make(caps: { SESSION_ABSOLUTE_LIFETIME?: number; SESSION_IDLE_TIMEOUT?: number }): SessionManager {
  manager = createSessionManager({
    SECRET_KEY: 'lifetime-caps-test-secret-0123456789',
    DATABASE_URL: ':memory:',
    ...caps,
  });
  manager.clock.freeze(NOW);
  return manager;
}

afterEach(async () => {
  await manager?.close();
  manager = undefined;
});

async function newSession(sessions: SessionManager): Promise<string> {
  const session = sessions.open();
  await session.set('user', 42);
  await session.save();
  return session.sessionKey as string;
}

/** One request that touches the session the way an app does: read, write, save. */
async function activity(sessions: SessionManager, key: string): Promise<boolean> {
  const session = sessions.open(key);
  const user = await session.get('user');
  if (user === undefined) return false;
  await session.set('seen', sessions.clock.nowMs());
  await session.save();
  return true;
}

describe('LC-5 absolute lifetime', () => {
  it('LC-5: activity every minute never moves the deadline; at lifetime+1 s the record is gone', async () => {
    const sessions = make({ SESSION_ABSOLUTE_LIFETIME: 8 * HOUR });
    const key = await newSession(sessions);
    const expired: SessionEventMap['session.expired'][] = [];
    sessions.events.on('session.expired', (event) => expired.push(event));
    for (let minute = 1; minute < 8 * 60; minute++) {
      sessions.clock.travel(60);
      expect(await activity(sessions, key)).toBe(true);
    }
    sessions.clock.travel(59); // lifetime - 1 s
    expect(await activity(sessions, key)).toBe(true);
    sessions.clock.travel(2); // lifetime + 1 s
    expect(await activity(sessions, key)).toBe(false);
    expect(await sessions.store.exists(key)).toBe(false);
    expect(expired).toHaveLength(1);
    expect(expired[0]?.reason).toBe('lifetime-cap');
    expect(expired[0]?.expiredAt).toBe(NOW + 8 * HOUR * 1000);
  });

  it('LC-5: key rotation (cycleKey) and clear() do not restart the lifetime', async () => {
    const sessions = make({ SESSION_ABSOLUTE_LIFETIME: HOUR });
    const key = await newSession(sessions);
    sessions.clock.travel(HOUR - 10);
    const session = sessions.open(key);
    await session.cycleKey();
    session.clear();
    await session.set('user', 7);
    await session.save();
    const rotated = session.sessionKey as string;
    expect(rotated).not.toBe(key);
    expect(await sessions.open(rotated).get(CREATED_AT_KEY)).toBe(NOW / 1000);
    sessions.clock.travel(11);
    expect(await sessions.open(rotated).get('user')).toBeUndefined();
    expect(await sessions.store.exists(rotated)).toBe(false);
  });

  it('LC-5: an over-cap record is deleted by the first load, whatever its Django expiry says', async () => {
    const sessions = make({ SESSION_ABSOLUTE_LIFETIME: 600 });
    const key = await newSession(sessions);
    sessions.clock.travel(600);
    expect((await sessions.store.load(key)).outcome).toBe('hit'); // Django's expiry: 2 weeks
    expect(await sessions.open(key).get('user')).toBeUndefined();
    expect(await sessions.store.exists(key)).toBe(false);
  });
});

describe('LC-4 idle timeout', () => {
  it('LC-4: idle-1 s alive, idle+1 s gone from the store', async () => {
    const sessions = make({ SESSION_IDLE_TIMEOUT: 30 * 60 });
    const key = await newSession(sessions);
    sessions.clock.travel(30 * 60 - 1);
    expect(await activity(sessions, key)).toBe(true);
    sessions.clock.travel(30 * 60 - 1); // activity moved the idle deadline
    expect(await activity(sessions, key)).toBe(true);
    sessions.clock.travel(30 * 60 + 1);
    const session = sessions.open(key);
    expect(await session.get('user')).toBeUndefined();
    expect(session.sessionKey).toBeNull();
    expect(await sessions.store.exists(key)).toBe(false);
  });

  it('LC-4: a read counts as activity (the session is marked for a touch save), at most once a minute', async () => {
    const sessions = make({ SESSION_IDLE_TIMEOUT: 30 * 60 });
    const key = await newSession(sessions);
    sessions.clock.travel(30);
    const early = sessions.open(key);
    await early.get('user');
    expect(early.modified).toBe(false); // within the touch interval: no write
    sessions.clock.travel(20 * 60);
    const read = sessions.open(key);
    await read.get('user');
    expect(read.modified).toBe(true);
    await read.save();
    sessions.clock.travel(20 * 60); // 40 min after creation, 20 min after the touching read
    expect(await sessions.open(key).get('user')).toBe(42);
  });

  it('LC-4 + LC-5 together: the earlier deadline wins', async () => {
    const sessions = make({ SESSION_IDLE_TIMEOUT: 600, SESSION_ABSOLUTE_LIFETIME: 900 });
    const key = await newSession(sessions);
    sessions.clock.travel(500);
    expect(await activity(sessions, key)).toBe(true);
    sessions.clock.travel(399); // 899 s after creation: idle fine, absolute fine
    expect(await activity(sessions, key)).toBe(true);
    sessions.clock.travel(2); // 901 s: absolute cap
    expect(await activity(sessions, key)).toBe(false);
  });
});

describe('caps off (the default) keep Django compatibility', () => {
  it('stores no reserved keys and never expires a session beyond Django rules', async () => {
    const sessions = make({});
    const key = await newSession(sessions);
    sessions.clock.travel(13 * 24 * HOUR);
    const session = sessions.open(key);
    expect(await session.keys()).toEqual(['user']);
    expect(await session.has(CREATED_AT_KEY)).toBe(false);
    expect(await session.has(ACTIVE_AT_KEY)).toBe(false);
    expect(session.modified).toBe(false);
  });

  it('rejects a cap that is not a positive whole number of seconds, naming the setting', () => {
    expect(() =>
      createSessionManager({ SECRET_KEY: 'x'.repeat(40), DATABASE_URL: ':memory:', SESSION_IDLE_TIMEOUT: 0 }),
    ).toThrow(/SESSION_IDLE_TIMEOUT/);
    expect(() =>
      createSessionManager({
        SECRET_KEY: 'x'.repeat(40),
        DATABASE_URL: ':memory:',
        sessionAbsoluteLifetime: 1.5,
      }),
    ).toThrow(/SESSION_ABSOLUTE_LIFETIME/);
  });
});

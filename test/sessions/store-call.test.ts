/**
 * store-call.ts: a store that may hang gets a deadline (503 within SESSION_STORE_TIMEOUT_MS); a
 * store that settles in time by itself (StoreCapabilities.settlesInTime) is not watched, and its
 * failures still leave with every session key scrubbed out (S5).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSessions } from '../../server-agent/create.js';
import { StoreUnavailable } from '../../server-agent/sessions/errors.js';
import type { SessionStore } from '../../server-agent/sessions/store.js';
import { callStore } from '../../server-agent/sessions/store-call.js';

const KEY = 'k7x9q2mw4z8c1v5b6n3p0r7t2y8u4i6o';
const SECRET_KEY = 'store-call-test-secret-0123456789abcdefghij';

function storeWith(settlesInTime: boolean): SessionStore {
  return {
    engine: 'test',
    capabilities: { serverSide: true, list: false, expiresOnItsOwn: true, keyPattern: null, settlesInTime },
  } as unknown as SessionStore;
}

const opened: { close(): Promise<void> }[] = [];
afterAll(async () => {
  for (const sessions of opened) await sessions.close();
});

describe('store calls', () => {
  it('a store that may hang fails with StoreUnavailable at the deadline, naming the engine and limit', async () => {
    const never = new Promise<never>(() => {});
    const call = callStore(storeWith(false), 30, () => never, KEY);
    await expect(call).rejects.toBeInstanceOf(StoreUnavailable);
    await expect(call).rejects.toThrow('The test session store did not answer within 30 ms.');
  });

  it('a store that settles in time passes its value through', async () => {
    await expect(callStore(storeWith(true), 30, () => Promise.resolve(42), KEY)).resolves.toBe(42);
  });

  it('a settles-in-time store’s failure still leaves without the session key (S5)', async () => {
    for (const settles of [true, false]) {
      const failing = () => Promise.reject(new Error(`constraint failed for key ${KEY}`));
      const error = await callStore(storeWith(settles), 1000, failing, KEY).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect(String((error as Error).message)).not.toContain(KEY);
      const thrown = () => {
        throw new Error(`sync failure for ${KEY}`);
      };
      const sync = await callStore(storeWith(settles), 1000, thrown, KEY).catch((e: unknown) => e);
      expect(String((sync as Error).message)).not.toContain(KEY);
    }
  });

  it('only the in-process engines say they settle in time: memory cache, SQLite, signed cookies; not file, PostgreSQL, Redis', () => {
    const dir = mkdtempSync(join(tmpdir(), 'store-call-'));
    const engines = {
      memory: createSessions({ SECRET_KEY, SESSION_ENGINE: 'cache' }),
      sqlite: createSessions({ SECRET_KEY, SESSION_ENGINE: 'db', DATABASE_URL: join(dir, 's.sqlite3') }),
      signed: createSessions({ SECRET_KEY, SESSION_ENGINE: 'signed_cookies' }),
      file: createSessions({ SECRET_KEY, SESSION_ENGINE: 'file', SESSION_FILE_PATH: dir }),
      postgres: createSessions({
        SECRET_KEY,
        SESSION_ENGINE: 'db',
        DATABASE_URL: 'postgres://127.0.0.1:5432/test',
      }),
      redis: createSessions({
        SECRET_KEY,
        SESSION_ENGINE: 'cache',
        CACHES: { default: { BACKEND: 'redis', LOCATION: 'redis://127.0.0.1:6379/15' } },
      }),
    };
    opened.push(...Object.values(engines));
    expect(engines.memory.store.capabilities.settlesInTime).toBe(true);
    expect(engines.sqlite.store.capabilities.settlesInTime).toBe(true);
    expect(engines.signed.store.capabilities.settlesInTime).toBe(true);
    for (const waitsOutside of [engines.file, engines.postgres, engines.redis])
      expect(waitsOutside.store.capabilities.settlesInTime).toBeFalsy();
  });
});

/**
 * Session identifiers: ID-1 (CSPRNG, alphabet, uniqueness, per-position chi-square on 10^5 keys),
 * ID-2 (never adopt a client key), ID-3 (10,000 unknown cookies create 0 records), ID-4 (hostile
 * keys are "no session" on every engine), ID-5 (cookie is the only carrier), ID-6 (no raw key in
 * logs or events).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionEvent } from '../../server-agent/sessions/events.js';
import { generateSessionKey } from '../../server-agent/sessions/keys.js';
import { captureLogs } from '../helpers/log-capture.js';
import { send } from '../helpers/http.js';
import { serverSideEngines } from '../reliability/engines.js';
import { type SecurityApp, startSecurityApp } from './app.js';

const { engines } = await serverSideEngines();
let app: SecurityApp;
beforeAll(async () => {
  app = await startSecurityApp();
});
afterAll(async () => {
  await app.close();
});

async function rowCount(a: SecurityApp): Promise<number> {
  const page = await a.sessions.store.list?.({ limit: 1, includeExpired: true });
  return page?.total ?? -1;
}

describe('ID-1 key generation', () => {
  it('ID-1: keys come only from node:crypto (static rule on keys.ts)', () => {
    const source = readFileSync(new URL('../../server-agent/sessions/keys.ts', import.meta.url), 'utf8');
    const imports = [...source.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
    expect(imports.filter((name) => name !== './store.js')).toEqual(['node:crypto']);
    expect(source).not.toMatch(/Math\.random|Date\.now|performance\.now/);
  });

  it('ID-1: 10^5 keys: 32 chars of [a-z0-9], no duplicates, no per-position bias (chi-square, df=35)', () => {
    const N = 100_000;
    const counts = Array.from({ length: 32 }, () => new Array<number>(36).fill(0));
    const seen = new Set<string>();
    const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
    for (let i = 0; i < N; i++) {
      const key = generateSessionKey();
      if (!/^[a-z0-9]{32}$/.test(key)) throw new Error(`bad key shape ${key}`);
      seen.add(key);
      for (let p = 0; p < 32; p++) {
        const row = counts[p] as number[];
        const index = alphabet.indexOf(key[p] as string);
        row[index] = (row[index] ?? 0) + 1;
      }
    }
    expect(seen.size).toBe(N);
    const expected = N / 36;
    const chi = counts.map((row) =>
      row.reduce((sum, observed) => sum + (observed - expected) ** 2 / expected, 0),
    );
    // df=35: mean 35; 80 is p < 1e-5 for one position, so 32 positions pass together with p > 0.9997.
    process.stdout.write(
      `[ID-1] chi-square per position: max ${Math.max(...chi).toFixed(1)}, mean ${(chi.reduce((a, b) => a + b) / 32).toFixed(1)}\n`,
    );
    expect(Math.max(...chi)).toBeLessThan(80);
  });
});

describe('ID-2 / ID-3 / ID-5 over HTTP', () => {
  it('ID-2: a client-chosen key is never adopted: the write gets a fresh key, the chosen key has no record', async () => {
    const chosen = 'attackerchosen12345678901234567';
    const reply = await send(`${app.http.url}/set`, { cookie: `sessionid=${chosen}` });
    const issued = reply.cookie()?.value;
    expect(issued).toMatch(/^[a-z0-9]{32}$/);
    expect(issued).not.toBe(chosen);
    expect(await app.sessions.store.exists(chosen)).toBe(false);
  });

  it('ID-3: 10,000 requests with random unknown cookies create 0 records (also with SAVE_EVERY_REQUEST)', async () => {
    const every = await startSecurityApp({ SESSION_SAVE_EVERY_REQUEST: true });
    try {
      for (const target of [app, every]) {
        const before = await rowCount(target);
        for (let i = 0; i < 5_000; i += 50) {
          await Promise.all(
            Array.from({ length: 50 }, () =>
              send(`${target.http.url}/get`, { cookie: `sessionid=${randomBytes(16).toString('hex')}` }),
            ),
          );
        }
        expect(await rowCount(target)).toBe(before);
      }
    } finally {
      await every.close();
    }
  }, 60_000);

  it('ID-3: 1,000 loads of unknown keys create 0 records on every server-side engine', async () => {
    for (const engine of engines) {
      const sessions = engine.make();
      try {
        const keys = Array.from({ length: 1_000 }, () => generateSessionKey());
        for (const key of keys) expect(await sessions.open(key).get('x')).toBeUndefined();
        const probe = keys.slice(0, 50);
        for (const key of probe) expect(await sessions.store.exists(key), engine.name).toBe(false);
      } finally {
        await sessions.close();
      }
    }
  });

  it('ID-5: the key is accepted from the cookie only (query, form field, custom header ignored)', async () => {
    const login = await send(`${app.http.url}/set?v=carol`);
    const key = login.cookie()?.value as string;
    expect(await (await send(`${app.http.url}/get`, { cookie: `sessionid=${key}` })).body).toBe('"carol"');
    const carriers = [
      send(`${app.http.url}/get?sessionid=${key}`),
      send(`${app.http.url}/get`, { method: 'POST', body: `sessionid=${key}` }),
      send(`${app.http.url}/get`, { headers: { 'x-session-id': key, authorization: `Bearer ${key}` } }),
    ];
    for (const reply of await Promise.all(carriers)) expect(reply.body).toBe('null');
  });
});

const HOSTILE_KEYS = [
  '',
  '1234567',
  'a/b/c/d/e/f',
  'a\\b\\c\\d\\e',
  '..',
  '../../../../etc/passwd',
  'abc\u0000defghij',
  'k'.repeat(10_000),
  'ключключключ',
  "x' OR '1'='1",
  'abcdefgh\r\nSET x 1',
  '*\r\n$4\r\nPING',
  '__proto__',
  'constructor',
];

describe('ID-4 hostile keys on every engine', () => {
  it('ID-4: each vector is "no session": no throw, no record, a fresh key on write', async () => {
    for (const engine of engines) {
      const sessions = engine.make();
      try {
        for (const key of HOSTILE_KEYS) {
          const session = sessions.open(key);
          expect(
            await session.get('user'),
            `${engine.name} ${JSON.stringify(key.slice(0, 20))}`,
          ).toBeUndefined();
          await session.set('user', 1);
          await session.save();
          expect(session.sessionKey).toMatch(/^[a-z0-9]{32}$/);
          expect(await sessions.open(key).exists(key)).toBe(false);
        }
      } finally {
        await sessions.close();
      }
    }
  });
});

describe('ID-6 no raw key in logs or events', () => {
  it('ID-6: a run with events on and logs captured never shows an issued key', async () => {
    const logs = captureLogs();
    const events: SessionEvent[] = [];
    const stop = app.sessions.events.onAny((event) => events.push(event));
    const issued: string[] = [];
    try {
      for (let i = 0; i < 20; i++) {
        const set = await send(`${app.http.url}/set?v=u${i}`);
        const key = set.cookie()?.value as string;
        issued.push(key);
        const login = await send(`${app.http.url}/login`, { cookie: `sessionid=${key}` });
        issued.push(login.cookie()?.value as string);
        await send(`${app.http.url}/logout`, { cookie: `sessionid=${login.cookie()?.value}` });
        await send(`${app.http.url}/get`, { cookie: `sessionid=${key}` });
      }
    } finally {
      stop();
      logs.stop();
    }
    const text = JSON.stringify(events) + JSON.stringify(logs.records);
    expect(events.length).toBeGreaterThan(100);
    for (const key of issued) expect(text.includes(key), 'raw key leaked').toBe(false);
  });
});

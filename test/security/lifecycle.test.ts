/**
 * Lifecycle and crypto guarantees over HTTP and on every engine: LC-1 rotation on login, LC-2
 * logout and the exact deletion header, LC-7 no resurrection (400), LC-8 no save on 5xx, ND-2
 * prototype safety through every store, CR-3/CR-4 strict signature parsing, CR-6 placeholder
 * secrets refused in production, CR-8 tampered records load as {} with a security log line.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSessionManager } from '../../server-agent/sessions/manager.js';
import { PLACEHOLDER_SECRETS } from '../../server-agent/sessions/secret-key.js';
import { Signer } from '../../server-agent/sessions/signing.js';
import { send } from '../helpers/http.js';
import { captureLogs } from '../helpers/log-capture.js';
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
const cookieOf = (value: string | undefined) => `sessionid=${value}`;

describe('LC-1 / LC-2 / LC-7 / LC-8 over HTTP', () => {
  it('LC-1: login rotates the key, keeps the data, and the pre-login cookie is anonymous at once', async () => {
    const before = (await send(`${app.http.url}/set?v=dora`)).cookie()?.value as string;
    const login = await send(`${app.http.url}/login`, { cookie: cookieOf(before) });
    const after = login.cookie()?.value as string;
    expect(after).not.toBe(before);
    expect(await app.sessions.store.exists(before)).toBe(false);
    expect((await send(`${app.http.url}/get`, { cookie: cookieOf(after) })).body).toBe('"dora"');
    expect((await send(`${app.http.url}/get`, { cookie: cookieOf(before) })).body).toBe('null');
  });

  it("LC-2: logout deletes the record, writes Django's deletion header with Vary: Cookie, and a replay is anonymous", async () => {
    const key = (await send(`${app.http.url}/set?v=erin`)).cookie()?.value as string;
    const logout = await send(`${app.http.url}/logout`, { cookie: cookieOf(key) });
    expect(logout.headers.getSetCookie()).toEqual([
      'sessionid=; Max-Age=0; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; SameSite=Lax',
    ]);
    expect(logout.headers.get('vary')).toMatch(/Cookie/);
    expect(await app.sessions.store.exists(key)).toBe(false);
    expect((await send(`${app.http.url}/get`, { cookie: cookieOf(key) })).body).toBe('null');
  });

  it('LC-7: a slow write finishing after a concurrent logout gets 400 and does not resurrect the session', async () => {
    const key = (await send(`${app.http.url}/set?v=fay`)).cookie()?.value as string;
    const slow = send(`${app.http.url}/slow`, { cookie: cookieOf(key) });
    while (!app.release) await new Promise((resolve) => setTimeout(resolve, 5));
    await send(`${app.http.url}/logout`, { cookie: cookieOf(key) });
    app.release();
    app.release = null;
    const reply = await slow;
    expect(reply.status).toBe(400);
    expect(await app.sessions.store.exists(key)).toBe(false);
  });

  it('LC-8: a handler that writes and answers 500 or 503 persists nothing', async () => {
    const key = (await send(`${app.http.url}/set?v=gus`)).cookie()?.value as string;
    for (const status of [500, 503]) {
      const reply = await send(`${app.http.url}/fail?status=${status}`, { cookie: cookieOf(key) });
      expect(reply.status).toBe(status);
      expect(reply.cookie()).toBeUndefined();
      expect((await send(`${app.http.url}/get`, { cookie: cookieOf(key) })).body).toBe('"gus"');
    }
  });
});

describe('ND-2 prototype safety through every store', () => {
  it('ND-2: hostile keys load back as plain data; Object.prototype and Session methods untouched', async () => {
    for (const engine of engines) {
      const sessions = engine.make();
      try {
        const writer = sessions.open();
        await writer.update({
          __proto__: { polluted: 1 },
          constructor: { prototype: { polluted: 2 } },
          prototype: 3,
          save: 1,
          get: 2,
          toString: 'x',
        } as never);
        await writer.set('__proto__', { polluted: 1 });
        await writer.save();
        const reader = sessions.open(writer.sessionKey);
        expect(await reader.get('__proto__'), engine.name).toEqual({ polluted: 1 });
        expect(await reader.get('save')).toBe(1);
        expect(typeof reader.save).toBe('function');
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        expect(Object.prototype).not.toHaveProperty('polluted');
      } finally {
        await sessions.close();
      }
    }
  });
});

describe('CR-3 / CR-4 / CR-6 / CR-8', () => {
  it('CR-3: a wrong-length signature returns a refusal, never a crash (timingSafeEqual would throw on length)', () => {
    const signer = new Signer({ key: 'k', salt: 's' });
    const signed = signer.sign('value');
    for (const forged of [signed.slice(0, -1), `${signed}A`, 'value:', `value:${'A'.repeat(1000)}`])
      expect(() => signer.unsign(forged)).toThrow(/does not match|No ":"/);
  });

  it('CR-4: exactly value:signature, nothing after; a cookie with trailing data is a new anonymous session over HTTP', async () => {
    const signedApp = await startSecurityApp({ SESSION_ENGINE: 'signed_cookies' });
    try {
      const token = (await send(`${signedApp.http.url}/set?v=hal`)).cookie()?.value as string;
      expect((await send(`${signedApp.http.url}/get`, { cookie: cookieOf(token) })).body).toBe('"hal"');
      for (const forged of [`${token}x`, `${token}:extra`, token.slice(0, -2), token.replace(/:/, '::')]) {
        const reply = await send(`${signedApp.http.url}/get`, { cookie: cookieOf(forged) });
        expect(reply.status).toBe(200);
        expect(reply.body).toBe('null');
      }
    } finally {
      await signedApp.close();
    }
  });

  it('CR-6: every known placeholder secret (and a short one) is refused in production', () => {
    for (const secret of [...PLACEHOLDER_SECRETS, 'short-but-real']) {
      expect(() =>
        createSessionManager({
          SECRET_KEY: secret,
          DATABASE_URL: ':memory:',
          env: { NODE_ENV: 'production' },
        }),
      ).toThrow(/SECRET_KEY/);
    }
    expect(() => createSessionManager({ DATABASE_URL: ':memory:', env: { NODE_ENV: 'production' } })).toThrow(
      /SECRET_KEY is required/,
    );
  });

  it('CR-8: a record signed with another key or overwritten with garbage loads as {} with a security log line, never a 500', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sessionscope-cr8-'));
    const shared = { DATABASE_URL: `sqlite:${join(dir, 'db.sqlite3')}` };
    const other = createSessionManager({ SECRET_KEY: 'a-different-secret-0123456789abcdefghij', ...shared });
    const victimApp = await startSecurityApp(shared);
    const logs = captureLogs();
    try {
      const forged = other.open();
      await forged.set('user', 'root');
      await forged.save();
      const reply = await send(`${victimApp.http.url}/get`, {
        cookie: cookieOf(forged.sessionKey as string),
      });
      expect(reply.status).toBe(200);
      expect(reply.body).toBe('null');
      expect(logs.records.some((r) => r.namespace.includes('security') && /corrupted/i.test(r.message))).toBe(
        true,
      );
    } finally {
      logs.stop();
      await victimApp.close();
      await other.close();
    }
  });
});

/**
 * Issue 12 U5 (messages), issue 10 item 7 ("did you mean") and two Django-fidelity leftovers:
 * SESSION_COOKIE_AGE: 0, and a store without clearExpired.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../server-agent/cli.js';
import { createSessions } from '../../server-agent/create.js';
import { ImproperlyConfigured, isSessionError } from '../../server-agent/sessions/errors.js';
import { createSessionManager } from '../../server-agent/sessions/manager.js';
import { normalizeSettings } from '../../server-agent/sessions/settings.js';
import type { SessionStore } from '../../server-agent/sessions/store.js';
import { listen, send } from '../helpers/http.js';

const dev = { NODE_ENV: 'test' } as NodeJS.ProcessEnv;
const base = { SECRET_KEY: 'test-secret-key' };

function captureCli() {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out.push(String(chunk));
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    err.push(String(chunk));
    return true;
  });
  return { out: () => out.join(''), err: () => err.join('') };
}

describe('U5 messages', () => {
  afterEach(() => vi.restoreAllMocks());

  it('U5 SESSION_STORE_TIMEOUT_MS: "1000" speaks of milliseconds and says to pass a number', () => {
    const run = () => normalizeSettings({ ...base, SESSION_STORE_TIMEOUT_MS: '1000' }, dev);
    expect(run).toThrow(ImproperlyConfigured);
    expect(run).toThrow(/SESSION_STORE_TIMEOUT_MS.*positive whole number of milliseconds/);
    expect(run).toThrow(/a number rather than a string.*got "1000"/);
    expect(run).not.toThrow(/ of seconds/);
    expect(() => normalizeSettings({ ...base, SESSION_STORE_TIMEOUT_MS: 0.5 }, dev)).toThrow(
      /milliseconds; got 0.5/,
    );
  });

  it('U5 env SESSION_COOKIE_AGE=abc says got "abc", not got null', async () => {
    const cli = captureCli();
    const env = { SECRET_KEY: 'k', DATABASE_URL: ':memory:', SESSION_COOKIE_AGE: 'abc', NODE_ENV: 'test' };
    expect(await main(['clearsessions'], env)).toBe(1);
    expect(cli.err()).toMatch(/SESSION_COOKIE_AGE must be a whole number of seconds; got "abc"/);
    expect(cli.err()).not.toContain('null');
    // NaN given in code is shown as NaN, never as JSON's null.
    expect(() => normalizeSettings({ ...base, SESSION_COOKIE_AGE: Number.NaN }, dev)).toThrow(/got NaN/);
  });

  it('U5 env numbers are parsed the same way for every numeric setting', async () => {
    const cli = captureCli();
    const env = {
      SECRET_KEY: 'k',
      DATABASE_URL: ':memory:',
      SESSION_COOKIE_AGE: '60',
      SESSION_STORE_TIMEOUT_MS: '1000ms',
      NODE_ENV: 'test',
    };
    expect(await main(['clearsessions', '--create'], env)).toBe(1);
    expect(cli.err()).toMatch(
      /SESSION_STORE_TIMEOUT_MS must be a whole number of milliseconds; got "1000ms"/,
    );
  });

  it('U5 createSessions(null) is ImproperlyConfigured naming the fix, not a raw TypeError', () => {
    for (const bad of [null, 'db', []]) {
      let error: unknown;
      try {
        createSessions(bad as never);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ImproperlyConfigured);
      expect(isSessionError(error, 'SESSION_IMPROPERLY_CONFIGURED')).toBe(true);
      expect(String(error)).toMatch(
        /createSessions\(settings\) needs a settings object.*createSessions\(\{ SECRET_KEY/,
      );
    }
  });
});

describe('10.7 did you mean', () => {
  it.each([
    ['SESSION_COOKIE_AGEE', 'SESSION_COOKIE_AGE'],
    ['SESSION_COOKIE_MAX_AGE', 'SESSION_COOKIE_AGE'],
    ['sessionCookieSecur', 'SESSION_COOKIE_SECURE'],
    ['SESSION_EXPIRE_AT_BROWSER_CLOSED', 'SESSION_EXPIRE_AT_BROWSER_CLOSE'],
    ['SESION_ENGINE', 'SESSION_ENGINE'],
    ['session_cookie_age', 'SESSION_COOKIE_AGE'],
  ])('10.7 did you mean: %s suggests %s', (typo, right) => {
    expect(() => normalizeSettings({ ...base, [typo]: 5 }, dev)).toThrow(
      new RegExp(`Unknown session setting "${typo}". Did you mean ${right} \\(or `),
    );
  });

  it('10.7 did you mean: a name far from every setting gets no guess', () => {
    expect(() => normalizeSettings({ ...base, DEBUG: true }, dev)).toThrow(/"DEBUG". See the settings table/);
  });
});

describe('Django fidelity: SESSION_COOKIE_AGE: 0', () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  it.each([
    ['db', { DATABASE_URL: ':memory:' }],
    ['cache', {}],
    ['file', { SESSION_FILE_PATH: mkdtempSync(join(tmpdir(), 'sessionscope-age0-')) }],
  ])('SESSION_COOKIE_AGE: 0 is accepted, and a %s session expires at once', async (engine, extra) => {
    const sessions = createSessionManager({
      ...base,
      env: dev,
      SESSION_ENGINE: engine,
      SESSION_COOKIE_AGE: 0,
      ...extra,
    });
    cleanup.push(() => sessions.close());
    expect(sessions.settings.sessionCookieAge).toBe(0);
    const session = sessions.open();
    await session.set('user', 'ada');
    expect(await session.getExpiryAge()).toBe(0);
    await session.save();
    const key = session.sessionKey as string;
    expect(key).toMatch(/^[a-z0-9]{32}$/);
    expect(await sessions.open(key).get('user')).toBeUndefined();
  });

  it('SESSION_COOKIE_AGE: 0 writes the cookie with Max-Age=0, as Django does', async () => {
    const sessions = createSessions({ ...base, env: dev, DATABASE_URL: ':memory:', SESSION_COOKIE_AGE: 0 });
    cleanup.push(() => sessions.close());
    const middleware = sessions.middleware();
    const server = await listen(
      createServer((req, res) =>
        middleware(req, res, async () => {
          await req.session.set('user', 'ada');
          res.end('ok');
        }),
      ),
    );
    cleanup.push(() => server.close());
    const response = await send(server.url);
    expect(response.status).toBe(200);
    expect(response.cookie()?.attributes['max-age']).toBe('0');
  });

  it('SESSION_COOKIE_AGE: -1 is still refused', () => {
    expect(() => normalizeSettings({ ...base, SESSION_COOKIE_AGE: -1 }, dev)).toThrow(
      /SESSION_COOKIE_AGE \(sessionCookieAge\) must be a whole number \(0 or more\) of seconds; got -1/,
    );
  });
});

describe('Django fidelity: a store without clearExpired', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sessionscope-noclear-'));
  let cli: ReturnType<typeof captureCli>;
  beforeEach(() => {
    cli = captureCli();
  });
  afterEach(() => vi.restoreAllMocks());

  const storeWithoutClear = (): Omit<SessionStore, 'clearExpired'> => ({
    engine: 'my-store',
    capabilities: { serverSide: true, list: false, expiresOnItsOwn: false, keyPattern: null },
    load: async () => ({ outcome: 'miss' }),
    exists: async () => false,
    save: async () => undefined,
    delete: async () => {},
    close: async () => {},
  });

  it('A store without clearExpired: sessions.clearExpired() says it is unsupported', async () => {
    const sessions = createSessions({ ...base, env: dev, SESSION_ENGINE: storeWithoutClear() });
    const failure = await sessions.clearExpired().catch((error: unknown) => error);
    expect(isSessionError(failure, 'SESSION_NOT_SUPPORTED')).toBe(true);
    expect(String(failure)).toMatch(/Session engine 'my-store' doesn't support clearing expired sessions/);
    await sessions.close();
  });

  it('A store without clearExpired: clearsessions says it is unsupported and exits 1', async () => {
    const config = join(dir, 'settings.mjs');
    writeFileSync(
      config,
      `export default {
        SECRET_KEY: 'test-secret-key',
        SESSION_ENGINE: {
          engine: 'my-store',
          load: async () => ({ outcome: 'miss' }),
          save: async () => undefined,
          exists: async () => false,
          delete: async () => {},
          close: async () => {},
        },
      };\n`,
    );
    expect(await main(['clearsessions', '--config', config], dev)).toBe(1);
    expect(cli.err()).toMatch(/doesn't support clearing expired sessions.*SESSION_NOT_SUPPORTED/);
    expect(cli.err()).not.toMatch(/TypeError|is not a function/);
  });
});

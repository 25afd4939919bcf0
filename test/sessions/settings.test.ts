import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ImproperlyConfigured } from '../../server-agent/sessions/errors.js';
import { resolveSecretKey } from '../../server-agent/sessions/secret-key.js';
import { normalizeSettings } from '../../server-agent/sessions/settings.js';
import { captureLogs } from '../helpers/log-capture.js';

const dev = { NODE_ENV: 'test' } as NodeJS.ProcessEnv;
const base = { SECRET_KEY: 'test-secret-key' };

describe('settings', () => {
  it("has Django's defaults", () => {
    const s = normalizeSettings(base, dev);
    expect(s).toMatchObject({
      sessionEngine: 'db',
      sessionCookieName: 'sessionid',
      sessionCookieAge: 1209600,
      sessionCookieDomain: null,
      sessionCookieSecure: false,
      sessionCookiePath: '/',
      sessionCookieHttponly: true,
      sessionCookieSamesite: 'Lax',
      sessionSaveEveryRequest: false,
      sessionExpireAtBrowserClose: false,
      sessionFilePath: null,
      sessionCacheAlias: 'default',
      secretKeyFallbacks: [],
    });
    expect(Object.isFrozen(s)).toBe(true);
  });

  it('accepts Django names and camelCase names, and dotted engine paths', () => {
    expect(normalizeSettings({ ...base, SESSION_COOKIE_AGE: 60 }, dev).sessionCookieAge).toBe(60);
    expect(normalizeSettings({ ...base, sessionCookieAge: 60 }, dev).sessionCookieAge).toBe(60);
    expect(
      normalizeSettings({ ...base, SESSION_ENGINE: 'django.contrib.sessions.backends.cached_db' }, dev)
        .sessionEngine,
    ).toBe('cached_db');
    expect(normalizeSettings({ ...base, SESSION_COOKIE_SAMESITE: 'strict' }, dev).sessionCookieSamesite).toBe(
      'Strict',
    );
    expect(normalizeSettings({ ...base, SESSION_COOKIE_SAMESITE: false }, dev).sessionCookieSamesite).toBe(
      false,
    );
  });

  it('maps DATABASES to a database URL', () => {
    expect(
      normalizeSettings(
        { ...base, DATABASES: { default: { ENGINE: 'django.db.backends.sqlite3', NAME: 'db.sqlite3' } } },
        dev,
      ).databaseUrl,
    ).toBe('sqlite:db.sqlite3');
    expect(
      normalizeSettings(
        {
          ...base,
          DATABASES: {
            default: { ENGINE: 'django.db.backends.postgresql', NAME: 'app', USER: 'u', HOST: 'h' },
          },
        },
        dev,
      ).databaseUrl,
    ).toBe('postgres://u@h:5432/app');
  });

  it.each([
    [
      { SESSION_COOKIE_AGE: -1 },
      /SESSION_COOKIE_AGE \(sessionCookieAge\) must be a whole number \(0 or more\) of seconds; got -1/,
    ],
    [{ SESSION_COOKIE_AGE: '60' }, /SESSION_COOKIE_AGE.*got "60"/],
    [{ SESSION_COOKIE_SAMESITE: 'sideways' }, /must be "Lax", "Strict", "None" or false/],
    [{ SESSION_COOKIE_SAMESITE: 'None' }, /needs SESSION_COOKIE_SECURE=true/],
    [{ SESSION_COOKIE_NAME: '__Host-sid' }, /__Secure-\/__Host- prefix.*SESSION_COOKIE_SECURE=true/],
    [
      { SESSION_COOKIE_NAME: '__Host-sid', SESSION_COOKIE_SECURE: true, SESSION_COOKIE_PATH: '/app' },
      /__Host- cookie needs/,
    ],
    [{ SESSION_COOKIE_NAME: 'bad name' }, /SESSION_COOKIE_NAME.*cookie name/],
    [{ SESSION_COOKIE_PATH: 'app' }, /must start with "\/"/],
    [{ SESSION_ENGINE: 'mongo' }, /SESSION_ENGINE "mongo" is not an engine/],
    [
      { SESSION_SERIALIZER: 'django.contrib.sessions.serializers.PickleSerializer' },
      /pickle is not supported/,
    ],
    [{ SESSION_COKIE_AGE: 5 }, /Unknown session setting "SESSION_COKIE_AGE"/],
    [{ sessionCookieAge: 5, SESSION_COOKIE_AGE: 6 }, /given twice/],
    [{ SESSION_COOKIE_AGE: 40_000_000 }, /over 400 days/],
  ])('rejects %j with the setting name and the fix', (input, message) => {
    expect(() => normalizeSettings({ ...base, ...input }, dev)).toThrow(ImproperlyConfigured);
    expect(() => normalizeSettings({ ...base, ...input }, dev)).toThrow(message);
  });

  it('suggests the right name for a near miss', () => {
    expect(() => normalizeSettings({ ...base, session_cookie_age: 5 }, dev)).toThrow(
      /Did you mean SESSION_COOKIE_AGE/,
    );
  });
});

describe('SECRET_KEY', () => {
  it('is required in production, and weak or example keys are refused there (CR-1, CR-6)', () => {
    const prod = { NODE_ENV: 'production' } as NodeJS.ProcessEnv;
    expect(() => resolveSecretKey('', prod)).toThrow(/SECRET_KEY is required when NODE_ENV=production/);
    expect(() => resolveSecretKey('keyboard cat', prod)).toThrow(/too weak/);
    expect(() => resolveSecretKey('short', prod)).toThrow(/at least 32/);
    expect(resolveSecretKey('x'.repeat(40), prod)).toBe('x'.repeat(40));
  });

  it('is generated once in development, kept in a git-ignored file and announced in one line', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'sessionscope-key-')), '.sessionscope');
    const logs = captureLogs();
    try {
      const first = resolveSecretKey('', dev, dir);
      const second = resolveSecretKey('', dev, dir);
      expect(first).toHaveLength(43);
      expect(second).toBe(first);
      expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toBe('*\n');
      expect(logs.records.filter((r) => r.message.includes('generated a development key'))).toHaveLength(1);
    } finally {
      logs.stop();
    }
  });
});

/**
 * The session cookie as written and read (LC-2, LC-9, CK-5, CK-6, CK-9), byte for byte: Django's
 * attributes, the 400-day and 4096-byte limits, deletion, and Vary merging.
 */
import { serialize } from 'cookie';
import { describe, expect, it } from 'vitest';
import {
  deletionCookie,
  MAX_COOKIE_AGE,
  MAX_COOKIE_BYTES,
  mergeVary,
  readCookie,
  sessionCookie,
} from '../../server-agent/http/cookies.js';
import { CookieTooLarge } from '../../server-agent/sessions/errors.js';
import { normalizeSettings, type SessionSettingsInput } from '../../server-agent/sessions/settings.js';

const NOW = 1_700_000_000_000;
const settings = (extra: SessionSettingsInput = {}) =>
  normalizeSettings({ SECRET_KEY: 'cookie-test-secret', ...extra }, {});

describe('CK-9 readCookie', () => {
  it('finds the named cookie, first duplicate wins, others and prototypes are data', () => {
    expect(readCookie('sessionid=abc; other=1', 'sessionid')).toBe('abc');
    expect(readCookie('a=1; sessionid=first; sessionid=second', 'sessionid')).toBe('first');
    expect(readCookie('xsessionid=abc', 'sessionid')).toBeUndefined();
    expect(readCookie('other=1', 'sessionid')).toBeUndefined();
    expect(readCookie('', 'sessionid')).toBeUndefined();
    expect(readCookie(undefined, 'sessionid')).toBeUndefined();
    expect(readCookie('__proto__=x; constructor=y', 'toString')).toBeUndefined();
    expect(readCookie('a=x,sessionid=evil', 'sessionid')).toBeUndefined();
  });

  it('CK-5 an incoming value over 4096 bytes is absent; 4096 is read', () => {
    expect(readCookie(`sessionid=${'v'.repeat(MAX_COOKIE_BYTES)}`, 'sessionid')).toHaveLength(4096);
    expect(readCookie(`sessionid=${'v'.repeat(MAX_COOKIE_BYTES + 1)}`, 'sessionid')).toBeUndefined();
  });
});

describe('CK-6 sessionCookie', () => {
  it("writes Django's defaults", () => {
    const written = sessionCookie(settings(), 'k'.repeat(32), 1_209_600, NOW);
    expect(written.header).toBe(
      `sessionid=${'k'.repeat(32)}; Max-Age=1209600; Path=/; Expires=Tue, 28 Nov 2023 22:13:20 GMT; HttpOnly; SameSite=Lax`,
    );
    expect(written.attributes).toEqual({
      name: 'sessionid',
      value: 'k'.repeat(32),
      maxAge: 1_209_600,
      expires: 'Tue, 28 Nov 2023 22:13:20 GMT',
      domain: undefined,
      path: '/',
      secure: undefined,
      httpOnly: true,
      sameSite: 'Lax',
      size: 42,
    });
  });

  it('a browser-session cookie has neither Max-Age nor Expires; every attribute follows the settings', () => {
    const written = sessionCookie(
      settings({
        SESSION_COOKIE_NAME: 'sid',
        SESSION_COOKIE_DOMAIN: '.example.com',
        SESSION_COOKIE_PATH: '/app/',
        SESSION_COOKIE_SECURE: true,
        SESSION_COOKIE_HTTPONLY: false,
        SESSION_COOKIE_SAMESITE: 'Strict',
      }),
      'v',
      undefined,
      NOW,
    );
    expect(written.header).toBe('sid=v; Domain=.example.com; Path=/app/; Secure; SameSite=Strict');
    expect(written.attributes).toMatchObject({
      maxAge: undefined,
      expires: undefined,
      httpOnly: undefined,
      size: 5,
    });
    const noSameSite = sessionCookie(settings({ SESSION_COOKIE_SAMESITE: false }), 'v', 60, NOW);
    expect(noSameSite.header).not.toContain('SameSite');
    expect(noSameSite.attributes.sameSite).toBeUndefined();
    expect(
      sessionCookie(settings({ SESSION_COOKIE_SAMESITE: 'None', SESSION_COOKIE_SECURE: true }), 'v', 60, NOW)
        .header,
    ).toContain('SameSite=None');
  });

  it('Max-Age is whole seconds, never negative, never above 400 days; Expires follows it', () => {
    const at = (age: number) => sessionCookie(settings(), 'v', age, NOW).attributes;
    expect(at(59.9)).toMatchObject({ maxAge: 59, expires: new Date(NOW + 59_000).toUTCString() });
    expect(at(-5)).toMatchObject({ maxAge: 0, expires: new Date(NOW).toUTCString() });
    expect(at(0)).toMatchObject({ maxAge: 0 });
    expect(at(MAX_COOKIE_AGE)).toMatchObject({ maxAge: 34_560_000 });
    expect(at(MAX_COOKIE_AGE + 1)).toMatchObject({
      maxAge: 34_560_000,
      expires: new Date(NOW + 34_560_000_000).toUTCString(),
    });
    expect(sessionCookie(settings(), 'v', -5, NOW).header).toContain('Max-Age=0;');
  });

  it('CK-5 name=value of 4096 bytes is written, 4097 refused naming the cookie and the fix', () => {
    const fits = 'v'.repeat(MAX_COOKIE_BYTES - 'sessionid='.length);
    expect(sessionCookie(settings(), fits, 60, NOW).attributes.size).toBe(4096);
    const error = (() => {
      try {
        sessionCookie(settings(), `${fits}é`, 60, NOW);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(CookieTooLarge);
    expect(error).toMatchObject({
      code: 'SESSION_COOKIE_TOO_LARGE',
      bytes: 4098,
      message:
        'The cookie "sessionid" would be 4098 bytes; browsers silently drop cookies over 4096 bytes. Keep less in the session, or use a server-side engine (db, cache, file) instead of signed_cookies.',
    });
    expect(() => sessionCookie(settings(), `${fits}x`, 60, NOW)).toThrow(CookieTooLarge);
  });
});

describe('LC-2 deletionCookie', () => {
  it("is Django's delete_cookie: empty, Max-Age=0, the epoch, same path and domain, no HttpOnly", () => {
    const deleted = deletionCookie(settings());
    expect(deleted.header).toBe(
      'sessionid=; Max-Age=0; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; SameSite=Lax',
    );
    expect(deleted.attributes).toEqual({
      name: 'sessionid',
      value: '',
      maxAge: 0,
      expires: 'Thu, 01 Jan 1970 00:00:00 GMT',
      domain: undefined,
      path: '/',
      secure: undefined,
      sameSite: 'Lax',
      size: 10,
    });
    const scoped = deletionCookie(
      settings({ SESSION_COOKIE_DOMAIN: '.example.com', SESSION_COOKIE_PATH: '/app/' }),
    );
    expect(scoped.header).toContain('Domain=.example.com; Path=/app/;');
    expect(deletionCookie(settings({ SESSION_COOKIE_SAMESITE: false })).header).not.toContain('SameSite');
  });

  it('is Secure for __Secure-/__Host- names (any case), SameSite=None and Secure settings only', () => {
    const secure = (extra: SessionSettingsInput) => deletionCookie(settings(extra)).attributes.secure;
    expect(secure({ SESSION_COOKIE_NAME: '__Secure-sid', SESSION_COOKIE_SECURE: true })).toBe(true);
    expect(secure({ SESSION_COOKIE_NAME: '__Host-sid', SESSION_COOKIE_SECURE: true })).toBe(true);
    expect(secure({ SESSION_COOKIE_SAMESITE: 'None', SESSION_COOKIE_SECURE: true })).toBe(true);
    expect(secure({ SESSION_COOKIE_SECURE: true })).toBe(true);
    expect(secure({ SESSION_COOKIE_NAME: 'secure-sid' })).toBeUndefined();
    expect(secure({ SESSION_COOKIE_NAME: 'x__host-sid' })).toBeUndefined();
    expect(secure({})).toBeUndefined();
    expect(deletionCookie(settings({ SESSION_COOKIE_SECURE: true })).header).toContain('; Secure');
  });

  it("SESSION_COOKIE_SECURE 'auto': Secure on https requests; prefixes and SameSite=None force it when deleting", () => {
    const auto = (extra: SessionSettingsInput = {}) => settings({ SESSION_COOKIE_SECURE: 'auto', ...extra });
    expect(sessionCookie(auto(), 'v', 60, NOW).attributes.secure).toBeUndefined();
    expect(sessionCookie(auto(), 'v', 60, NOW, true).attributes.secure).toBe(true);
    expect(deletionCookie(auto()).attributes.secure).toBeUndefined();
    expect(deletionCookie(auto(), true).attributes.secure).toBe(true);
    expect(deletionCookie(auto({ SESSION_COOKIE_NAME: '__Host-sid' })).attributes.secure).toBe(true);
    expect(deletionCookie(auto({ SESSION_COOKIE_NAME: '__HOST-sid' })).attributes.secure).toBe(true);
    expect(deletionCookie(auto({ SESSION_COOKIE_NAME: '__Secure-sid' })).attributes.secure).toBe(true);
    expect(deletionCookie(auto({ SESSION_COOKIE_NAME: 'sid__secure-' })).attributes.secure).toBeUndefined();
    expect(deletionCookie(auto({ SESSION_COOKIE_SAMESITE: 'None' })).attributes.secure).toBe(true);
  });
});

describe('LC-9 mergeVary', () => {
  it.each([
    [undefined, ['Cookie'], 'Cookie'],
    ['', ['Cookie'], 'Cookie'],
    ['Accept-Encoding', ['Cookie'], 'Accept-Encoding, Cookie'],
    ['accept-encoding ,  cookie', ['Cookie'], 'accept-encoding, cookie'],
    [['Accept', 'Origin'], ['Cookie'], 'Accept, Origin, Cookie'],
    ['Accept', ['Cookie', 'cookie', 'Origin'], 'Accept, Cookie, Origin'],
    ['*', ['Cookie'], '*'],
    ['Accept', ['*'], '*'],
    [3, ['Cookie'], '3, Cookie'],
    [',,Accept,,', ['Cookie'], 'Accept, Cookie'],
  ] as const)('%j + %j → %s', (existing, names, merged) => {
    expect(mergeVary(existing as never, ...names)).toBe(merged);
  });
});

describe('the session cookie renderer (parts cached per settings)', () => {
  it('writes what the cookie package writes, byte for byte, over the settings that shape it', () => {
    const variants: SessionSettingsInput[] = [
      {},
      { SESSION_COOKIE_DOMAIN: '.example.com', SESSION_COOKIE_PATH: '/app' },
      { SESSION_COOKIE_SAMESITE: false, SESSION_COOKIE_HTTPONLY: false },
      { SESSION_COOKIE_SAMESITE: 'Strict', SESSION_COOKIE_SECURE: true },
      { SESSION_COOKIE_SAMESITE: 'None', SESSION_COOKIE_SECURE: 'auto', SESSION_COOKIE_NAME: '__Host-s' },
    ];
    for (const extra of variants) {
      const s = settings(extra);
      for (const [value, age, secure] of [
        ['k'.repeat(32), 1_209_600, false],
        ['token:with.dots_and-dashes', 0, true],
        ['', undefined, false],
        ['v', 59.7, true],
      ] as const) {
        const written = sessionCookie(s, value, age, NOW + 123, secure);
        const a = written.attributes;
        // Twice: the second call reads the cached parts.
        for (const header of [written.header, sessionCookie(s, value, age, NOW + 123, secure).header]) {
          expect(header).toBe(
            serialize(a.name, a.value, {
              maxAge: a.maxAge,
              expires: a.expires === undefined ? undefined : new Date(a.expires),
              domain: a.domain,
              path: a.path,
              secure: a.secure,
              httpOnly: a.httpOnly,
              sameSite: a.sameSite ? (a.sameSite.toLowerCase() as 'lax' | 'strict' | 'none') : undefined,
              encode: (v) => v,
            }),
          );
        }
      }
    }
  });

  it('leaves values and ages it does not render itself to the package, errors included', () => {
    expect(() => sessionCookie(settings(), 'semi;colon', 60, NOW)).toThrow(/argument val is invalid/);
    expect(() => sessionCookie(settings(), 'v', Number.NaN, NOW)).toThrow(/maxAge is invalid/);
  });
});

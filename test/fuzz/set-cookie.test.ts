/**
 * Fuzz: the Set-Cookie writer (`sessionCookie`, `deletionCookie`). Over random settings, values and
 * ages, every header written matches the RFC 6265bis grammar (CK-6, CK-7) or the call fails with a
 * defined error; the 4095/4096/4097 and 1023/1024/1025 boundaries are exact (CK-5).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deletionCookie, sessionCookie } from '../../server-agent/http/cookies.js';
import { CookieTooLarge, ImproperlyConfigured } from '../../server-agent/sessions/errors.js';
import { normalizeSettings, type SessionSettings } from '../../server-agent/sessions/settings.js';
import { setCookieProblem } from './set-cookie-grammar.js';
import { FUZZ_TIMEOUT_MS, fuzzParameters, stringOf } from './runs.js';

const SECRET_KEY = 'fuzz-secret-key-0123456789abcdefghijkl';
const TOKEN = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const PRINTABLE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(0x20 + i)).join('');
const NOW = Date.UTC(2024, 5, 1, 12, 0, 0);

const settingsInput = fc.record({
  SESSION_COOKIE_NAME: fc.oneof(
    fc.constantFrom('sessionid', '__Host-sid', '__Secure-sid', '__host-x', 'csrftoken'),
    stringOf(TOKEN, { minLength: 1, maxLength: 16 }),
    fc.string({ maxLength: 8 }),
  ),
  SESSION_COOKIE_DOMAIN: fc.oneof(
    fc.constant(null),
    fc.constantFrom('.example.com', 'example.com', 'a.b-c.d', '.', '-x.com', 'x..y'),
    fc.string({ maxLength: 12 }),
  ),
  SESSION_COOKIE_PATH: fc.oneof(
    fc.constant('/'),
    stringOf(PRINTABLE, { maxLength: 30 }).map((p) => `/${p}`),
    fc.string({ maxLength: 10 }),
  ),
  SESSION_COOKIE_SECURE: fc.boolean(),
  SESSION_COOKIE_HTTPONLY: fc.boolean(),
  SESSION_COOKIE_SAMESITE: fc.constantFrom('Lax', 'Strict', 'None', 'lax', false, 'bogus'),
});

function settingsOrNull(input: Record<string, unknown>): Readonly<SessionSettings> | null {
  try {
    return normalizeSettings({ SECRET_KEY, ...input });
  } catch (error) {
    if (error instanceof ImproperlyConfigured) return null;
    throw error;
  }
}

const cookieValue = fc.oneof(
  stringOf('abcdefghijklmnopqrstuvwxyz0123456789', { minLength: 32, maxLength: 32 }),
  stringOf('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_:.', { maxLength: 80 }),
  fc.string({ maxLength: 20, unit: 'binary' }),
);
const maxAge = fc.oneof(
  fc.constant(undefined),
  fc.integer({ min: -1e9, max: 1e9 }),
  fc.double({ noNaN: false }),
  fc.constantFrom(0, -1, 34_560_001, 2 ** 53),
);

describe('fuzz: Set-Cookie writing', () => {
  it(
    'CK-6/CK-7: every header written matches the RFC 6265bis grammar, or the call fails with a defined error',
    () => {
      fc.assert(
        fc.property(settingsInput, cookieValue, maxAge, (input, value, age) => {
          const settings = settingsOrNull(input);
          if (!settings) return;
          const deletion = deletionCookie(settings).header;
          const deletionProblem = setCookieProblem(deletion);
          if (deletionProblem) throw new Error(`${deletionProblem}: ${deletion}`);
          let header: string;
          try {
            header = sessionCookie(settings, value, age, NOW).header;
          } catch (error) {
            // The cookie package refuses values outside cookie-octet and non-finite ages.
            if (error instanceof TypeError || error instanceof CookieTooLarge) return;
            throw error;
          }
          const problem = setCookieProblem(header);
          if (problem) throw new Error(`${problem}: ${header}`);
          const written = /Max-Age=(\d+)/.exec(header)?.[1];
          if (written !== undefined && Number(written) > 34_560_000)
            throw new Error(`Max-Age over 400 days: ${header}`);
        }),
        fuzzParameters('set-cookie: grammar'),
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it('CK-5: name+value of 4095 and 4096 bytes are written, 4097 is refused with CookieTooLarge', () => {
    const settings = normalizeSettings({ SECRET_KEY });

    for (const total of [4095, 4096]) {
      const value = 'v'.repeat(total - 'sessionid'.length - 1);
      const header = sessionCookie(settings, value, 60, NOW).header;
      expect(setCookieProblem(header)).toBeNull();
    }
    expect(() => sessionCookie(settings, 'v'.repeat(4097 - 'sessionid'.length - 1), 60, NOW)).toThrow(
      CookieTooLarge,
    );
  });

  it('CK-5: attribute values of 1023 and 1024 octets are accepted, 1025 refused at settings time', () => {
    for (const length of [1023, 1024]) {
      const settings = normalizeSettings({ SECRET_KEY, SESSION_COOKIE_PATH: `/${'p'.repeat(length - 1)}` });
      expect(setCookieProblem(sessionCookie(settings, 'k'.repeat(32), 60, NOW).header)).toBeNull();
    }
    expect(() => normalizeSettings({ SECRET_KEY, SESSION_COOKIE_PATH: `/${'p'.repeat(1024)}` })).toThrow(
      /SESSION_COOKIE_PATH.*1024/,
    );
  });

  it('CK-6: an already-expired session is written with Max-Age=0, never a negative Max-Age', () => {
    const header = sessionCookie(normalizeSettings({ SECRET_KEY }), 'k'.repeat(32), -10, NOW).header;
    expect(header).toContain('Max-Age=0;');
    expect(setCookieProblem(header)).toBeNull();
  });
});

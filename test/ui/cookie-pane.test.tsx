// @vitest-environment happy-dom
/** U14 small cookie-pane fixes: ✗ on both sides, SameSite casing, the store explained, "show value" consistent. */
import { describe, expect, it } from 'vitest';
import type { WireCookie } from '../../server-agent/agent/protocol.js';
import { createRedactor } from '../../server-agent/agent/redact.js';
import { rowsFor, storeText } from '../../extension/ui/CookiePane.js';
import type { BrowserCookie } from '../../extension/platform/types.js';

const browser: BrowserCookie = {
  name: 'sessionid',
  value: 'k'.repeat(32),
  domain: 'localhost',
  hostOnly: true,
  path: '/',
  secure: false,
  httpOnly: true,
  sameSite: 'lax',
  session: false,
  expirationDate: 1_800_000_000,
  storeId: '0',
};
const server = {
  name: 'sessionid',
  value: '‹h_abc›',
  path: '/',
  httpOnly: true,
  sameSite: 'Lax',
  maxAge: 1209600,
  size: 42,
} as WireCookie;
const row = (rows: ReturnType<typeof rowsFor>, label: string) => rows.find((r) => r[0] === label)!;

describe('U14 cookie pane details', () => {
  it('an attribute the Set-Cookie leaves out is ✗ like the browser side, not —', () => {
    expect(row(rowsFor(browser, server, false), 'Secure').slice(1, 3)).toEqual(['✗', '✗']);
  });

  it('SameSite reads "Lax" on both sides', () => {
    expect(row(rowsFor(browser, server, false), 'SameSite').slice(1, 3)).toEqual(['Lax', 'Lax']);
  });

  it('"Store 0" says it is the default jar', () => {
    expect(row(rowsFor(browser, server, false), 'Store')[1]).toBe('0 (default cookie jar)');
    expect(storeText('firefox-container-2')).toContain('container');
  });

  it('"show value" reveals the key and says why the server column keeps a handle', () => {
    const value = row(rowsFor(browser, server, true), 'Value');
    expect(value[1]).toBe(browser.value);
    expect(value[2]).toContain('never sends the key');
  });

  it("Django's testcookie is not redacted as a secret; other cookie-ish keys still are", () => {
    const redact = createRedactor(undefined);
    expect(redact('testcookie')).toBe(false);
    expect(redact('auth_cookie')).toBe(true);
    expect(redact('cookie')).toBe(true);
  });
});

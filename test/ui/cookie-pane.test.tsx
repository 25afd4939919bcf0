// @vitest-environment happy-dom
/**
 * U14 small cookie-pane fixes: ✗ on both sides, SameSite casing, the store explained, "show value"
 * consistent; U3 the pane after a cookie.deleted that names the session.
 */
import { cleanup, render, screen } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import type { WireCookie, WireEvent } from '../../server-agent/agent/protocol.js';
import { createRedactor } from '../../server-agent/agent/redact.js';
import { mismatchHints } from '../../extension/client/hints.js';
import { foldEvents } from '../../extension/client/reduce-events.js';
import { initialState } from '../../extension/client/state.js';
import { CookiePane, rowsFor, storeText } from '../../extension/ui/CookiePane.js';
import type { BrowserCookie } from '../../extension/platform/types.js';
import { HANDLE, seq } from './fixtures.js';

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

describe('U3 the cookie pane after the server deleted the cookie (logout, expire-now, clock travel)', () => {
  const cookieEvent = (type: 'cookie.set' | 'cookie.deleted', maxAge: number, at: number): WireEvent =>
    ({
      type,
      at,
      requestId: `r${at}`,
      session: HANDLE,
      cookie: { ...server, value: type === 'cookie.set' ? server.value : '', maxAge },
      header: `sessionid=${type === 'cookie.set' ? '‹h_abc›' : '""'}; Max-Age=${maxAge}; Path=/`,
    }) as WireEvent;

  it('shows the deletion (Max-Age=0), not the old Max-Age, and no "did not keep" warning', () => {
    const start = { ...initialState(0), selected: HANDLE };
    const folded = foldEvents(
      start,
      [seq(1, cookieEvent('cookie.set', 1209600, 1)), seq(2, cookieEvent('cookie.deleted', 0, 2))],
      2,
    ).state;
    const record = folded.cookies[HANDLE]!;
    expect(record.deleted).toBe(true);
    const lookup = { status: 'absent' } as const;
    const hints = mismatchHints({
      origin: 'http://localhost:3000',
      browser: lookup,
      server: record,
      serverExpiresAt: null,
      browserClose: false,
      clockOffsetSeconds: 0,
      storeMissing: true,
    });
    expect(hints.map((h) => h.id)).not.toContain('not-kept');
    render(<CookiePane lookup={lookup} server={record} hints={hints} />);
    expect(screen.getByRole('columnheader', { name: /Server Set-Cookie \(deleted\)/ })).toBeDefined();
    const expires = screen.getByRole('row', { name: /Expires/ }).textContent ?? '';
    expect(expires).toContain('Max-Age=0');
    expect(expires).not.toContain('1209600');
    cleanup();
  });
});

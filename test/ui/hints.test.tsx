// @vitest-environment happy-dom
/** Mismatch hints: each case the issue lists, as a rule and as rendered in the cookie pane. */
import { cleanup, render } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import type { WireCookie } from '../../server-agent/agent/protocol.js';
import { type HintInput, mismatchHints } from '../../extension/client/hints.js';
import type { BrowserCookie } from '../../extension/platform/types.js';
import { CookiePane } from '../../extension/ui/CookiePane.js';

afterEach(cleanup);

const NOW = 1_700_000_000_000;
const browserCookie = (over: Partial<BrowserCookie> = {}): BrowserCookie => ({
  name: 'sessionid',
  value: 'k'.repeat(32),
  domain: 'localhost',
  hostOnly: true,
  path: '/',
  secure: false,
  httpOnly: true,
  sameSite: 'lax',
  session: false,
  expirationDate: (NOW + 3_600_000) / 1000,
  storeId: '0',
  ...over,
});
const serverCookie = (over: Partial<WireCookie> = {}): WireCookie => ({
  name: 'sessionid',
  value: '‹h_abc›',
  maxAge: 3600,
  path: '/',
  httpOnly: true,
  sameSite: 'Lax',
  size: 41,
  ...over,
});
const input = (over: Partial<HintInput> = {}): HintInput => ({
  origin: 'http://localhost:3000',
  browser: { status: 'found', cookie: browserCookie() },
  server: { cookie: serverCookie(), header: 'sessionid=…', deleted: false, at: NOW },
  serverExpiresAt: NOW + 3_600_000,
  browserClose: false,
  clockOffsetSeconds: 0,
  storeMissing: false,
  ...over,
});
const ids = (over: Partial<HintInput>) => mismatchHints(input(over)).map((h) => h.id);

describe('mismatch hints', () => {
  it('stays quiet when browser and server agree', () => {
    expect(ids({})).toEqual([]);
  });
  it('flags a Secure cookie on http', () => {
    expect(
      ids({ server: { cookie: serverCookie({ secure: true }), header: '', deleted: false, at: NOW } }),
    ).toContain('secure-on-http');
  });
  it('flags SameSite=None without Secure', () => {
    expect(
      ids({ server: { cookie: serverCookie({ sameSite: 'None' }), header: '', deleted: false, at: NOW } }),
    ).toContain('samesite-none-insecure');
  });
  it('flags a cookie over 4096 bytes', () => {
    expect(
      ids({ server: { cookie: serverCookie({ size: 4097 }), header: '', deleted: false, at: NOW } }),
    ).toContain('too-big');
    expect(
      ids({ server: { cookie: serverCookie({ size: 4096 }), header: '', deleted: false, at: NOW } }),
    ).not.toContain('too-big');
  });
  it('flags server expiry ≠ cookie expiry, allowing for clock travel', () => {
    expect(ids({ serverExpiresAt: NOW + 7_200_000, server: null })).toContain('expiry-mismatch');
    // Travelled +1 day: the server's expiry is a day later on the session clock, the cookie is not wrong.
    expect(ids({ serverExpiresAt: NOW + 86_400_000 + 3_600_000, clockOffsetSeconds: 86_400 })).toEqual([]);
  });
  it('U6 after an edit from the panel (saved, no response yet) the expiry gap is explained, not a warning', () => {
    const hints = mismatchHints(input({ serverExpiresAt: NOW + 3_600_000 + 90_000 }));
    expect(hints.map((h) => [h.id, h.level])).toEqual([['expiry-moved-on', 'info']]);
    // A cookie that is not the last Set-Cookie (set with another Max-Age) still warns.
    const other = { cookie: serverCookie({ maxAge: 60 }), header: '', deleted: false, at: NOW };
    expect(ids({ serverExpiresAt: NOW + 3_600_000 + 90_000, server: other })).toContain('expiry-mismatch');
  });
  it('flags a cookie the store no longer knows', () => {
    expect(ids({ storeMissing: true })).toEqual(['unknown-to-store']);
  });
  it('flags a cookie hidden for lack of permission, and one the browser did not keep', () => {
    expect(ids({ browser: { status: 'no-permission', origin: 'http://dev.test' } })).toContain(
      'no-permission',
    );
    expect(ids({ browser: { status: 'absent' } })).toContain('not-kept');
  });
  it('renders hints and every browser attribute beside the server one', () => {
    const lookup = {
      status: 'found' as const,
      cookie: browserCookie({
        partitionKey: { topLevelSite: 'http://localhost', hasCrossSiteAncestor: false },
      }),
    };
    const server = {
      cookie: serverCookie({ secure: true }),
      header: 'sessionid=‹h_abc›; Max-Age=3600; Secure',
      deleted: false,
      at: NOW,
    };
    const hints = mismatchHints(input({ browser: lookup, server }));
    const { container, getByText } = render(<CookiePane lookup={lookup} server={server} hints={hints} />);
    expect(container.querySelector('[data-hint="secure-on-http"]')).toBeTruthy();
    expect(getByText('http://localhost')).toBeTruthy();
    expect(getByText('‹32 chars, hidden›')).toBeTruthy();
    expect(container.querySelector('.raw-header')?.textContent).toContain('Max-Age=3600; Secure');
  });
});

/**
 * The browser's session cookie beside the Set-Cookie the server last wrote, with mismatch hints;
 * in the DevTools panel the browser cookie itself can be edited or deleted (CookieEditor.tsx).
 */
import { useState } from 'preact/hooks';
import type { WireCookie } from '../../server-agent/agent/protocol.js';
import { cookieBytes, type Hint } from '../client/hints.js';
import type { CookieRecord } from '../client/state.js';
import type { BrowserCookie, CookieLookup, Platform } from '../platform/types.js';
import { CookieDelete, CookieEditor } from './CookieEditor.js';
import { formatDate } from './format.js';
import './cookie.css';

export interface CookiePaneProps {
  lookup: CookieLookup;
  server: CookieRecord | null;
  hints: Hint[];
  onGrant?: (() => void) | undefined;
  /** The inspected origin, where an edited cookie is written back. */
  origin?: string | null;
  /** Where the cookie is written: only the DevTools panel's platform has a cookies API. */
  platform?: Platform;
}

/** label, browser text, server text, and whether the two sides disagree (only when both are known). */
type Row = [label: string, browser: string, server: string, differs: boolean];

function browserExpiry(c: BrowserCookie): string {
  return c.session || c.expirationDate === undefined ? 'Session' : formatDate(c.expirationDate * 1000);
}

function serverExpiry(c: WireCookie): string {
  if (c.maxAge !== undefined) return `Max-Age=${c.maxAge}${c.expires ? ` (${c.expires})` : ''}`;
  return c.expires ?? 'Session';
}

const flag = (v: boolean | undefined): string => (v === undefined ? '—' : v ? '✓' : '✗');
/** A Set-Cookie without the attribute means "off": ✗ like the browser column, not "unknown". */
const serverFlag = (s: WireCookie | null, v: boolean | undefined): string => (s ? flag(Boolean(v)) : '—');

/** The cookies API's lower-case SameSite in the Set-Cookie spelling the server column uses. */
const SAME_SITE: Record<BrowserCookie['sameSite'], string> = {
  no_restriction: 'None',
  lax: 'Lax',
  strict: 'Strict',
  unspecified: '(not set: the browser treats it as Lax)',
};

/** Chrome's store "0" and Firefox's "firefox-default" are the ordinary jar; say which one it is. */
export function storeText(id: string): string {
  if (id === '0' || id === 'firefox-default') return `${id} (default cookie jar)`;
  if (id === '1' || id === 'firefox-private') return `${id} (private / incognito jar)`;
  if (id.startsWith('firefox-container-')) return `${id} (container tab)`;
  return id;
}

export function rowsFor(browser: BrowserCookie | null, server: WireCookie | null, reveal: boolean): Row[] {
  const b = browser;
  const s = server;
  const both = Boolean(b && s);
  const value = b ? (reveal ? b.value : `‹${b.value.length} chars, hidden›`) : '—';
  const serverExpiryMs = s?.maxAge !== undefined ? null : s?.expires ? Date.parse(s.expires) : null;
  const browserExpiryMs = b?.expirationDate === undefined ? null : b.expirationDate * 1000;
  const sessionCookieDiffers =
    Boolean(s && b) && (s!.maxAge === undefined && !s!.expires) !== (b!.session || browserExpiryMs === null);
  const expiryDiffers =
    sessionCookieDiffers ||
    (serverExpiryMs !== null &&
      browserExpiryMs !== null &&
      Math.abs(serverExpiryMs - browserExpiryMs) > 5_000);
  const browserSameSite = b
    ? ({ no_restriction: 'none', lax: 'lax', strict: 'strict', unspecified: '' } as const)[b.sameSite]
    : '';
  // The agent never sends keys: with "show value" the server side says why it still shows a handle.
  const serverValue = s ? (reveal ? `${s.value} (handle: the server never sends the key)` : s.value) : '—';
  return [
    ['Name', b?.name ?? '—', s?.name ?? '—', both && b!.name !== s!.name],
    ['Value', value, serverValue, false],
    [
      'Domain',
      b ? `${b.domain}${b.hostOnly ? ' (host-only)' : ''}` : '—',
      s?.domain ?? (s ? '(host-only)' : '—'),
      both && (s!.domain === undefined) !== b!.hostOnly,
    ],
    ['Path', b?.path ?? '—', s?.path ?? '—', both && (s!.path ?? '/') !== b!.path],
    ['Expires / Max-Age', b ? browserExpiry(b) : '—', s ? serverExpiry(s) : '—', both && expiryDiffers],
    [
      'Size',
      b ? `${cookieBytes(b.name, b.value)} B` : '—',
      s ? `${s.size} B` : '—',
      both && cookieBytes(b!.name, b!.value) !== s!.size,
    ],
    ['HttpOnly', flag(b?.httpOnly), serverFlag(s, s?.httpOnly), both && Boolean(s!.httpOnly) !== b!.httpOnly],
    ['Secure', flag(b?.secure), serverFlag(s, s?.secure), both && Boolean(s!.secure) !== b!.secure],
    [
      'SameSite',
      b ? SAME_SITE[b.sameSite] : '—',
      s?.sameSite ?? (s ? '(none)' : '—'),
      both && (s!.sameSite ?? '').toLowerCase() !== browserSameSite,
    ],
    [
      'Partition key site',
      b?.partitionKey?.topLevelSite ?? (b ? '(unpartitioned)' : '—'),
      s ? (s.partitioned ? 'Partitioned' : '—') : '—',
      both && Boolean(s!.partitioned) !== Boolean(b!.partitionKey),
    ],
    ['Cross-site ancestor', b?.partitionKey ? flag(b.partitionKey.hasCrossSiteAncestor) : '—', '—', false],
    ['Store', b ? storeText(b.storeId) : '—', '—', false],
  ];
}

export function CookiePane({ lookup, server, hints, onGrant, origin, platform }: CookiePaneProps) {
  const [reveal, setReveal] = useState(false);
  const [change, setChange] = useState<'edit' | 'delete' | null>(null);
  const browser = lookup.status === 'found' ? lookup.cookie : null;
  const serverCookie = server?.cookie ?? null;
  const inPanel = platform?.kind === 'extension';
  const browserLabel =
    lookup.status === 'unavailable'
      ? inPanel
        ? 'Browser (not read yet)'
        : 'Browser (open the DevTools panel to read the jar)'
      : lookup.status === 'no-permission'
        ? 'Browser (no permission)'
        : lookup.status === 'absent'
          ? 'Browser (no cookie)'
          : 'Browser';
  return (
    <section class="pane" aria-label="Cookie">
      <header class="pane-head">
        <h2>Cookie</h2>
        {browser && (
          <button type="button" class="link" onClick={() => setReveal(!reveal)}>
            {reveal ? 'hide value' : 'show value'}
          </button>
        )}
        {browser && inPanel && origin && change === null && (
          <>
            <button type="button" class="link" onClick={() => setChange('edit')}>
              edit cookie
            </button>
            <button type="button" class="link" onClick={() => setChange('delete')}>
              delete cookie
            </button>
          </>
        )}
        {platform?.kind === 'standalone' && (
          <span class="muted" data-testid="cookie-readonly">
            The inspector has no cookies API: edit or delete the browser cookie from the DevTools panel.
          </span>
        )}
        {lookup.status === 'no-permission' && onGrant && (
          <button type="button" onClick={onGrant}>
            Grant host access
          </button>
        )}
      </header>
      {browser && origin && platform && change === 'edit' && (
        <CookieEditor cookie={browser} origin={origin} platform={platform} onClose={() => setChange(null)} />
      )}
      {browser && origin && platform && change === 'delete' && (
        <CookieDelete cookie={browser} origin={origin} platform={platform} onClose={() => setChange(null)} />
      )}
      {hints.length > 0 && (
        <ul class="hints">
          {hints.map((h) => (
            <li key={h.id} class={`hint ${h.level}`} data-hint={h.id}>
              {h.text}
            </li>
          ))}
        </ul>
      )}
      <table class="grid cookie-grid">
        <thead>
          <tr>
            <th>Attribute</th>
            <th>{browserLabel}</th>
            <th>Server Set-Cookie{server?.deleted ? ' (deleted)' : ''}</th>
          </tr>
        </thead>
        <tbody>
          {rowsFor(browser, serverCookie, reveal).map(([label, b, s, differs]) => (
            <tr key={label} class={differs ? 'differs' : ''}>
              <th scope="row">{label}</th>
              <td>{b}</td>
              <td>{s}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {server && (
        <div
          class="raw-header"
          title="The Set-Cookie header as the server wrote it (key shown as its handle)"
        >
          <code>Set-Cookie: {server.header}</code>
        </div>
      )}
    </section>
  );
}

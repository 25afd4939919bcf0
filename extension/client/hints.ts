/**
 * Mismatch hints: what the browser kept versus what the server wrote, explained. Only a tool that
 * sees both sides can say why they differ (devtools.md §9.6).
 */
import type { CookieLookup } from '../platform/types.js';
import type { CookieRecord } from './state.js';

export interface Hint {
  id:
    | 'secure-on-http'
    | 'samesite-none-insecure'
    | 'too-big'
    | 'expiry-mismatch'
    | 'expiry-moved-on'
    | 'unknown-to-store'
    | 'no-permission'
    | 'not-kept';
  level: 'warn' | 'error' | 'info';
  text: string;
}

export interface HintInput {
  /** Origin of the inspected page, e.g. http://localhost:3000. */
  origin: string | null;
  browser: CookieLookup;
  /** The Set-Cookie the agent last wrote for the session, if any. */
  server: CookieRecord | null;
  /** Session expiry per the server (session clock, ms), null for browser-close. */
  serverExpiresAt: number | null;
  browserClose: boolean;
  /** Virtual clock offset: the browser counts Max-Age from real time. */
  clockOffsetSeconds: number;
  /** The store no longer has the session the cookie names. */
  storeMissing: boolean;
}

/** Browsers drop a cookie whose name + value exceed 4096 bytes (RFC 6265bis §5.6). */
export const COOKIE_BYTES_LIMIT = 4096;
/** Expiry differences under this are rounding (Max-Age seconds, request latency). */
const EXPIRY_TOLERANCE_MS = 5_000;

/** Bytes of `name=value`, counted the way the agent reports `size`. */
export function cookieBytes(name: string, value: string): number {
  return new TextEncoder().encode(`${name}=${value}`).length;
}

export function mismatchHints(input: HintInput): Hint[] {
  const hints: Hint[] = [];
  const { browser, server } = input;
  const onHttp = input.origin?.startsWith('http:') ?? false;
  const browserCookie = browser.status === 'found' ? browser.cookie : null;
  const secure = server?.cookie.secure ?? browserCookie?.secure ?? false;

  if (browser.status === 'no-permission') {
    hints.push({
      id: 'no-permission',
      level: 'warn',
      text: `Cookie not visible to the extension: grant host access to ${browser.origin} (http and https) — the browser may still send it.`,
    });
  }
  if (secure && onHttp) {
    hints.push({
      id: 'secure-on-http',
      level: 'warn',
      text: 'Secure cookie on http://: Chromium keeps it on localhost only; Firefox and Safari drop it. Use https or SESSION_COOKIE_SECURE=false in development.',
    });
  }
  const sameSite =
    server?.cookie.sameSite?.toLowerCase() ?? (browserCookie?.sameSite === 'no_restriction' ? 'none' : '');
  if (sameSite === 'none' && !secure) {
    hints.push({
      id: 'samesite-none-insecure',
      level: 'error',
      text: 'SameSite=None without Secure: browsers reject this cookie. Add Secure (SESSION_COOKIE_SECURE) or use Lax.',
    });
  }
  const size =
    server?.cookie.size ?? (browserCookie ? cookieBytes(browserCookie.name, browserCookie.value) : 0);
  if (size > COOKIE_BYTES_LIMIT) {
    hints.push({
      id: 'too-big',
      level: 'error',
      text: `Cookie is ${size} bytes, over the ${COOKIE_BYTES_LIMIT}-byte limit: browsers drop it. Move data to a server-side store.`,
    });
  }
  if (browserCookie && input.storeMissing) {
    hints.push({
      id: 'unknown-to-store',
      level: 'warn',
      text: 'The browser holds a session cookie the store no longer knows (expired or deleted server-side): the next request starts an empty session.',
    });
  }
  if (server && !server.deleted && browser.status === 'absent') {
    hints.push({
      id: 'not-kept',
      level: 'error',
      text: 'The server wrote a session cookie the browser did not keep (rejected attributes, domain mismatch or already expired).',
    });
  }
  if (browserCookie && !input.storeMissing) {
    const expiryHint = compareExpiry(browserCookie.expirationDate, input);
    if (expiryHint) hints.push(expiryHint);
  }
  return hints;
}

function compareExpiry(browserSeconds: number | undefined, input: HintInput): Hint | null {
  if (input.browserClose) {
    return browserSeconds === undefined
      ? null
      : {
          id: 'expiry-mismatch',
          level: 'warn',
          text: 'Server expires the session at browser close, but the cookie is persistent.',
        };
  }
  if (input.serverExpiresAt === null) return null;
  if (browserSeconds === undefined) {
    return {
      id: 'expiry-mismatch',
      level: 'warn',
      text: 'The cookie is a browser-session cookie, but the server expects a fixed expiry.',
    };
  }
  // Max-Age counts from the browser's real clock; the server's expiry is on the (virtual) session clock.
  const serverRealMs = input.serverExpiresAt - input.clockOffsetSeconds * 1000;
  const diff = browserSeconds * 1000 - serverRealMs;
  if (Math.abs(diff) <= EXPIRY_TOLERANCE_MS) return null;
  // The cookie is exactly the last Set-Cookie, and the session was saved since without a response
  // (an inspector edit): the server's expiry moved on, the cookie follows on the next saving response.
  const last = input.server;
  if (diff < 0 && last && !last.deleted && last.cookie.maxAge !== undefined) {
    const sentExpiryMs = last.at - input.clockOffsetSeconds * 1000 + last.cookie.maxAge * 1000;
    if (Math.abs(sentExpiryMs - browserSeconds * 1000) <= EXPIRY_TOLERANCE_MS)
      return {
        id: 'expiry-moved-on',
        level: 'info',
        text: `The server session was saved after its last Set-Cookie (e.g. an edit from here), so it now outlives the cookie by ${formatDuration(-diff / 1000)}; the next response that saves the session sends the new expiry.`,
      };
  }
  const direction = diff > 0 ? 'outlives' : 'expires before';
  return {
    id: 'expiry-mismatch',
    level: 'warn',
    text: `Cookie ${direction} the server session by ${formatDuration(Math.abs(diff) / 1000)} (server expiry ≠ cookie expiry).`,
  };
}

export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.round(totalSeconds));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d) return `${d}d ${h}h ${m}m`;
  if (h) return `${h}h ${m}m ${sec}s`;
  if (m) return `${m}m ${sec}s`;
  return `${sec}s`;
}

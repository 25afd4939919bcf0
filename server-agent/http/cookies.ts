/**
 * Cookie headers through the `cookie` package: reading the session cookie, writing and deleting
 * it with Django's attributes, and merging Vary. Sizes are checked here because browsers drop
 * oversized cookies without a word.
 */
import { parse, serialize } from 'cookie';
import type { CookieAttributes } from '../sessions/events.js';
import { CookieTooLarge } from '../sessions/errors.js';
import type { SessionSettings } from '../sessions/settings.js';
import { cookieIsSecure } from './secure.js';

export const MAX_COOKIE_BYTES = 4096;
/** RFC 6265bis: browsers cap cookie lifetimes at 400 days. */
export const MAX_COOKIE_AGE = 34_560_000;
const EPOCH = new Date(0);

/**
 * The session cookie's value, or undefined. With duplicates the first wins (the `cookie` package's
 * rule): the browser lists the most specific, oldest cookie first, which defeats cookie tossing
 * from a sibling subdomain. Django takes the last one.
 */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header?.includes(name)) return undefined;
  const value = parse(header)[name];
  return value === undefined || value.length > MAX_COOKIE_BYTES ? undefined : value;
}

export interface WrittenCookie {
  header: string;
  attributes: CookieAttributes;
}

/**
 * Set-Cookie for the session; maxAge undefined means a browser-session cookie. `requestSecure` is
 * whether this request came over https, which decides Secure under SESSION_COOKIE_SECURE: 'auto'.
 */
export function sessionCookie(
  settings: Readonly<SessionSettings>,
  value: string,
  maxAge: number | undefined,
  nowMs: number,
  requestSecure = false,
): WrittenCookie {
  const name = settings.sessionCookieName;
  const size = Buffer.byteLength(name) + 1 + Buffer.byteLength(value);
  if (size > MAX_COOKIE_BYTES) {
    throw new CookieTooLarge(
      name,
      size,
      MAX_COOKIE_BYTES,
      'Keep less in the session, or use a server-side engine (db, cache, file) instead of signed_cookies.',
    );
  }
  // RFC 6265bis Max-Age is 1*DIGIT: an already-expired session is written as Max-Age=0, never negative.
  const age = maxAge === undefined ? undefined : Math.max(0, Math.min(Math.trunc(maxAge), MAX_COOKIE_AGE));
  const expires = age === undefined ? undefined : new Date(nowMs + age * 1000);
  const attributes: CookieAttributes = {
    name,
    value,
    maxAge: age,
    expires: expires && utcString(expires),
    domain: settings.sessionCookieDomain ?? undefined,
    path: settings.sessionCookiePath,
    secure: cookieIsSecure(settings, requestSecure) || undefined,
    httpOnly: settings.sessionCookieHttponly || undefined,
    sameSite: settings.sessionCookieSamesite || undefined,
    size,
  };
  return { header: renderSession(settings, attributes, expires), attributes };
}

/** What the `cookie` package's value check accepts (cookie-octet, RFC 6265 §4.1.1, plus `"`, `,`, `\\`). */
const COOKIE_VALUE = /^[\u0021-\u003A\u003C-\u007E]*$/;

interface CookieParts {
  /** `name=`, the name checked once by the `cookie` package. */
  head: string;
  /** `; Domain=…; Path=…` as the package writes them (checked once). */
  place: string;
  /** `; HttpOnly; Secure; SameSite=…`, by Secure or not. */
  flags: [insecure: string, secure: string];
}
const partsBySettings = new WeakMap<Readonly<SessionSettings>, CookieParts>();
const tail = (options: Parameters<typeof serialize>[2]) => serialize('x', '', options).slice(2);

/**
 * The session cookie as `serialize` writes it, byte for byte, with the parts fixed by the settings
 * rendered (and validated) once per settings object instead of on every response.
 */
function renderSession(
  settings: Readonly<SessionSettings>,
  a: CookieAttributes,
  expires: Date | undefined,
): string {
  let parts = partsBySettings.get(settings);
  if (!parts) {
    const sameSite = a.sameSite ? (a.sameSite.toLowerCase() as 'lax' | 'strict' | 'none') : undefined;
    const flags = (secure: boolean) => tail({ httpOnly: a.httpOnly, secure, sameSite });
    parts = {
      head: `${serialize(a.name, '')}`,
      place: tail({ domain: a.domain, path: a.path }),
      flags: [flags(false), flags(true)],
    };
    partsBySettings.set(settings, parts);
  }
  // Anything unusual goes through the package, with its own error.
  const odd =
    !COOKIE_VALUE.test(a.value) ||
    (a.maxAge !== undefined && !Number.isInteger(a.maxAge)) ||
    (expires !== undefined && !Number.isFinite(expires.getTime()));
  if (odd) return render(a, expires);
  let header = parts.head + a.value;
  if (a.maxAge !== undefined) header += `; Max-Age=${a.maxAge}`;
  header += parts.place;
  if (a.expires) header += `; Expires=${a.expires}`;
  return header + parts.flags[a.secure ? 1 : 0];
}

let lastSecond = Number.NaN;
let lastUtc = '';
/** toUTCString drops the milliseconds, so one string serves a whole second. */
function utcString(date: Date): string {
  const second = Math.floor(date.getTime() / 1000);
  if (second !== lastSecond) {
    lastSecond = second;
    lastUtc = date.toUTCString();
  }
  return lastUtc;
}

/** Django's delete_cookie: empty value, Max-Age=0, the epoch, same path and domain, no HttpOnly. */
export function deletionCookie(settings: Readonly<SessionSettings>, requestSecure = false): WrittenCookie {
  const name = settings.sessionCookieName;
  const lower = name.toLowerCase();
  const secure =
    lower.startsWith('__secure-') ||
    lower.startsWith('__host-') ||
    settings.sessionCookieSamesite === 'None' ||
    cookieIsSecure(settings, requestSecure);
  const attributes: CookieAttributes = {
    name,
    value: '',
    maxAge: 0,
    expires: EPOCH.toUTCString(),
    domain: settings.sessionCookieDomain ?? undefined,
    path: settings.sessionCookiePath,
    secure: secure || undefined,
    sameSite: settings.sessionCookieSamesite || undefined,
    size: Buffer.byteLength(name) + 1,
  };
  return { header: render(attributes, EPOCH), attributes };
}

function render(a: CookieAttributes, expires: Date | undefined): string {
  return serialize(a.name, a.value, {
    maxAge: a.maxAge,
    expires,
    domain: a.domain,
    path: a.path,
    secure: a.secure,
    httpOnly: a.httpOnly,
    sameSite: a.sameSite ? (a.sameSite.toLowerCase() as 'lax' | 'strict' | 'none') : undefined,
    encode: (value) => value,
  });
}

/** Django's patch_vary_headers: append missing names case-insensitively; `*` swallows everything. */
export function mergeVary(
  existing: string | number | readonly string[] | undefined,
  ...names: string[]
): string {
  // The common case (the app set no Vary): nothing to parse.
  if (existing === undefined && names.length === 1) return names[0] as string;
  const current = (
    Array.isArray(existing) ? existing.join(',') : existing === undefined ? '' : String(existing)
  )
    .split(/\s*,\s*/)
    .filter(Boolean);
  const seen = new Set(current.map((name) => name.toLowerCase()));
  for (const name of names) {
    if (!seen.has(name.toLowerCase())) {
      current.push(name);
      seen.add(name.toLowerCase());
    }
  }
  return seen.has('*') ? '*' : current.join(', ');
}

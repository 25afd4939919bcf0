/**
 * Is this request https? What `SESSION_COOKIE_SECURE: 'auto'` asks per request, behind a
 * TLS-terminating proxy too, and only as far as the app trusts that proxy: a forwarded-proto header
 * anyone can send must never make the cookie Secure (or not) on its own say-so.
 *
 * Sources, any of which is enough:
 * - the connection itself is TLS;
 * - the framework says so under its own trust-proxy rules: Express's `req.secure` (`app.set('trust
 *   proxy', …)`), Koa's `ctx.secure` (`app.proxy = true`), Fastify's `request.protocol`
 *   (`trustProxy`);
 * - Django's SECURE_PROXY_SSL_HEADER, e.g. ['X-Forwarded-Proto', 'https'], for node:http, Hono and
 *   anyone who prefers Django's setting: the header's first value must equal the second item.
 */
import type { SessionSettings } from '../sessions/settings.js';

export interface SecureSignals {
  /** The socket is TLS (`req.socket.encrypted`). */
  encrypted?: boolean;
  /** The framework's own trust-proxy-aware answer, where it has one. */
  framework?: boolean;
  /** Reads a request header (lower-case name); for SECURE_PROXY_SSL_HEADER. */
  header?: (name: string) => string | string[] | undefined | null;
}

export function isSecureRequest(settings: Readonly<SessionSettings>, signals: SecureSignals): boolean {
  if (signals.encrypted || signals.framework) return true;
  const rule = settings.secureProxySslHeader;
  if (!rule || !signals.header) return false;
  const raw = signals.header(rule.header);
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (typeof value !== 'string') return false;
  // Django 4.1+: with several proxies the header holds a list, and the leftmost is the client's.
  const comma = value.indexOf(',');
  return (comma === -1 ? value : value.slice(0, comma)).trim() === rule.value;
}

/** The Secure attribute for this response's session cookie. */
export function cookieIsSecure(settings: Readonly<SessionSettings>, requestSecure: boolean): boolean {
  return settings.sessionCookieSecure === 'auto' ? requestSecure : settings.sessionCookieSecure;
}

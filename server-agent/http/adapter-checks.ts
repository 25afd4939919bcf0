/** Registration-time checks shared by the framework adapters: misuse fails loudly, once. */
import { ImproperlyConfigured } from '../sessions/errors.js';
import { createLogger } from '../sessions/log.js';
import type { SessionManager } from '../sessions/manager.js';
import { isSecureRequest, type SecureSignals } from './secure.js';

const log = createLogger('sessionscope:http');

/** Throws unless `sessions` is what createSessions() returned. */
export function assertSessions(sessions: unknown, adapter: string): asserts sessions is SessionManager {
  const candidate = sessions as Partial<SessionManager> | null | undefined;
  if (!candidate || typeof candidate.open !== 'function' || !candidate.settings || !candidate.store) {
    throw new ImproperlyConfigured(
      `${adapter}(sessions) needs the object createSessions() returns, got ${candidate === null ? 'null' : typeof candidate}. Write: const sessions = createSessions({...}); then ${adapter}(sessions).`,
    );
  }
}

/**
 * Whether each request is https (for SESSION_COOKIE_SECURE: 'auto'), and two mistakes said once per
 * process rather than on every request (or never): SESSION_COOKIE_SECURE on a plain-http request
 * (the browser drops the cookie, every request looks anonymous), and 'auto' behind a proxy the app
 * does not trust (the proxy says https, yet the cookie goes out without Secure). Null when no
 * request needs asking (SESSION_COOKIE_SECURE false): the request is then never secure.
 */
export function secureRequestChecker(sessions: SessionManager): ((signals: SecureSignals) => boolean) | null {
  const { settings } = sessions;
  // Only 'auto' needs the answer for the cookie; true needs it until it has warned, false never
  // (null: the adapter skips gathering the signals, e.g. Express's trust-proxy-aware req.secure).
  if (settings.sessionCookieSecure === false) return null;
  let warnedPlain = settings.sessionCookieSecure !== true;
  let warnedUntrusted = settings.sessionCookieSecure !== 'auto';
  return (signals) => {
    if (warnedPlain && settings.sessionCookieSecure === true) return true;
    const secure = isSecureRequest(settings, signals);
    if (secure || (warnedPlain && warnedUntrusted)) return secure;
    const proto = signals.header?.('x-forwarded-proto');
    const forwardedHttps = (Array.isArray(proto) ? proto[0] : proto)?.split(',', 1)[0]?.trim() === 'https';
    if (!warnedPlain && !forwardedHttps) {
      warnedPlain = true;
      log.warn(
        "SESSION_COOKIE_SECURE is on but this request came over plain http, so browsers will not store the session cookie. Serve over https (behind a proxy, check X-Forwarded-Proto), use SESSION_COOKIE_SECURE: 'auto', or turn it off in development.",
      );
    }
    if (!warnedUntrusted && forwardedHttps) {
      warnedUntrusted = true;
      log.warn(
        "SESSION_COOKIE_SECURE is 'auto' and this request says X-Forwarded-Proto: https, but the app does not trust its proxy, so the session cookie went out without Secure. Trust the proxy: Express app.set('trust proxy', 1), Koa app.proxy = true, Fastify({ trustProxy: true }), or SECURE_PROXY_SSL_HEADER: ['X-Forwarded-Proto', 'https'] (only behind a proxy that sets it).",
      );
    }
    return secure;
  };
}

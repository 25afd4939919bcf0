/** Registration-time checks shared by the framework adapters: misuse fails loudly, once. */
import { ImproperlyConfigured } from '../sessions/errors.js';
import { createLogger } from '../sessions/log.js';
import type { SessionManager } from '../sessions/manager.js';

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
 * SESSION_COOKIE_SECURE on a plain-http request: the browser drops the cookie and every request
 * looks anonymous. Said once per process rather than on every request (or never).
 */
export function secureCookieOnPlainHttpWarner(sessions: SessionManager): (encrypted: boolean) => void {
  let warned = !sessions.settings.sessionCookieSecure;
  return (encrypted) => {
    if (warned || encrypted) return;
    warned = true;
    log.warn(
      'SESSION_COOKIE_SECURE is on but this request came over plain http, so browsers will not store the session cookie. Serve over https (behind a proxy, check X-Forwarded-Proto), or turn SESSION_COOKIE_SECURE off in development.',
    );
  };
}

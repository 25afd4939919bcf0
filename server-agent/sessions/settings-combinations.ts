/**
 * Checks across settings, after each one passed on its own: pairs that browsers would refuse or
 * that would make the server and the cookie disagree.
 */
import { ImproperlyConfigured } from './errors.js';
import type { SessionSettings } from './settings-types.js';

export function checkCombinations(s: SessionSettings): void {
  const lower = s.sessionCookieName.toLowerCase();
  // 'auto' passes: on https the cookie is Secure; on plain http the browser drops it, as in development without TLS.
  if (s.sessionCookieSamesite === 'None' && !s.sessionCookieSecure) {
    throw new ImproperlyConfigured(
      'SESSION_COOKIE_SAMESITE="None" needs SESSION_COOKIE_SECURE=true: browsers drop SameSite=None cookies without Secure.',
    );
  }
  if ((lower.startsWith('__secure-') || lower.startsWith('__host-')) && !s.sessionCookieSecure) {
    throw new ImproperlyConfigured(
      `SESSION_COOKIE_NAME ${JSON.stringify(s.sessionCookieName)} has a __Secure-/__Host- prefix, so browsers only accept it with SESSION_COOKIE_SECURE=true.`,
    );
  }
  if (lower.startsWith('__host-') && (s.sessionCookieDomain !== null || s.sessionCookiePath !== '/')) {
    throw new ImproperlyConfigured(
      'A __Host- cookie needs SESSION_COOKIE_DOMAIN=null and SESSION_COOKIE_PATH="/"; browsers reject it otherwise.',
    );
  }
  if (s.sessionCookieAge > 34_560_000) {
    throw new ImproperlyConfigured(
      `SESSION_COOKIE_AGE ${s.sessionCookieAge} is over 400 days (34560000 s); browsers cap cookie lifetimes there, so the server and cookie would disagree.`,
    );
  }
  if (lower === 'csrftoken' || lower === 'django_language') {
    throw new ImproperlyConfigured(
      `SESSION_COOKIE_NAME must differ from Django's CSRF and language cookie names; got ${JSON.stringify(s.sessionCookieName)}.`,
    );
  }
}

/**
 * The two settings whose accepted spellings are rewritten before they are checked: SESSION_ENGINE
 * (Django's dotted paths and dashed names) and SECURE_PROXY_SSL_HEADER (Django's META header name).
 */
import { ImproperlyConfigured } from './errors.js';
import type { EngineName } from './settings-types.js';

const ENGINE_PATHS: Record<string, EngineName> = {
  'django.contrib.sessions.backends.db': 'db',
  'django.contrib.sessions.backends.cache': 'cache',
  'django.contrib.sessions.backends.cached_db': 'cached_db',
  'django.contrib.sessions.backends.file': 'file',
  'django.contrib.sessions.backends.signed_cookies': 'signed_cookies',
};

export function normalizeEngine(value: unknown): unknown {
  if (typeof value !== 'string') {
    // A store instance, or a factory (context) => store such as fromExpressStore(store).
    if (value && (typeof value === 'object' || typeof value === 'function')) return value;
    throw new ImproperlyConfigured(
      `SESSION_ENGINE must be an engine name (db, cache, cached_db, file, signed_cookies), Django's dotted path, a store instance or a store factory; got ${String(value)}.`,
    );
  }
  const name = ENGINE_PATHS[value] ?? value.replace(/-/g, '_');
  if (!Object.values(ENGINE_PATHS).includes(name as EngineName)) {
    throw new ImproperlyConfigured(
      `SESSION_ENGINE ${JSON.stringify(value)} is not an engine. Use one of db, cache, cached_db, file, signed_cookies (or "django.contrib.sessions.backends.<name>").`,
    );
  }
  return name;
}

/** ['HTTP_X_FORWARDED_PROTO', 'https'] (Django's META name) or ['X-Forwarded-Proto', 'https']. */
export function normalizeProxyHeader(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  const [header, expected] = value as unknown[];
  if (
    value.length !== 2 ||
    typeof header !== 'string' ||
    typeof expected !== 'string' ||
    !header ||
    !expected
  )
    return value;
  const name = header
    .replace(/^HTTP_/i, '')
    .replace(/_/g, '-')
    .toLowerCase();
  return /^[!#$%&'*+\-.^`|~0-9a-z]+$/.test(name) ? Object.freeze({ header: name, value: expected }) : value;
}

/**
 * One entry per setting: its Django name, its camelCase name, its default, and how a given value
 * is rewritten (normalize) and checked (check, a "must be …" problem or null). settings.ts walks
 * this table; adding a setting is adding an entry here and a field in settings-types.ts.
 */
import { DEFAULT_DATABASE_URL, parseDatabaseUrl } from './database-url.js';
import { isBool, isNullablePositiveInt, isNullableString, isString, wholeNumber } from './settings-checks.js';
import { normalizeEngine, normalizeProxyHeader } from './settings-normalize.js';
import type { SessionSettings } from './settings-types.js';

export interface Spec {
  django: string;
  camel: keyof SessionSettings;
  default: () => unknown;
  check?: (value: unknown) => string | null;
  normalize?: (value: unknown) => unknown;
}

const JOURNAL_MODES = ['WAL', 'DELETE', 'TRUNCATE', 'PERSIST', 'MEMORY', 'OFF'];

export const SPECS: Spec[] = [
  { django: 'SECRET_KEY', camel: 'secretKey', default: () => '', check: isString },
  {
    django: 'SECRET_KEY_FALLBACKS',
    camel: 'secretKeyFallbacks',
    default: () => [],
    check: (v) =>
      Array.isArray(v) && v.every((k) => typeof k === 'string') ? null : 'must be a list of strings',
  },
  { django: 'SESSION_ENGINE', camel: 'sessionEngine', default: () => 'db', normalize: normalizeEngine },
  {
    django: 'SESSION_COOKIE_NAME',
    camel: 'sessionCookieName',
    default: () => 'sessionid',
    check: (v) =>
      typeof v === 'string' && /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(v)
        ? null
        : "must be a cookie name (an HTTP token: letters, digits and !#$%&'*+-.^_`|~)",
  },
  // 0 is Django's too: every session expires at once (the cookie goes out with Max-Age=0).
  {
    django: 'SESSION_COOKIE_AGE',
    camel: 'sessionCookieAge',
    default: () => 1209600,
    check: wholeNumber('seconds', 0),
  },
  {
    django: 'SESSION_COOKIE_DOMAIN',
    camel: 'sessionCookieDomain',
    default: () => null,
    // Labels of letters, digits and inner hyphens (the `cookie` package's rule): anything else would
    // only fail later, on every response, when the Set-Cookie header is written.
    check: (v) =>
      v === null ||
      (typeof v === 'string' &&
        v.length <= 253 &&
        /^\.?[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i.test(v))
        ? null
        : 'must be a domain such as ".example.com" (labels of letters, digits and inner hyphens, at most 253 characters), or null',
  },
  {
    django: 'SESSION_COOKIE_SECURE',
    camel: 'sessionCookieSecure',
    default: () => false,
    check: (v) =>
      typeof v === 'boolean' || v === 'auto'
        ? null
        : "must be true, false or 'auto' (Secure on https requests only, behind a trusted proxy too)",
  },
  {
    django: 'SECURE_PROXY_SSL_HEADER',
    camel: 'secureProxySslHeader',
    default: () => null,
    normalize: normalizeProxyHeader,
    check: (v) =>
      v === null || (typeof v === 'object' && v !== null && 'header' in v)
        ? null
        : "must be null or a [header, value] pair such as ['X-Forwarded-Proto', 'https'] (Django's ('HTTP_X_FORWARDED_PROTO', 'https') works too)",
  },
  {
    django: 'SESSION_COOKIE_PATH',
    camel: 'sessionCookiePath',
    default: () => '/',
    check: (v) =>
      typeof v === 'string' && /^\/[\x21-\x3a\x3d-\x7e]{0,1023}$/.test(v)
        ? null
        : 'must start with "/", hold no spaces, ";", "<" or control characters (the cookie writer refuses them), and be at most 1024 characters (browsers ignore longer attribute values)',
  },
  { django: 'SESSION_COOKIE_HTTPONLY', camel: 'sessionCookieHttponly', default: () => true, check: isBool },
  {
    django: 'SESSION_COOKIE_SAMESITE',
    camel: 'sessionCookieSamesite',
    default: () => 'Lax',
    normalize: (v) =>
      typeof v === 'string'
        ? (({ lax: 'Lax', strict: 'Strict', none: 'None' } as Record<string, string>)[v.toLowerCase()] ?? v)
        : v,
    check: (v) =>
      v === false || v === 'Lax' || v === 'Strict' || v === 'None'
        ? null
        : 'must be "Lax", "Strict", "None" or false',
  },
  {
    django: 'SESSION_SAVE_EVERY_REQUEST',
    camel: 'sessionSaveEveryRequest',
    default: () => false,
    check: isBool,
  },
  {
    django: 'SESSION_EXPIRE_AT_BROWSER_CLOSE',
    camel: 'sessionExpireAtBrowserClose',
    default: () => false,
    check: isBool,
  },
  {
    django: 'SESSION_SERIALIZER',
    camel: 'sessionSerializer',
    default: () => 'django.contrib.sessions.serializers.JSONSerializer',
    check: (v) =>
      v === 'django.contrib.sessions.serializers.JSONSerializer' ||
      v === 'django.core.signing.JSONSerializer' ||
      v === 'json'
        ? null
        : 'must be JSON ("django.contrib.sessions.serializers.JSONSerializer"); pickle is not supported (it was removed from Django 5.0 as unsafe)',
  },
  { django: 'SESSION_FILE_PATH', camel: 'sessionFilePath', default: () => null, check: isNullableString },
  { django: 'SESSION_CACHE_ALIAS', camel: 'sessionCacheAlias', default: () => 'default', check: isString },
  {
    django: 'CACHES',
    camel: 'caches',
    default: () => ({ default: { BACKEND: 'django.core.cache.backends.locmem.LocMemCache' } }),
    check: (v) =>
      v && typeof v === 'object' && !Array.isArray(v)
        ? null
        : 'must be an object of cache aliases, e.g. { default: { BACKEND: "redis", LOCATION: "redis://127.0.0.1:6379" } }',
  },
  {
    django: 'DATABASE_URL',
    camel: 'databaseUrl',
    default: () => DEFAULT_DATABASE_URL,
    // Parsed now so a wrong scheme or path shape fails at createSessions, not at the first request.
    check: (v) => {
      if (typeof v !== 'string') return 'must be a string';
      parseDatabaseUrl(v);
      return null;
    },
  },
  {
    django: 'SESSION_SQLITE_JOURNAL_MODE',
    camel: 'sessionSqliteJournalMode',
    default: () => null,
    normalize: (v) => (typeof v === 'string' ? v.toUpperCase() : v),
    check: (v) =>
      v === null || (typeof v === 'string' && JOURNAL_MODES.includes(v))
        ? null
        : `must be null (WAL for a database sessionscope creates, an existing one left alone) or one of ${JOURNAL_MODES.join(', ')}`,
  },
  {
    django: 'SESSION_ABSOLUTE_LIFETIME',
    camel: 'sessionAbsoluteLifetime',
    default: () => null,
    check: isNullablePositiveInt,
  },
  {
    django: 'SESSION_IDLE_TIMEOUT',
    camel: 'sessionIdleTimeout',
    default: () => null,
    check: isNullablePositiveInt,
  },
  {
    django: 'SESSION_SAVE_STRATEGY',
    camel: 'sessionSaveStrategy',
    default: () => 'replace',
    check: (v) =>
      v === 'replace' || v === 'merge'
        ? null
        : 'must be "replace" (Django\'s last-writer-wins) or "merge" (per-key merge of concurrent writes)',
  },
  {
    django: 'SESSION_CACHE_VALUE_FORMAT',
    camel: 'sessionCacheValueFormat',
    default: () => 'auto',
    check: (v) =>
      v === 'auto' || v === 'pickle' || v === 'json'
        ? null
        : 'must be "pickle" (what Django\'s Redis cache backends write), "json" (sessionscope\'s own) or "auto" (pickle for a Django Redis BACKEND)',
  },
  {
    django: 'SESSION_AGENT_BUS',
    camel: 'sessionAgentBus',
    default: () => false,
    check: (v) =>
      typeof v === 'boolean' || (typeof v === 'string' && /^(rediss?|postgres(ql)?):\/\/./.test(v))
        ? null
        : "must be false (no bus), true (the store's own Redis or PostgreSQL) or a redis://, rediss:// or postgres:// URL",
  },
  {
    django: 'SESSION_AGENT_DEPLOYMENT',
    camel: 'sessionAgentDeployment',
    default: () => 'default',
    check: (v) =>
      typeof v === 'string' && /^[A-Za-z0-9._-]{1,40}$/.test(v)
        ? null
        : 'must be 1-40 letters, digits, dots, dashes or underscores (it names the bus channel)',
  },
  {
    django: 'SESSION_STORE_TIMEOUT_MS',
    camel: 'storeTimeoutMs',
    default: () => 1000,
    check: wholeNumber('milliseconds', 1),
  },
  {
    django: 'SESSION_ON_STORE_UNAVAILABLE',
    camel: 'onStoreUnavailable',
    default: () => 'fail',
    check: (v) =>
      v === 'fail' || v === 'continue'
        ? null
        : 'must be "fail" (answer 503) or "continue" (go on without a session)',
  },
];

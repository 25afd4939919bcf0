/**
 * Django's SESSION_* settings (and SECRET_KEY, CACHES, a database setting), accepted under the
 * Django name or a camelCase name, normalized, validated with the setting's name and the fix.
 */
import { DEFAULT_DATABASE_URL, databaseUrlFromDjango, parseDatabaseUrl } from './database-url.js';
import { ImproperlyConfigured } from './errors.js';
import { resolveSecretKey } from './secret-key.js';
import {
  closestName,
  describe,
  isBool,
  isNullablePositiveInt,
  isNullableString,
  isString,
  wholeNumber,
} from './settings-checks.js';

export type SameSite = 'Lax' | 'Strict' | 'None' | false;
export type EngineName = 'db' | 'cache' | 'cached_db' | 'file' | 'signed_cookies';

export interface CacheConfig {
  BACKEND?: string;
  backend?: string;
  LOCATION?: string;
  location?: string;
  /** Django's OPTIONS; for Redis: sentinels, name, cluster nodes, timeouts. */
  OPTIONS?: Record<string, unknown>;
  options?: Record<string, unknown>;
  KEY_PREFIX?: string;
  keyPrefix?: string;
  VERSION?: number;
  version?: number;
  TIMEOUT?: number | null;
  timeout?: number | null;
}

export interface SessionSettings {
  secretKey: string;
  secretKeyFallbacks: readonly string[];
  sessionEngine: EngineName | string | object;
  sessionCookieName: string;
  sessionCookieAge: number;
  sessionCookieDomain: string | null;
  /** true, false, or 'auto' (beyond Django: Secure exactly on https requests; see http/secure.ts). */
  sessionCookieSecure: boolean | 'auto';
  /** Django's SECURE_PROXY_SSL_HEADER: the header a trusted proxy sets, and its https value. */
  secureProxySslHeader: { header: string; value: string } | null;
  sessionCookiePath: string;
  sessionCookieHttponly: boolean;
  sessionCookieSamesite: SameSite;
  sessionSaveEveryRequest: boolean;
  sessionExpireAtBrowserClose: boolean;
  sessionSerializer: string;
  sessionFilePath: string | null;
  sessionCacheAlias: string;
  caches: Readonly<Record<string, CacheConfig>>;
  /** `sqlite:path`, a bare path, `:memory:` or `postgres://…`. Django's DATABASES also works. */
  databaseUrl: string;
  /** Extension beyond Django: SQLite journal mode; null = WAL for new databases, existing ones untouched. */
  sessionSqliteJournalMode: string | null;
  /** Extension beyond Django (off by default): a hard cap from creation, in seconds. */
  sessionAbsoluteLifetime: number | null;
  /** Extension beyond Django (off by default): idle seconds after which the server drops a session. */
  sessionIdleTimeout: number | null;
  /**
   * Extension beyond Django: 'replace' (Django's last-writer-wins, the default) or 'merge' (a save
   * re-reads the record and applies only this request's per-key changes; see merge-save.ts).
   */
  sessionSaveStrategy: 'replace' | 'merge';
  /**
   * Extension beyond Django: how the cache engines write a session under its key. 'pickle' is
   * what Django's Redis cache backends write (shared with a Django app); 'json' is sessionscope's
   * own; 'auto' (the default) is pickle when the cache BACKEND names a Django Redis backend.
   */
  sessionCacheValueFormat: 'auto' | 'pickle' | 'json';
  /**
   * Extension beyond Django (off by default): the agent's event bus between processes. true = the
   * store's own Redis or PostgreSQL; a redis://, rediss:// or postgres:// URL = that server.
   */
  sessionAgentBus: boolean | string;
  /** Names the deployment on the bus (channel `sessionscope:<cookie name>:<deployment>`). */
  sessionAgentDeployment: string;
  /** How long a store call may take before the request fails with 503 (ms). */
  storeTimeoutMs: number;
  /** What the middleware does when the store is down: answer 503, or go on without a session. */
  onStoreUnavailable: 'fail' | 'continue';
}

export type SessionSettingsInput = Partial<SessionSettings> & Record<string, unknown>;

interface Spec {
  django: string;
  camel: keyof SessionSettings;
  default: () => unknown;
  check?: (value: unknown) => string | null;
  normalize?: (value: unknown) => unknown;
}

const JOURNAL_MODES = ['WAL', 'DELETE', 'TRUNCATE', 'PERSIST', 'MEMORY', 'OFF'];

const SPECS: Spec[] = [
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

const ENGINE_PATHS: Record<string, EngineName> = {
  'django.contrib.sessions.backends.db': 'db',
  'django.contrib.sessions.backends.cache': 'cache',
  'django.contrib.sessions.backends.cached_db': 'cached_db',
  'django.contrib.sessions.backends.file': 'file',
  'django.contrib.sessions.backends.signed_cookies': 'signed_cookies',
};

function normalizeEngine(value: unknown): unknown {
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
function normalizeProxyHeader(value: unknown): unknown {
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

const KNOWN = new Map<string, Spec>();
for (const spec of SPECS) {
  KNOWN.set(spec.django, spec);
  KNOWN.set(spec.camel, spec);
}
/** Names users reach for that mean something else here; told apart so the error helps. */
const PASSTHROUGH = new Set(['DATABASES', 'databases', 'clock', 'logger', 'store', 'schema']);

export function normalizeSettings(
  input: SessionSettingsInput,
  env: NodeJS.ProcessEnv = process.env,
): Readonly<SessionSettings> {
  const out: Record<string, unknown> = {};
  const seen = new Map<Spec, string>();
  for (const [name, value] of Object.entries(input)) {
    if (value === undefined) continue;
    const spec = KNOWN.get(name);
    if (!spec) {
      if (PASSTHROUGH.has(name)) continue;
      const guess = closestName(name, SPECS, (s) => [s.django, s.camel]);
      throw new ImproperlyConfigured(
        `Unknown session setting ${JSON.stringify(name)}.${guess ? ` Did you mean ${guess.django} (or ${guess.camel})?` : ' See the settings table in the README.'}`,
      );
    }
    const previous = seen.get(spec);
    if (previous !== undefined) {
      throw new ImproperlyConfigured(`${spec.django} is given twice (as ${previous} and ${name}); keep one.`);
    }
    seen.set(spec, name);
    const normalized = spec.normalize ? spec.normalize(value) : value;
    const problem = spec.check?.(normalized);
    if (problem)
      throw new ImproperlyConfigured(`${spec.django} (${spec.camel}) ${problem}; got ${describe(value)}.`);
    out[spec.camel] = normalized;
  }
  for (const spec of SPECS) if (!(spec.camel in out)) out[spec.camel] = spec.default();
  if (input.DATABASES !== undefined && input.DATABASE_URL === undefined && input.databaseUrl === undefined) {
    out.databaseUrl = databaseUrlFromDjango(input.DATABASES);
    parseDatabaseUrl(out.databaseUrl as string);
  }
  const settings = out as unknown as SessionSettings;
  checkCombinations(settings);
  settings.secretKey = resolveSecretKey(settings.secretKey, env);
  return Object.freeze(settings);
}

function checkCombinations(s: SessionSettings): void {
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

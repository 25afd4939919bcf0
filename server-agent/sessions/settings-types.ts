/**
 * The shape of the normalized session settings (camelCase names; settings-specs.ts maps Django's
 * names onto them). Types only, so stores, cookies and the middleware can name a setting without
 * pulling in the parsing.
 */
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

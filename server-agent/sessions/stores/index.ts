/**
 * Engine name → store. Each backend's module (and its optional driver) loads only when chosen.
 */
import { checkSqliteFolder, DEFAULT_DATABASE_URL, parseDatabaseUrl } from '../database-url.js';
import { ImproperlyConfigured, NotSupported } from '../errors.js';
import type { SessionStore, StoreContext, StoreFactory } from '../store.js';
import { createCacheStore, createSessionCache, openCacheBackend } from './cache.js';
import { resolveCacheSpec } from './cache-backend.js';
import { resolveCacheFormat } from './cache-format.js';
import { CACHED_DB_KEY_PREFIX, createCachedDbStore } from './cached-db.js';
import { createFileStore } from './file.js';
import { createPostgresStore } from './postgres.js';
import { createSignedCookieStore } from './signed-cookies.js';
import { createSqliteStore } from './sqlite.js';

export type EngineFactory = (context: StoreContext) => SessionStore;

const engines = new Map<string, EngineFactory>();

/** Adds or replaces an engine by short name (used by the built-in stores and by tests). */
export function registerEngine(name: string, factory: EngineFactory): void {
  engines.set(name, factory);
}

registerEngine('db', (context) => {
  const url = context.settings.databaseUrl;
  const target = parseDatabaseUrl(url);
  if (target.kind === 'postgres') {
    const postgres = engines.get('db:postgres');
    if (!postgres)
      throw new NotSupported('The PostgreSQL driver for the db engine is not available in this build.');
    return postgres(context);
  }
  checkSqliteFolder(target.path, url === DEFAULT_DATABASE_URL);
  return createSqliteStore(context, target.path);
});
registerEngine('db:postgres', (context) => createPostgresStore(context));
registerEngine('cache', (context) => createCacheStore(context));
registerEngine('cached_db', (context) => {
  const spec = resolveCacheSpec(context.settings);
  const cache = createSessionCache(context, {
    backend: openCacheBackend(context, spec),
    spec,
    prefix: CACHED_DB_KEY_PREFIX,
    format: resolveCacheFormat(context.settings, spec),
  });
  return createCachedDbStore(context, resolveStore('db', context), cache);
});
registerEngine('file', (context) => createFileStore(context));
registerEngine('signed_cookies', (context) => createSignedCookieStore(context));

function isStore(value: unknown): value is SessionStore {
  return (
    !!value &&
    typeof value === 'object' &&
    typeof (value as SessionStore).load === 'function' &&
    typeof (value as SessionStore).save === 'function'
  );
}

export function resolveStore(engine: unknown, context: StoreContext): SessionStore {
  if (isStore(engine)) return engine;
  if (typeof engine === 'function') return (engine as StoreFactory)(context);
  const factory = typeof engine === 'string' ? engines.get(engine) : undefined;
  if (!factory) {
    throw new ImproperlyConfigured(
      `SESSION_ENGINE ${JSON.stringify(engine)} is not available. Known engines: ${[...engines.keys()].filter((n) => !n.includes(':')).join(', ')}.`,
    );
  }
  return factory(context);
}

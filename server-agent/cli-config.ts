/**
 * Where the CLI's settings come from: `--config <file>` (JSON, or a JS/TS module whose default export
 * is the settings object), else environment variables with Django's names (SECRET_KEY, SESSION_ENGINE,
 * DATABASE_URL, SESSION_FILE_PATH, CACHES as JSON, REDIS_URL as a shortcut for the cache).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  type DatabaseTarget,
  DEFAULT_DATABASE_URL,
  databaseUrlFromDjango,
  parseDatabaseUrl,
} from './sessions/database-url.js';
import { ImproperlyConfigured } from './sessions/errors.js';
import type { SessionSettingsInput } from './sessions/settings.js';

const FROM_ENV = [
  'SECRET_KEY',
  'SESSION_ENGINE',
  'DATABASE_URL',
  'SESSION_FILE_PATH',
  'SESSION_COOKIE_NAME',
  'SESSION_COOKIE_AGE',
  'SESSION_CACHE_ALIAS',
  'SESSION_STORE_TIMEOUT_MS',
] as const;
/** Environment values are text: these are parsed as whole numbers, and anything else is refused here. */
const NUMERIC: Record<string, string> = {
  SESSION_COOKIE_AGE: 'seconds',
  SESSION_STORE_TIMEOUT_MS: 'milliseconds',
};

export async function loadCliSettings(
  configPath: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<{ settings: SessionSettingsInput; source: string }> {
  if (configPath) {
    const path = resolve(configPath);
    if (path.endsWith('.json')) {
      try {
        return { settings: JSON.parse(readFileSync(path, 'utf8')) as SessionSettingsInput, source: path };
      } catch (error) {
        throw new ImproperlyConfigured(`Cannot read settings from ${path}: ${(error as Error).message}`, {
          cause: error,
        });
      }
    }
    const module = await importConfig(path);
    if (!module.default || typeof module.default !== 'object') {
      throw new ImproperlyConfigured(`${path} must export the settings object as its default export.`);
    }
    return { settings: module.default, source: path };
  }
  const settings: SessionSettingsInput = {};
  for (const name of FROM_ENV) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    const unit = NUMERIC[name];
    if (unit && !/^\s*\d+\s*$/.test(value)) {
      throw new ImproperlyConfigured(
        `The environment variable ${name} must be a whole number of ${unit}; got ${JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value)}.`,
      );
    }
    settings[name] = unit ? Number(value) : value;
  }
  if (env.CACHES) {
    try {
      settings.CACHES = JSON.parse(env.CACHES);
    } catch {
      throw new ImproperlyConfigured(
        'The CACHES environment variable must be JSON, e.g. {"default":{"BACKEND":"redis","LOCATION":"redis://127.0.0.1:6379"}}.',
      );
    }
  } else if (env.REDIS_URL) {
    settings.CACHES = {
      default: { BACKEND: 'django.core.cache.backends.redis.RedisCache', LOCATION: env.REDIS_URL },
    };
  }
  return { settings, source: 'environment variables' };
}

type ConfigModule = { default?: SessionSettingsInput };

/**
 * A JS config is imported as it is. A TypeScript one too where Node strips types itself (22.18+,
 * 23.6+); elsewhere through tsx when the app has it installed (most TypeScript apps do), else a
 * message with the ways out.
 */
async function importConfig(path: string): Promise<ConfigModule> {
  const href = pathToFileURL(path).href;
  if (!/\.[cm]?ts$/.test(path)) return (await import(href)) as ConfigModule;
  try {
    return (await import(href)) as ConfigModule;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code !== 'ERR_UNKNOWN_FILE_EXTENSION' && code !== 'ERR_UNSUPPORTED_NODE_MODULES_TYPE_STRIPPING')
      throw error;
  }
  const tsImport = await loadTsx(path);
  if (!tsImport) {
    throw new ImproperlyConfigured(
      `--config ${path}: Node ${process.versions.node} cannot load TypeScript by itself, and tsx is not installed. Install it (npm install -D tsx) and run the same command again, or write the settings as .mjs/.json, or use Node 22.18 or later.`,
    );
  }
  const loaded = (await tsImport(href, import.meta.url)) as ConfigModule;
  // Outside a "type": "module" package tsx compiles to CommonJS, so the default export arrives
  // wrapped once more ({ default: { default: settings } }).
  const inner = loaded.default as { default?: unknown } | undefined;
  if (
    inner &&
    typeof inner === 'object' &&
    Object.keys(inner).every((k) => k === 'default' || k === '__esModule')
  )
    return { default: inner.default as SessionSettingsInput };
  return loaded;
}

type TsImport = (specifier: string, parent: string) => Promise<unknown>;

/**
 * tsx's ESM API (`tsx/esm/api`, its `import` entry), from the app's node_modules first (next to the
 * config, then the working folder), then from ours.
 */
async function loadTsx(configPath: string): Promise<TsImport | null> {
  for (const from of [configPath, resolve(process.cwd(), 'package.json'), import.meta.url]) {
    let manifest: string;
    try {
      manifest = createRequire(from).resolve('tsx/package.json');
    } catch {
      continue; // Not installed there: try the next place.
    }
    const exports = (JSON.parse(readFileSync(manifest, 'utf8')) as { exports?: Record<string, unknown> })
      .exports?.['./esm/api'] as { import?: { default?: string } } | undefined;
    const entry = exports?.import?.default;
    if (!entry) continue;
    const api = (await import(pathToFileURL(join(dirname(manifest), entry)).href)) as { tsImport?: TsImport };
    if (typeof api.tsImport === 'function') return api.tsImport;
  }
  return null;
}

/**
 * U4: a CLI run in the wrong folder (or with a mistyped DATABASE_URL) must not create an empty
 * SQLite database and report on it: refused unless `create` (clearsessions --create).
 */
export function refuseMissingDatabase(settings: SessionSettingsInput, source: string, create = false): void {
  const database = databaseOf(settings);
  if (database?.kind !== 'sqlite' || database.path === ':memory:' || create || existsSync(database.path))
    return;
  throw new ImproperlyConfigured(
    `There is no session database at ${resolve(database.path)} (DATABASE_URL from ${source}). The CLI does not create one: run it from the app's folder, or point DATABASE_URL at the app's database; pass --create (clearsessions) to create an empty one.`,
  );
}

/**
 * The database clearsessions will work on, read from the raw settings before any store opens (so
 * nothing is created on the way): null for engines without one.
 */
export function databaseOf(settings: SessionSettingsInput): DatabaseTarget | null {
  const engine = settings.SESSION_ENGINE ?? settings.sessionEngine ?? 'db';
  if (typeof engine !== 'string') return null;
  const name = engine.replace(/^django\.contrib\.sessions\.backends\./, '').replace(/-/g, '_');
  if (name !== 'db' && name !== 'cached_db') return null;
  const url =
    (settings.DATABASE_URL as string | undefined) ??
    settings.databaseUrl ??
    (settings.DATABASES !== undefined ? databaseUrlFromDjango(settings.DATABASES) : DEFAULT_DATABASE_URL);
  return typeof url === 'string' ? parseDatabaseUrl(url) : null;
}

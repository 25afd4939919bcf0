/**
 * Where the CLI's settings come from: `--config <file>` (JSON, or a JS/TS module whose default export
 * is the settings object), else environment variables with Django's names (SECRET_KEY, SESSION_ENGINE,
 * DATABASE_URL, SESSION_FILE_PATH, CACHES as JSON, REDIS_URL as a shortcut for the cache).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
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
] as const;
const NUMERIC = new Set(['SESSION_COOKIE_AGE']);

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
    const module = (await import(pathToFileURL(path).href)) as { default?: SessionSettingsInput };
    if (!module.default || typeof module.default !== 'object') {
      throw new ImproperlyConfigured(`${path} must export the settings object as its default export.`);
    }
    return { settings: module.default, source: path };
  }
  const settings: SessionSettingsInput = {};
  for (const name of FROM_ENV) {
    const value = env[name];
    if (value !== undefined && value !== '') settings[name] = NUMERIC.has(name) ? Number(value) : value;
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

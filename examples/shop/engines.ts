/** `--engine NAME` → the Django-style settings that select it. Services default to the local ones. */
import type { SessionSettingsInput } from '../../server-agent/sessions/settings.js';

export const ENGINES = [
  'db',
  'sqlite',
  'redis',
  'postgres',
  'file',
  'signed_cookies',
  'cached_db',
  'cache',
] as const;
export type EngineName = (typeof ENGINES)[number];

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0';
const POSTGRES_URL = process.env.POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SQLITE_URL = process.env.DATABASE_URL ?? 'sqlite:.sessionscope/shop.sqlite3';

export function engineSettings(engine: string): SessionSettingsInput {
  switch (engine) {
    case 'db':
    case 'sqlite':
      return { SESSION_ENGINE: 'db', DATABASE_URL: SQLITE_URL };
    case 'postgres':
      return { SESSION_ENGINE: 'db', DATABASE_URL: POSTGRES_URL };
    case 'redis':
      return { SESSION_ENGINE: 'cache', CACHES: { default: { BACKEND: 'redis', LOCATION: REDIS_URL } } };
    case 'cache':
      return { SESSION_ENGINE: 'cache', CACHES: { default: { BACKEND: 'memory' } } };
    case 'cached_db':
      return {
        SESSION_ENGINE: 'cached_db',
        DATABASE_URL: SQLITE_URL,
        CACHES: { default: { BACKEND: 'redis', LOCATION: REDIS_URL } },
      };
    case 'file':
      return { SESSION_ENGINE: 'file', SESSION_FILE_PATH: '.sessionscope/shop-files' };
    case 'signed_cookies':
      return { SESSION_ENGINE: 'signed_cookies' };
    default:
      throw new Error(`Unknown --engine ${JSON.stringify(engine)}. Choose one of: ${ENGINES.join(', ')}.`);
  }
}

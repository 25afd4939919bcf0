/**
 * The database setting: Django's DATABASES turned into a URL, and (below) the URL rules, kept apart
 * from the drivers so they live in one place and are checked at createSessions.
 */
import { ImproperlyConfigured } from './errors.js';

export function databaseUrlFromDjango(databases: unknown): string {
  const db = (databases as { default?: Record<string, unknown> } | null)?.default;
  if (!db || typeof db !== 'object')
    throw new ImproperlyConfigured(
      'DATABASES needs a "default" entry, e.g. { default: { ENGINE: "django.db.backends.sqlite3", NAME: "db.sqlite3" } }.',
    );
  const engine = String(db.ENGINE ?? '');
  const name = String(db.NAME ?? '');
  if (engine.endsWith('sqlite3')) return `sqlite:${name}`;
  if (engine.includes('postgresql')) {
    const user = db.USER
      ? `${encodeURIComponent(String(db.USER))}${db.PASSWORD ? `:${encodeURIComponent(String(db.PASSWORD))}` : ''}@`
      : '';
    return `postgres://${user}${db.HOST || '127.0.0.1'}:${db.PORT || 5432}/${encodeURIComponent(name)}`;
  }
  throw new ImproperlyConfigured(
    `DATABASES.default.ENGINE ${JSON.stringify(engine)} is not supported; use django.db.backends.sqlite3 or django.db.backends.postgresql.`,
  );
}

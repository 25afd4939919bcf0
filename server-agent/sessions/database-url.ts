/**
 * The database setting: Django's DATABASES turned into a URL, and (below) the URL rules, kept apart
 * from the drivers so they live in one place and are checked at createSessions.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
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

/** The default database, the one folder sessionscope creates on its own. */
export const DEFAULT_DATABASE_URL = 'sqlite:.sessionscope/sessions.sqlite3';

export type DatabaseTarget =
  | { kind: 'sqlite' /** ':memory:', or a path (relative ones from the working folder). */; path: string }
  | { kind: 'postgres'; url: string };

const SUPPORTED =
  'Use sqlite:///relative/path.sqlite3 (from the working folder), sqlite:////absolute/path.sqlite3, sqlite:path, :memory:, or postgres://user:password@host:5432/dbname.';

/**
 * DATABASE_URL → what to open, with dj-database-url's rules for the URL forms so a Django project's
 * own DATABASE_URL means the same file here: `sqlite:///db.sqlite3` is relative, `sqlite:////srv/db`
 * absolute, `sqlite://` and `sqlite://:memory:` in memory. Also `sqlite:path` and `file:path` (the
 * path as written), `:memory:` and a bare path. Any other scheme is refused rather than read as a
 * file name (`mysql://…` used to create a file `./mysql:/…`).
 */
export function parseDatabaseUrl(url: string): DatabaseTarget {
  if (url.trim() === '') throw new ImproperlyConfigured(`DATABASE_URL (databaseUrl) is empty. ${SUPPORTED}`);
  if (/^postgres(ql)?:/i.test(url)) return { kind: 'postgres', url };
  if (url === ':memory:' || url === 'sqlite::memory:' || url === 'sqlite://:memory:')
    return { kind: 'sqlite', path: ':memory:' };
  if (/^sqlite:\/\//i.test(url)) return { kind: 'sqlite', path: sqliteUrlPath(url) };
  if (/^sqlite:/i.test(url)) return { kind: 'sqlite', path: url.slice('sqlite:'.length) || ':memory:' };
  if (/^file:\/\//i.test(url)) return { kind: 'sqlite', path: decodeURIComponent(new URL(url).pathname) };
  if (/^file:/i.test(url)) return { kind: 'sqlite', path: url.slice('file:'.length) };
  // A scheme is two or more characters, so a Windows drive (C:\db.sqlite3) is still a path.
  const scheme = /^([a-z][a-z0-9+.-]+):/i.exec(url)?.[1];
  if (scheme) {
    const hint = /^mysql|^mariadb|^oracle|^mssql/i.test(scheme)
      ? ` Django's ${scheme} backend has no driver here.`
      : '';
    throw new ImproperlyConfigured(
      `DATABASE_URL scheme "${scheme}:" is not supported by the db engine.${hint} ${SUPPORTED}`,
    );
  }
  return { kind: 'sqlite', path: url };
}

/** dj-database-url: the path after `sqlite://<host>/`, percent-decoded; empty means memory. */
function sqliteUrlPath(url: string): string {
  const rest = url.slice('sqlite://'.length);
  if (rest.includes('?') || rest.includes('#'))
    throw new ImproperlyConfigured(
      'DATABASE_URL: query options are not supported for SQLite (a "?" would become part of the file name). Remove them.',
    );
  if (rest === '') return ':memory:';
  const slash = rest.indexOf('/');
  if (slash !== 0) {
    // sqlite://name/… names a host, which SQLite has none of; dj-database-url would drop it silently.
    throw new ImproperlyConfigured(
      `DATABASE_URL "sqlite://${rest}" puts "${slash === -1 ? rest : rest.slice(0, slash)}" where a host goes, and SQLite has no host. Write sqlite:///${rest} for a path relative to the working folder, or sqlite:////absolute/path.sqlite3.`,
    );
  }
  const path = decodeURIComponent(rest.slice(1));
  return path === '' || path === ':memory:' ? ':memory:' : path;
}

/**
 * The SQLite file's folder must exist: a typo in the path to Django's database would otherwise
 * create an empty one and silently log everyone out. Only the default `.sessionscope/` is created.
 */
export function checkSqliteFolder(path: string, isDefault: boolean): void {
  if (path === ':memory:') return;
  const folder = dirname(resolve(path));
  if (existsSync(folder)) return;
  if (isDefault) {
    mkdirSync(folder, { recursive: true });
    return;
  }
  throw new ImproperlyConfigured(
    `The SQLite session database ${resolve(path)} cannot be created: its folder ${folder} does not exist. Check DATABASE_URL (a relative path starts from ${process.cwd()}), or create the folder first.`,
  );
}

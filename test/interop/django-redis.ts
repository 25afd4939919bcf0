/** Runs test/interop/django_cache_app.py: a real Django 3.2 app with django-redis sessions. */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const APP = fileURLToPath(new URL('./django_cache_app.py', import.meta.url));
/** The app's SECRET_KEY (cached_db rows are signed with it). */
export const DJANGO_APP_SECRET = 'interop-secret-key-not-for-production';

export interface DjangoAppCommand {
  op: 'login' | 'view';
  engine: 'cache' | 'cached_db';
  redis: string;
  sqlite: string;
  prefix: string;
  key?: string;
  set?: Record<string, unknown>;
  expiry_seconds?: number;
}

export interface DjangoView {
  status: number;
  admin_status: number;
  user: string | null;
  data: Record<string, unknown>;
  expiry_age: number;
  key: string | null;
}

export function djangoApp<T>(command: DjangoAppCommand): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = execFile('/usr/bin/python3', [APP], { timeout: 30_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`Django app failed: ${stderr || error.message}`));
      else resolve(JSON.parse(stdout) as T);
    });
    child.stdin?.end(JSON.stringify(command));
  });
}

/** python3-django-redis is installed (Debian's 5.2); required under CI. */
export function djangoRedisAvailable(): Promise<boolean> {
  return new Promise((resolve) =>
    execFile('/usr/bin/python3', ['-c', 'import django, django_redis'], (error) => resolve(!error)),
  );
}

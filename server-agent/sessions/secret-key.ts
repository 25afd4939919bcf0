/**
 * SECRET_KEY resolution. Production requires a real key; development generates one once, keeps it
 * in a git-ignored file so sessions survive restarts, and says so in one line.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isProduction } from './env.js';
import { ImproperlyConfigured } from './errors.js';
import { createLogger } from './log.js';

const log = createLogger('sessionscope:settings');

/** Strings from docs and examples that must never sign a real session (CR-6). */
export const PLACEHOLDER_SECRETS = new Set([
  'change-me',
  'changeme',
  'secret',
  'keyboard cat',
  'your-secret-key',
  'django-insecure-change-me',
  'replace-me-with-a-long-random-string',
]);

export function resolveSecretKey(given: string, env: NodeJS.ProcessEnv, dir = '.sessionscope'): string {
  const production = isProduction(env);
  if (given) {
    if (production && (PLACEHOLDER_SECRETS.has(given.toLowerCase()) || given.length < 32)) {
      throw new ImproperlyConfigured(
        "SECRET_KEY is too weak for production: use at least 32 random characters (for example `node -e \"console.log(require('crypto').randomBytes(32).toString('base64url'))\"`), never an example value.",
      );
    }
    return given;
  }
  if (production) {
    throw new ImproperlyConfigured(
      'SECRET_KEY is required when NODE_ENV=production: set it (or SESSIONSCOPE_SECRET_KEY) to at least 32 random characters.',
    );
  }
  if (env.SESSIONSCOPE_SECRET_KEY) return env.SESSIONSCOPE_SECRET_KEY;
  const file = join(dir, 'secret-key');
  try {
    const stored = readFileSync(file, 'utf8').trim();
    if (stored) return stored;
  } catch {
    // No key yet: make one below.
  }
  const key = randomBytes(32).toString('base64url');
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, '.gitignore'), '*\n');
    writeFileSync(file, `${key}\n`, { mode: 0o600 });
    log.notice(
      `No SECRET_KEY set: generated a development key in ${file} (git-ignored). Set SECRET_KEY before production.`,
    );
  } catch {
    log.notice(
      'No SECRET_KEY set: using a random development key for this process only (sessions end on restart).',
    );
  }
  return key;
}

/**
 * The agent's token kept across restarts in development: `.sessionscope/agent-token` in the app's
 * working directory, mode 0600, so `tsx watch` / nodemon restarts do not unpair the panel.
 *
 * Only when NODE_ENV is unset or `development`: under `test` every process gets a fresh token (a
 * test run must not write into the project), and in production the agent does not run at all (with
 * `allowInProduction` it still keeps its token in memory only: a staging box's token on disk would
 * outlive the process that printed it). A file that others could read, that another user owns, that
 * is a symbolic link, or whose content is not a token is refused with the fix, never repaired
 * silently: it may be somebody else's.
 */
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { AgentRefused } from '../sessions/errors.js';
import { isStrongToken } from './guard.js';

export const TOKEN_DIR = '.sessionscope';
export const TOKEN_FILE = 'agent-token';
/** What `sessionscope token rotate` is called by users (also named in every refusal). */
export const ROTATE_COMMAND = 'npx sessionscope token rotate';

/** The token file for an app started in `cwd`. */
export function tokenFilePath(cwd: string = process.cwd()): string {
  return join(cwd, TOKEN_DIR, TOKEN_FILE);
}

/** Development only: NODE_ENV unset, empty or `development` (any case, stray spaces allowed). */
export function persistsToken(env: NodeJS.ProcessEnv = process.env): boolean {
  const mode = (env.NODE_ENV ?? '').trim().toLowerCase();
  return mode === '' || mode === 'development';
}

/** 256 random bits, base64url (43 characters). */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Shows the file relative to the working directory when it lies inside it (shorter messages). */
function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}

/**
 * Reads the token file: null when there is none; throws AgentRefused naming the fix when it is
 * not a private regular file of this user holding one token.
 */
export function readTokenFile(path: string): string | null {
  let stats: ReturnType<typeof lstatSync>;
  try {
    stats = lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new AgentRefused(
      `Cannot read the agent token file ${shown(path)}: ${(error as Error).message}. Fix its permissions, or delete it to get a new token.`,
    );
  }
  const name = shown(path);
  if (stats.isSymbolicLink() || !stats.isFile()) {
    throw new AgentRefused(
      `The agent token file ${name} is not a regular file${stats.isSymbolicLink() ? ' (it is a symbolic link)' : ''}. Delete it and run \`${ROTATE_COMMAND}\` (or restart the app) to write a new one.`,
    );
  }
  // POSIX permissions only: on Windows the mode bits say nothing about who may read the file.
  if (process.platform !== 'win32') {
    const uid = process.getuid?.();
    if (uid !== undefined && stats.uid !== uid) {
      throw new AgentRefused(
        `The agent token file ${name} belongs to another user (uid ${stats.uid}, this process runs as ${uid}). Delete it and run \`${ROTATE_COMMAND}\` as the user who runs the app.`,
      );
    }
    if ((stats.mode & 0o077) !== 0) {
      const mode = (stats.mode & 0o777).toString(8).padStart(3, '0');
      throw new AgentRefused(
        `The agent token file ${name} can be read by other users (mode 0${mode}); it must be 0600. Run \`chmod 600 ${name}\`, or \`${ROTATE_COMMAND}\` to replace the token.`,
      );
    }
  }
  const text = readFileSync(path, 'utf8');
  const token = text.endsWith('\n') ? text.slice(0, -1) : text;
  if (!isStrongToken(token)) {
    throw new AgentRefused(
      `The agent token file ${name} does not hold a token (expected one line of 22–256 base64url characters). Run \`${ROTATE_COMMAND}\` to write a new one.`,
    );
  }
  return token;
}

/** The directory, private to this user, with a .gitignore so the token is never committed. */
function ensureDirectory(path: string): void {
  const dir = join(path, '..');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    writeFileSync(join(dir, '.gitignore'), '# sessionscope: local development state, never commit it\n*\n', {
      flag: 'wx',
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

/** Writes the token to a private temporary file next to `path` and returns that file's path. */
function writePrivateTemp(path: string, token: string): string {
  ensureDirectory(path);
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temp, `${token}\n`, { flag: 'wx', mode: 0o600 });
  // The mode passed to open() is filtered by the umask; set it outright.
  chmodSync(temp, 0o600);
  return temp;
}

/**
 * The persisted token, created on first use. Two processes starting at once (a cluster, `concurrently`)
 * agree: the file appears atomically (link of a complete temp file), and the loser reads the winner's.
 */
export function loadOrCreateToken(path: string): { token: string; created: boolean } {
  const existing = readTokenFile(path);
  if (existing) return { token: existing, created: false };
  const token = newToken();
  const temp = writePrivateTemp(path, token);
  try {
    linkSync(temp, path);
    return { token, created: true };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'ENOSYS') {
      // A file system without hard links (some container mounts): a plain rename, last one wins.
      renameSync(temp, path);
      return { token, created: true };
    }
    if (code !== 'EEXIST') throw error;
    const winner = readTokenFile(path);
    if (!winner) throw error;
    return { token: winner, created: false };
  } finally {
    rmSync(temp, { force: true });
  }
}

/** Replaces the token (whatever the old file held, or its mode): the next agent start uses the new one. */
export function rotateToken(path: string): string {
  const token = newToken();
  const temp = writePrivateTemp(path, token);
  try {
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw new AgentRefused(
      `Cannot write the agent token file ${shown(path)}: ${(error as Error).message}. Check that the directory is writable.`,
    );
  }
  return token;
}

/** The token an agent starts with when none is passed: the persisted one in development, else fresh. */
export function agentToken(env: NodeJS.ProcessEnv): { token: string; file: string | null } {
  if (!persistsToken(env)) return { token: newToken(), file: null };
  const file = tokenFilePath();
  return { token: loadOrCreateToken(file).token, file };
}

/** The start-up line: the inspector URL, and where its token lives when it outlasts the process. */
export function announcement(url: string, file: string | null): string {
  const kept = file
    ? ` (token kept in ${shown(file)} across restarts; \`${ROTATE_COMMAND}\` replaces it)`
    : '';
  return `sessionscope inspector: ${url}${kept}`;
}

/**
 * The `file` engine (Django's backends.file): one file per session, named
 * "<SESSION_COOKIE_NAME><key>" in SESSION_FILE_PATH, holding the encode() string. The key alphabet
 * is checked before any path is built; writes go to a temp file in the same folder and are renamed
 * over the target, so a reader never sees half a session and a failed write leaves nothing behind.
 */
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { open, readdir, readFile, rename, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateError,
  ImproperlyConfigured,
  InvalidSessionKey,
  StoreUnavailable,
  UpdateError,
} from '../errors.js';
import { isFalsy, parseIso } from '../expiry.js';
import { withSessionLock } from '../merge-save.js';
import type { SessionData } from '../serializer.js';
import type {
  ClearExpiredOptions,
  ListedSession,
  ListOptions,
  LoadResult,
  SessionPage,
  SessionStore,
  StoreContext,
} from '../store.js';
import { SERVER_KEY_PATTERN } from '../store.js';

const TEMP_MARKER = '_out_';
/** Temp files older than this are leftovers of a crash, removed by clearExpired. */
const ORPHAN_AGE_MS = 60 * 60 * 1000;
const CLEAR_BATCH = 500;

/**
 * Updates check that the file exists, then rename a temp file over it; a delete landing between
 * the two would be undone by the rename (a resurrected session). Updates and deletes of one file
 * therefore take turns within this process. (Django's file backend has the same window.)
 */
const FILE_LOCKS = {};

const errno = (error: unknown) => (error as NodeJS.ErrnoException | null)?.code;

export function resolveStorageDir(path: string | null): string {
  const dir = path || tmpdir();
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) {
    throw new ImproperlyConfigured(
      `The session storage path ${JSON.stringify(dir)} doesn't exist. Please set your SESSION_FILE_PATH setting to an existing directory in which sessionscope can store session data.`,
    );
  }
  return dir;
}

/** The absolute expiry: `_session_expiry` (seconds counted from the last save, or a date), else mtime + SESSION_COOKIE_AGE. */
export function fileExpiry(data: SessionData, modifiedMs: number, cookieAge: number): Date {
  const expiry = data.get('_session_expiry');
  if (isFalsy(expiry)) return new Date(modifiedMs + cookieAge * 1000);
  // Django returns a positive int as the age itself, so such a file never expires on the server.
  // Here it means what set_expiry(n) says: n seconds of inactivity, counted from the last save.
  if (typeof expiry === 'number') return new Date(modifiedMs + expiry * 1000);
  if (typeof expiry === 'string') return parseIso(expiry) ?? new Date(0);
  return new Date(modifiedMs + cookieAge * 1000);
}

export function createFileStore(context: StoreContext): SessionStore {
  const dir = resolveStorageDir(context.settings.sessionFilePath);
  const prefix = context.settings.sessionCookieName;
  const pathFor = (key: string) => {
    // Before any path is built: 8 to 40 of [a-z0-9], so "/", "\\", "..", NUL or a name too long
    // for the filesystem never reach it (Django checks the alphabet only).
    if (!SERVER_KEY_PATTERN.test(key)) throw new InvalidSessionKey();
    return join(dir, prefix + key);
  };
  const writeFailure = (error: unknown) => {
    const code = errno(error);
    const why =
      code === 'ENOSPC' || code === 'EDQUOT'
        ? 'the disk is full'
        : code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
          ? 'the folder is read-only or not writable by this process'
          : (error as Error).message;
    return new StoreUnavailable(
      `Cannot write the session file in ${dir}: ${why} (${code ?? 'error'}). Free space, fix the permissions or change SESSION_FILE_PATH.`,
      {
        cause: error,
      },
    );
  };

  /** Temp file in the same folder, then rename over the target; the temp file never survives a failure. */
  const writeAtomically = async (target: string, text: string) => {
    const temp = `${target}${TEMP_MARKER}${randomBytes(6).toString('hex')}`;
    const at = context.clock.now();
    try {
      await writeFile(temp, text, { encoding: 'ascii', flag: 'wx', mode: 0o600 });
      // mtime on the session clock, so a travelled clock and the file's age agree.
      await utimes(temp, at, at);
      await rename(temp, target);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw writeFailure(error);
    }
  };

  const read = async (
    key: string,
  ): Promise<{ result: LoadResult; bytes: number; data: SessionData } | null> => {
    const path = pathFor(key);
    let text: string;
    let modifiedMs: number;
    try {
      [text, modifiedMs] = await Promise.all([readFile(path, 'ascii'), stat(path).then((s) => s.mtimeMs)]);
    } catch (error) {
      if (errno(error) === 'ENOENT') return null;
      throw new StoreUnavailable(
        `Cannot read the session file in ${dir} (${errno(error) ?? 'error'}). Check the folder's permissions and SESSION_FILE_PATH.`,
        { cause: error },
      );
    }
    // An empty file is a create in progress (Django writes a placeholder first): an empty session.
    if (text.length === 0) return { result: { outcome: 'hit', data: new Map() }, bytes: 0, data: new Map() };
    const decoded = context.codec.decodeDetailed(text);
    if (decoded.problem) return { result: { outcome: decoded.problem }, bytes: text.length, data: new Map() };
    const expiresAt = fileExpiry(decoded.data, modifiedMs, context.settings.sessionCookieAge);
    if (!(expiresAt.getTime() > context.clock.nowMs()))
      return { result: { outcome: 'expired', expiredAt: expiresAt }, bytes: text.length, data: decoded.data };
    return {
      result: { outcome: 'hit', data: decoded.data, expiresAt },
      bytes: text.length,
      data: decoded.data,
    };
  };

  const sessionKeys = async (): Promise<string[]> => {
    const names = await readdir(dir);
    return names
      .filter((name) => name.startsWith(prefix))
      .map((name) => name.slice(prefix.length))
      .filter((key) => SERVER_KEY_PATTERN.test(key))
      .sort();
  };

  return {
    engine: 'file',
    capabilities: {
      serverSide: true,
      list: true,
      expiresOnItsOwn: false,
      keyPattern: SERVER_KEY_PATTERN,
      atomicCreate: true,
    },

    async load(key) {
      // Unlike Django, reading an expired file creates nothing: a read never writes.
      return (await read(key))?.result ?? { outcome: 'miss' };
    },

    async exists(key) {
      try {
        await stat(pathFor(key));
        return true;
      } catch (error) {
        if (error instanceof InvalidSessionKey || errno(error) === 'ENOENT') return false;
        throw error;
      }
    },

    async save(key, record, mustCreate) {
      const target = pathFor(key);
      const text = context.codec.encode(record.data);
      if (mustCreate) {
        // O_CREAT|O_EXCL claims the name atomically; the placeholder is replaced by the rename.
        try {
          await (await open(target, 'wx', 0o600)).close();
        } catch (error) {
          if (errno(error) === 'EEXIST') throw new CreateError();
          throw writeFailure(error);
        }
        try {
          await writeAtomically(target, text);
        } catch (error) {
          await unlink(target).catch(() => undefined);
          throw error;
        }
      } else {
        // Opening without O_CREAT: a file deleted by a concurrent logout is never resurrected.
        await withSessionLock(FILE_LOCKS, target, async () => {
          try {
            await (await open(target, 'r+')).close();
          } catch (error) {
            if (errno(error) === 'ENOENT') throw new UpdateError('The session file no longer exists.');
            throw writeFailure(error);
          }
          await writeAtomically(target, text);
        });
      }
      return { bytes: Buffer.byteLength(text) };
    },

    async delete(key) {
      let path: string;
      try {
        path = pathFor(key);
      } catch {
        return; // InvalidSessionKey: nothing can be stored under it
      }
      await withSessionLock(FILE_LOCKS, path, async () => {
        try {
          await unlink(path);
        } catch (error) {
          if (errno(error) !== 'ENOENT') throw writeFailure(error);
        }
      });
    },

    async clearExpired(options: ClearExpiredOptions = {}) {
      const batch = options.batchSize ?? CLEAR_BATCH;
      let removed = 0;
      let seen = 0;
      for (const key of await sessionKeys()) {
        const found = await read(key).catch(() => null);
        if (found?.result.outcome === 'expired') {
          await unlink(pathFor(key)).catch(() => undefined);
          removed++;
        }
        if (++seen % batch === 0) options.onProgress?.(removed);
      }
      await removeOrphanedTempFiles();
      options.onProgress?.(removed);
      return removed;
    },

    async list(options: ListOptions): Promise<SessionPage> {
      const keys = await sessionKeys();
      const after = options.cursor ? keys.filter((key) => key > (options.cursor as string)) : keys;
      const items: ListedSession[] = [];
      let last: string | null = null;
      for (const key of after) {
        if (items.length >= options.limit) break;
        last = key;
        const found = await read(key).catch(() => null);
        if (!found) continue;
        const { result } = found;
        if (result.outcome === 'hit')
          items.push({ key, expiresAt: result.expiresAt ?? null, data: result.data, bytes: found.bytes });
        else if (result.outcome === 'expired' && options.includeExpired)
          items.push({ key, expiresAt: result.expiredAt, data: found.data, bytes: found.bytes });
      }
      const more = last !== null && after.indexOf(last) < after.length - 1;
      return { items, cursor: more ? last : null, total: null };
    },

    async close() {},
  };

  async function removeOrphanedTempFiles(): Promise<void> {
    for (const name of await readdir(dir)) {
      if (!name.startsWith(prefix)) continue;
      const temp = name.includes(TEMP_MARKER);
      // An empty session file is a create placeholder; one an hour old belongs to a writer that
      // died between claiming the name and renaming the data over it, and would live forever.
      const path = join(dir, name);
      const info = await stat(path).catch(() => null);
      if (info && (temp || info.size === 0) && context.clock.nowMs() - info.mtimeMs > ORPHAN_AGE_MS)
        await unlink(path).catch(() => undefined);
    }
  }
}

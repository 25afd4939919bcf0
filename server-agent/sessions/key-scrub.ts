/**
 * S5: the one place raw session keys are taken out of text that leaves the session code: store
 * errors (the file engine's OS errors name `…/sessionid<key>`), their causes and stacks, and
 * every log line (log.ts runs each record through here). A key is replaced by a placeholder,
 * never by its handle: handles are for events, and an error should not join two log lines.
 */
import { SessionError, StoreUnavailable } from './errors.js';

export const KEY_PLACEHOLDER = '‹session key›';
/**
 * Keys sessionscope issues are 32 characters of [a-z0-9]; a run that long is treated as one, with
 * whatever lowercase letters precede it (the file engine's `sessionid` prefix).
 */
const KEY_SHAPED = /[a-z0-9]{32,}/g;

export function scrubKeys(text: string, keys: readonly (string | null | undefined)[] = []): string {
  let out = text;
  for (const key of keys)
    if (key && key.length >= 8 && out.includes(key)) out = out.split(key).join(KEY_PLACEHOLDER);
  return out.replace(KEY_SHAPED, KEY_PLACEHOLDER);
}

/** Scrubs an error's message and stack in place (and its cause chain); returns it. */
export function scrubError<E>(error: E, keys: readonly (string | null | undefined)[] = []): E {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    current.message = scrubKeys(current.message, keys);
    if (typeof current.stack === 'string') current.stack = scrubKeys(current.stack, keys);
    const path = (current as NodeJS.ErrnoException).path;
    if (typeof path === 'string') (current as NodeJS.ErrnoException).path = scrubKeys(path, keys);
    current = current.cause;
  }
  return error;
}

/** Error codes of the operating system and drivers meaning "the storage cannot serve now". */
const UNAVAILABLE_CODE = /^(E[A-Z]+|SQLITE_[A-Z_]+|ECONNREFUSED|ETIMEDOUT|57P0\d|08\d\d\d|53\d\d\d)$/;

/**
 * What a store call's failure becomes before the app sees it: keys scrubbed, and a raw I/O error
 * (EROFS, ENOSPC, EACCES, SQLITE_READONLY, a refused connection) turned into StoreUnavailable, so
 * the answer is a 503 naming the engine, not a 500 with the OS's text.
 */
export function storeFailure(
  error: unknown,
  engine: string,
  keys: readonly (string | null | undefined)[],
): unknown {
  scrubError(error, keys);
  if (error instanceof SessionError || !(error instanceof Error)) return error;
  const code = (error as NodeJS.ErrnoException).code;
  if (typeof code === 'string' && UNAVAILABLE_CODE.test(code)) {
    const why =
      code === 'EROFS'
        ? 'the filesystem is read-only'
        : code === 'ENOSPC' || code === 'EDQUOT'
          ? 'the disk is full'
          : error.message;
    return new StoreUnavailable(`The ${engine} session store failed: ${why} (${code}).`, { cause: error });
  }
  return error;
}

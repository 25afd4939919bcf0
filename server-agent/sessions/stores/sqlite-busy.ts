/**
 * S3: a SQLite lock held by another process (a Django app sharing the file, a migration, the
 * sqlite3 shell) must not freeze this process. Both SQLite libraries are synchronous, so their
 * busy_timeout waits by blocking the event loop: 5 s of it stopped every route, `/health` too.
 * Instead busy_timeout is 0 and a busy statement is retried here, asynchronously, with backoff,
 * until the store timeout (SESSION_STORE_TIMEOUT_MS) has passed; then the call fails with
 * StoreUnavailable and the request answers 503. Independent of the library (sqlite-engines.ts).
 */
import { StoreUnavailable } from '../errors.js';

/** First retry after 1 ms, doubling to at most this. */
const MAX_BACKOFF_MS = 25;

/** SQLITE_BUSY / SQLITE_LOCKED from better-sqlite3 (`code`) or node:sqlite (`errcode`, `errstr`). */
export function isBusy(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false;
  const { code, errcode, errstr, message } = error as {
    code?: unknown;
    errcode?: unknown;
    errstr?: unknown;
    message?: unknown;
  };
  if (typeof code === 'string' && /^SQLITE_(BUSY|LOCKED)/.test(code)) return true;
  // node:sqlite: errcode is the primary result code (5 busy, 6 locked) in its low byte.
  if (typeof errcode === 'number' && ((errcode & 0xff) === 5 || (errcode & 0xff) === 6)) return true;
  const text = typeof errstr === 'string' ? errstr : typeof message === 'string' ? message : '';
  return /database (table )?is locked/i.test(text);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `statement` (synchronous, never waiting on a lock) until it is not busy or `limitMs` passed.
 * The first try runs inline, with no async frame or clock read: it is the only try of nearly every
 * statement, and two of them run on every request that writes.
 */
export function whileBusy<T>(statement: () => T, limitMs: number): Promise<T> {
  try {
    return Promise.resolve(statement());
  } catch (error) {
    if (!isBusy(error)) return Promise.reject(error);
    return retryWhileBusy(statement, performance.now() + limitMs, limitMs, error);
  }
}

async function retryWhileBusy<T>(
  statement: () => T,
  deadline: number,
  limitMs: number,
  busy: unknown,
): Promise<T> {
  let backoff = 1;
  let last = busy;
  for (;;) {
    const left = deadline - performance.now();
    if (left <= 0)
      throw new StoreUnavailable(
        `The SQLite session database stayed locked by another connection for ${limitMs} ms (SESSION_STORE_TIMEOUT_MS). Another process holds a write transaction on it.`,
        { cause: last },
      );
    await sleep(Math.min(backoff, left));
    backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    try {
      return statement();
    } catch (error) {
      if (!isBusy(error)) throw error;
      last = error;
    }
  }
}

/**
 * migrateFromExpressSession(sessions, { store, secret }): moving an app from express-session to
 * sessionscope without logging anyone out. Placed before sessionscope's middleware, it takes a
 * request that carries a valid signed `connect.sid` and no sessionscope cookie, reads the old record
 * through the express-session store, copies its data (minus `cookie`) into a new sessionscope
 * session, and answers with the new session cookie and the old one cleared (optionally deleting the
 * old record). Everything else passes through untouched.
 *
 * A `connect.sid` whose signature does not verify (tampered, or signed with another secret) is
 * anonymous: the old store is not even read, so nothing in it changes.
 *
 * The work is framework-free (`migrate()`), so Koa, Fastify and Hono apps use it with a few lines
 * (docs/migrating.md); the function itself is node:http / Connect / Express middleware.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse, serialize } from 'cookie';
import { ImproperlyConfigured, SessionError, StoreUnavailable } from '../sessions/errors.js';
import { createLogger } from '../sessions/log.js';
import type { SessionManager } from '../sessions/manager.js';
import type { JsonValue } from '../sessions/serializer.js';
import { assertSessions, secureRequestChecker } from './adapter-checks.js';
import { mergeVary, sessionCookie } from './cookies.js';
import { sessionClaimed } from './missing-session.js';
import { nodeSecureSignals } from './node.js';
import { cookieIsSecure } from './secure.js';

const log = createLogger('sessionscope:migrate');

type Callback<T> = (error?: unknown, value?: T) => void;

/** The part of an express-session Store the migration uses (connect-redis, connect-pg-simple, …). */
export interface ExpressSessionStoreLike {
  get(sid: string, callback: Callback<OldSession | null | undefined>): unknown;
  destroy(sid: string, callback?: Callback<unknown>): unknown;
}

/** An express-session record: the app's data beside express-session's own `cookie`. */
interface OldSession {
  cookie?: { expires?: string | Date | null; originalMaxAge?: number | null } | null;
  [key: string]: unknown;
}

export interface ExpressSessionMigrationOptions {
  /** The store the express-session app used, e.g. new RedisStore({ client }). */
  store: ExpressSessionStoreLike;
  /** express-session's `secret`; an array verifies with every entry (express-session's rotation). */
  secret: string | readonly string[];
  /** express-session's `name` (default 'connect.sid'). */
  name?: string;
  /** express-session's cookie.path and cookie.domain, so the old cookie is cleared where it lives. */
  cookie?: { path?: string; domain?: string };
  /** Delete the old record once copied (default false: it expires on the old store's TTL). */
  deleteOld?: boolean;
}

/** What migrate() found: the request to hand on, and what the response must carry. */
export interface MigrationOutcome {
  /** The request's Cookie header with the new session's cookie first and the old one gone. */
  cookieHeader: string;
  /**
   * Set-Cookie values to add to the response, given the ones already on it: the new session cookie
   * (unless sessionscope's middleware wrote one, after a logout or key cycle, say) and the old
   * cookie's deletion.
   */
  setCookie(existing: readonly string[] | string | number | undefined): string[];
}

export interface ExpressSessionMigration {
  (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void): void;
  /** Framework-free core: `secure` says whether this request is https (for SESSION_COOKIE_SECURE: 'auto'). */
  migrate(request: { cookieHeader: string | undefined; secure?: boolean }): Promise<MigrationOutcome | null>;
}

interface Carried {
  key: string;
  /** The cookie's Max-Age when it was made (undefined: a browser-session cookie). */
  maxAge: number | undefined;
  at: number;
}

/** Requests racing with the same old cookie (a page and its fetches) share one migration. */
const RECENT_MS = 30_000;
const MAX_RECENT = 10_000;

export function migrateFromExpressSession(
  sessions: SessionManager,
  options: ExpressSessionMigrationOptions,
): ExpressSessionMigration {
  assertSessions(sessions, 'migrateFromExpressSession');
  const { store, deleteOld = false } = checkOptions(options);
  const name = options.name ?? 'connect.sid';
  const secrets = (Array.isArray(options.secret) ? options.secret : [options.secret]) as string[];
  const { settings, clock } = sessions;
  const newName = settings.sessionCookieName;
  if (newName === name)
    throw new ImproperlyConfigured(
      `migrateFromExpressSession: the old cookie name and SESSION_COOKIE_NAME are both ${JSON.stringify(name)}; the new session needs its own cookie name (the default is "sessionid").`,
    );
  const oldCookie = { path: options.cookie?.path ?? '/', domain: options.cookie?.domain };
  const inflight = new Map<string, Promise<Carried | null>>();
  const recent = new Map<string, Carried>();
  const isSecure = secureRequestChecker(sessions);

  /** A store call under SESSION_STORE_TIMEOUT_MS; its errors never quote the old session id. */
  const call = <T>(sid: string, run: (callback: Callback<T>) => unknown): Promise<T | undefined> =>
    new Promise<T | undefined>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new StoreUnavailable(
              `The express-session store did not answer within SESSION_STORE_TIMEOUT_MS (${settings.storeTimeoutMs} ms).`,
            ),
          ),
        settings.storeTimeoutMs,
      );
      const settle = (error: unknown, value?: T) => {
        clearTimeout(timer);
        if (error)
          reject(
            new StoreUnavailable(
              `The express-session store failed: ${describe(error).replaceAll(sid, '‹old session id›')}`,
            ),
          );
        else resolve(value);
      };
      try {
        const result = run((error, value) => settle(error, value));
        // Some stores (connect-redis 8+) return a promise and also call back; either settles us.
        if (result && typeof (result as Promise<T>).then === 'function')
          (result as Promise<T>).then(
            (value) => settle(undefined, value),
            (error: unknown) => settle(error ?? new Error('rejected')),
          );
      } catch (error) {
        settle(error);
      }
    });

  /** The new session for this old sid, or null when there is nothing to carry over. */
  async function carryOver(sid: string): Promise<Carried | null> {
    const old = await call<OldSession | null | undefined>(sid, (cb) => store.get(sid, cb));
    if (!old || typeof old !== 'object') return null;
    const expires = old.cookie?.expires ? new Date(old.cookie.expires) : null;
    if (expires && expires.getTime() <= Date.now()) return null;
    const { cookie, ...data } = old;
    const session = sessions.open();
    try {
      await session.update(data as Record<string, JsonValue>);
    } catch (error) {
      log.warn(
        `An express-session record could not be carried over (${error instanceof SessionError ? error.message : describe(error)}); the visitor continues without a session.`,
      );
      return null;
    }
    // A browser-session cookie in the old app (no maxAge) stays one; otherwise SESSION_COOKIE_AGE applies.
    if (cookie && cookie.expires == null && cookie.originalMaxAge == null) await session.setExpiry(0);
    await session.save();
    const key = session.sessionKey;
    if (!key) return null;
    const maxAge = (await session.getExpireAtBrowserClose()) ? undefined : await session.getExpiryAge();
    if (deleteOld) await call(sid, (cb) => store.destroy(sid, cb));
    return { key, maxAge, at: Date.now() };
  }

  function once(sid: string): Promise<Carried | null> {
    const now = Date.now();
    const done = recent.get(sid);
    if (done && now - done.at < RECENT_MS) return Promise.resolve(done);
    const running = inflight.get(sid);
    if (running) return running;
    const work = carryOver(sid)
      .then((carried) => {
        if (carried) {
          recent.set(sid, carried);
          for (const [old, entry] of recent)
            if (recent.size > MAX_RECENT || Date.now() - entry.at >= RECENT_MS) recent.delete(old);
            else break;
        }
        return carried;
      })
      .finally(() => inflight.delete(sid));
    inflight.set(sid, work);
    return work;
  }

  async function migrate(request: {
    cookieHeader: string | undefined;
    secure?: boolean;
  }): Promise<MigrationOutcome | null> {
    const header = request.cookieHeader;
    if (!header?.includes(name)) return null;
    const cookies = parse(header);
    if (cookies[newName] !== undefined) return null;
    const raw = cookies[name];
    if (raw === undefined || !raw.startsWith('s:')) return null; // express-session ignores unsigned cookies too
    const sid = unsign(raw.slice(2), secrets);
    if (sid === null) return null;
    const carried = await once(sid);
    const secure = request.secure === true;
    const clearOld = serialize(name, '', {
      path: oldCookie.path,
      domain: oldCookie.domain,
      expires: new Date(0),
      maxAge: 0,
      secure: cookieIsSecure(settings, secure) || undefined,
    });
    if (carried === null) return { cookieHeader: header, setCookie: () => [clearOld] };
    const { key } = carried;
    // A request sharing a migration a moment later gets the same expiry, not a longer one.
    const elapsed = Math.floor((Date.now() - carried.at) / 1000);
    const maxAge = carried.maxAge === undefined ? undefined : carried.maxAge - elapsed;
    const fresh = sessionCookie(settings, key, maxAge, clock.nowMs(), secure).header;
    const kept = header
      .split(';')
      .filter((pair) => pair.split('=', 1)[0]?.trim() !== name)
      .join(';')
      .trim();
    return {
      cookieHeader: kept ? `${newName}=${key}; ${kept}` : `${newName}=${key}`,
      setCookie: (existing) => {
        const lines = existing === undefined ? [] : Array.isArray(existing) ? existing : [String(existing)];
        const written = lines.some((line) => typeof line === 'string' && line.startsWith(`${newName}=`));
        return written ? [clearOld] : [fresh, clearOld];
      },
    };
  }

  const middleware = (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void): void => {
    if (sessionClaimed(req)) {
      next?.(
        new ImproperlyConfigured(
          'migrateFromExpressSession runs after a session middleware on this request. Put app.use(migrateFromExpressSession(sessions, {...})) before app.use(sessions.middleware()), and remove express-session.',
        ),
      );
      return;
    }
    migrate({
      cookieHeader: req.headers.cookie,
      secure: isSecure?.(nodeSecureSignals(req)),
    }).then(
      (outcome) => {
        if (outcome) {
          req.headers.cookie = outcome.cookieHeader;
          addCookiesWhenHeadersGo(res, outcome);
        }
        next?.();
      },
      (error: unknown) => {
        if (error instanceof StoreUnavailable && settings.onStoreUnavailable === 'continue') {
          log.warn('The express-session store is unavailable; this request goes on without migrating.');
          next?.();
          return;
        }
        log.error('Migrating an express-session session failed', error);
        next?.(error);
      },
    );
  };
  return Object.assign(middleware, { migrate });
}

/**
 * express-session's cookie-signature: `sid.base64(HMAC-SHA256(secret, sid))` without padding,
 * checked in constant time against every secret. Null when none matches.
 */
export function unsign(value: string, secrets: readonly string[]): string | null {
  const dot = value.lastIndexOf('.');
  if (dot <= 0) return null;
  const sid = value.slice(0, dot);
  const given = Buffer.from(value);
  for (const secret of secrets) {
    const mac = createHmac('sha256', secret).update(sid).digest('base64').replace(/=+$/, '');
    const expected = Buffer.from(`${sid}.${mac}`);
    if (expected.length === given.length && timingSafeEqual(expected, given)) return sid;
  }
  return null;
}

/**
 * The response's Set-Cookie is only final when its headers go out, after sessionscope's middleware
 * (which holds the response while it saves, then replays through these same methods) has added its
 * own: that is when the migration's cookies join them.
 */
function addCookiesWhenHeadersGo(res: ServerResponse, outcome: MigrationOutcome): void {
  const methods = ['writeHead', 'write', 'end', 'flushHeaders'] as const;
  const original = Object.fromEntries(methods.map((m) => [m, res[m]])) as Pick<
    ServerResponse,
    (typeof methods)[number]
  >;
  const restore = () => {
    for (const m of methods) (res as unknown as Record<string, unknown>)[m] = original[m];
  };
  for (const method of methods) {
    (res as unknown as Record<string, unknown>)[method] = function (
      this: ServerResponse,
      ...args: unknown[]
    ) {
      restore();
      if (!res.headersSent) {
        const extra = outcome.setCookie(res.getHeader('set-cookie'));
        if (extra.length) {
          res.appendHeader('set-cookie', extra);
          res.setHeader('vary', mergeVary(res.getHeader('vary') as string | undefined, 'Cookie'));
          if (!res.hasHeader('cache-control')) res.setHeader('cache-control', 'private, no-store');
        }
      }
      return (original[method] as (...a: unknown[]) => unknown).apply(res, args);
    };
  }
}

function checkOptions(options: ExpressSessionMigrationOptions): ExpressSessionMigrationOptions {
  if (!options || typeof options !== 'object')
    throw new ImproperlyConfigured(
      'migrateFromExpressSession(sessions, { store, secret }) needs the express-session store and secret the old app used.',
    );
  const { store, secret } = options;
  if (!store || typeof store.get !== 'function' || typeof store.destroy !== 'function')
    throw new ImproperlyConfigured(
      'migrateFromExpressSession: `store` must be the express-session store the old app used (get(sid, cb) and destroy(sid, cb)), e.g. new RedisStore({ client }).',
    );
  const list = Array.isArray(secret) ? secret : [secret];
  if (list.length === 0 || !list.every((s) => typeof s === 'string' && s.length > 0))
    throw new ImproperlyConfigured(
      "migrateFromExpressSession: `secret` must be express-session's secret (a non-empty string, or an array of them), the one connect.sid was signed with.",
    );
  return options;
}

/** An error for a log line: its message only (store errors may quote their input). */
function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message.split('\n', 1)[0]}` : 'unknown error';
}

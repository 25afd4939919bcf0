/**
 * Django's SessionMiddleware, free of any framework: `begin` is process_request (a lazy Session for
 * the cookie's key), `finish` is process_response (Vary, cookie deletion, save, Set-Cookie).
 * Adapters translate their request/response objects to these two calls.
 */
import type { NotSavedReason } from '../sessions/events.js';
import {
  SaveConflict,
  SessionError,
  SessionInterrupted,
  StoreUnavailable,
  UpdateError,
} from '../sessions/errors.js';
import { createLogger } from '../sessions/log.js';
import type { SessionManager } from '../sessions/manager.js';
import { type PendingOps, pendingOf } from '../sessions/pending-ops.js';
import type { Session } from '../sessions/session.js';
import { deletionCookie, mergeVary, readCookie, sessionCookie } from './cookies.js';

const log = createLogger('sessionscope:http');
export const REQUEST_ID_HEADER = 'x-sessionscope-request';

export interface RequestInfo {
  method: string;
  url: string;
  cookieHeader: string | undefined;
  /** The request came over https (http/secure.ts); decides Secure under SESSION_COOKIE_SECURE: 'auto'. */
  secure?: boolean;
}

export interface RequestState {
  session: Session;
  cookiePresent: boolean;
  /** The cookie's key was cycled out of band: this response must carry the new key's cookie. */
  forwarded: boolean;
  /** The cookie's key was forwarded already: no session, but do not delete the (new) cookie. */
  retired: boolean;
  /** Handle of the key the cookie carried (only while a client listens): a deletion names its session. */
  cookieHandle: string | undefined;
  requestId: string | undefined;
  method: string;
  path: string;
  secure: boolean;
  started: number;
  finished: boolean;
}

export interface ResponseInfo {
  status: number;
  vary: string | number | readonly string[] | undefined;
  /** The app's Cache-Control, for the development warning about `public` responses with a cookie. */
  cacheControl?: string | number | readonly string[] | undefined;
}

export interface FinishResult {
  /** Set-Cookie headers to append (never replacing the app's own). */
  setCookie: string[];
  /** The new Vary value, when it changed. */
  vary?: string;
  /** Replace the app's response: 400 for SessionInterrupted, 503 for an unavailable store, 500 otherwise. */
  replaceWith?: { status: number; body: string };
  requestIdHeader?: string;
}

let requestCounter = 0;
/**
 * Four random base-36 characters per process, so request ids from several processes (agent bus,
 * cluster workers) never collide in one timeline; fixed length, so prefix + counter stays unique.
 */
const REQUEST_ID_PREFIX = Math.floor(Math.random() * 36 ** 4)
  .toString(36)
  .padStart(4, '0');
/** Routes warned about already are remembered up to this many, so a path per user cannot grow it. */
const MAX_WARNED_ROUTES = 1000;

/**
 * Beyond Django (S0): `Cache-Control: public` on a response that sets the session cookie asks
 * shared caches to store one visitor's cookie. Vary: Cookie makes that safe only where the cache
 * honours Vary; said once per route in development.
 */
function publicCacheWarner(): (state: RequestState, cacheControl: ResponseInfo['cacheControl']) => void {
  const warned = new Set<string>();
  return (state, cacheControl) => {
    if (cacheControl === undefined) return;
    const text = Array.isArray(cacheControl) ? cacheControl.join(',') : String(cacheControl);
    if (!/(?:^|,)\s*public\s*(?:,|$)/i.test(text)) return;
    const route = `${state.method} ${state.path}`;
    if (warned.has(route) || warned.size >= MAX_WARNED_ROUTES) return;
    warned.add(route);
    log.warn(
      `${route} answered with "Cache-Control: ${text}" and set the session cookie: a shared cache (CDN, proxy) may store this visitor's session cookie and serve it to others. Mark responses that touch the session "private" (or "no-store"), or do not set "public" on them.`,
    );
  };
}

/** Django's order: get_expire_at_browser_close(), then get_expiry_age() unless that was true. */
async function awaitedCookieExpiry(session: Session): Promise<{ maxAge: number | undefined }> {
  const browserClose = await session.getExpireAtBrowserClose();
  return { maxAge: browserClose ? undefined : await session.getExpiryAge() };
}

export interface MiddlewareCore {
  begin(request: RequestInfo): RequestState;
  finish(state: RequestState, response: ResponseInfo): Promise<FinishResult>;
  /**
   * finish() without a promise when it has nothing to wait for (no call still running, nothing to
   * save: untouched, read-only, deleted-cookie responses); null when finish() must run instead.
   */
  finishNow(state: RequestState, response: ResponseInfo): FinishResult | null;
}

export interface CoreOptions {
  /** How the app reaches the session in this adapter, for messages: `req.session`, `ctx.session`. */
  accessor?: string;
}

export function createMiddlewareCore(sessions: SessionManager, options: CoreOptions = {}): MiddlewareCore {
  const { settings, events, clock } = sessions;
  const name = settings.sessionCookieName;
  const production = sessions.production;
  const warnPublic = publicCacheWarner();
  const accessor = options.accessor ?? 'req.session';
  const warnedUnawaited = new Set<string>();

  /**
   * U1: wait (at most the store timeout) for session calls the handler started but did not
   * await, so what they change is saved; in development say once per route which call it was.
   */
  async function settle(state: RequestState, pending: PendingOps): Promise<void> {
    const methods = pending.methods;
    const route = `${state.method} ${state.path}`;
    if (!production && !warnedUnawaited.has(route) && warnedUnawaited.size < MAX_WARNED_ROUTES) {
      warnedUnawaited.add(route);
      const calls = methods.map((method) => `${accessor}.${method}()`).join(', ');
      log.warn(
        `${route}: ${calls} was not awaited and was still running when the response started. sessionscope waited for it so nothing is lost, but the handler should \`await ${accessor}.${methods[0]}(…)\` before responding.`,
      );
    }
    if (!(await pending.drained(settings.storeTimeoutMs)))
      log.warn(
        `${route}: ${methods.join(', ')} did not finish within SESSION_STORE_TIMEOUT_MS (${settings.storeTimeoutMs} ms); the response goes on without waiting longer.`,
      );
  }

  return {
    begin(request) {
      const key = readCookie(request.cookieHeader, name);
      const forward = key === undefined ? null : sessions.forwards.take(key);
      const opened = forward?.kind === 'forward' ? forward.to : key;
      // With a listener, ask (once, here) whether it wants this request observed: the agent says
      // no for a session nobody follows once its summaries for the moment are spent, and such a
      // request then runs as with no listener (no events, no request id).
      const observed =
        events.active && events.observes(opened ? sessions.handles.handleFor(opened) : undefined);
      const session = observed || !events.active ? sessions.open(opened) : sessions.openUnobserved(opened);
      const query = request.url.indexOf('?');
      const path = query === -1 ? request.url : request.url.slice(0, query);
      const requestId = observed ? `r${REQUEST_ID_PREFIX}${(++requestCounter).toString(36)}` : undefined;
      session.requestId = requestId;
      if (requestId)
        events.dispatch({
          type: 'request.start',
          at: clock.nowMs(),
          requestId,
          method: request.method,
          path,
          cookiePresent: key !== undefined,
        });
      if (requestId && forward?.kind === 'forward')
        events.emit('session.warning', {
          at: clock.nowMs(),
          requestId,
          session: sessions.handles.handleFor(forward.to),
          code: 'key-forwarded',
          message:
            'The cookie held a key cycled from the inspector; this request was served the new key, whose cookie it now sets. The old key is dead.',
        });
      return {
        session,
        cookiePresent: key !== undefined,
        forwarded: forward?.kind === 'forward',
        retired: forward?.kind === 'retired',
        cookieHandle: requestId && key ? sessions.handles.handleFor(key) : undefined,
        requestId,
        method: request.method,
        path,
        secure: request.secure === true,
        // Only the request.end event reads it.
        started: requestId ? performance.now() : 0,
        finished: false,
      };
    },

    async finish(state, response) {
      state.finished = true;
      const pending = pendingOf(state.session);
      if (pending && pending.count > 0) await settle(state, pending);
      const flags = { accessed: state.session.accessed, modified: state.session.modified };
      const result = startResult(state);
      let saved = false;
      let notSaved = decideWithoutSaving(state, response, result);
      if (notSaved === undefined) {
        try {
          const outcome = await saveAndRenderCookie(state.session, response.status, state, result);
          saved = outcome === 'saved';
          notSaved = outcome === 'saved' ? undefined : outcome;
        } catch (error) {
          notSaved = failResponse(error, state, result);
        }
      }
      return conclude(state, response, result, flags, saved, notSaved);
    },

    finishNow(state, response) {
      const session = state.session;
      const pending = pendingOf(session);
      if (pending && pending.count > 0) return null;
      if (wouldSave(state)) return null;
      state.finished = true;
      const flags = { accessed: session.accessed, modified: session.modified };
      const result = startResult(state);
      return conclude(state, response, result, flags, false, decideWithoutSaving(state, response, result));
    },
  };

  /** The same test as decideWithoutSaving's save branch, without its side effects. */
  function wouldSave(state: RequestState): boolean {
    const session = state.session;
    return (
      !session.storeUnavailable &&
      !session.isEmpty() &&
      (session.modified || state.forwarded || settings.sessionSaveEveryRequest)
    );
  }

  function startResult(state: RequestState): FinishResult {
    const result: FinishResult = { setCookie: [] };
    if (state.requestId) result.requestIdHeader = state.requestId;
    return result;
  }

  /** Django's process_response up to the save: the reason nothing is saved, or undefined to save. */
  function decideWithoutSaving(
    state: RequestState,
    response: ResponseInfo,
    result: FinishResult,
  ): NotSavedReason | undefined {
    const session = state.session;
    const { accessed, modified } = session;
    const empty = session.isEmpty();
    if (session.storeUnavailable) {
      // Continued without a session: saving would overwrite or lose data, deleting the cookie would log the visitor out.
      if (accessed) result.vary = mergeVary(response.vary, 'Cookie');
      return 'store-error';
    }
    if (state.cookiePresent && empty && !state.retired) {
      deleteCookie(result, state);
      result.vary = mergeVary(response.vary, 'Cookie');
      return 'empty';
    }
    if (accessed) result.vary = mergeVary(response.vary, 'Cookie');
    if ((modified || state.forwarded || settings.sessionSaveEveryRequest) && !empty) return undefined;
    return empty ? 'empty' : 'unmodified';
  }

  function conclude(
    state: RequestState,
    response: ResponseInfo,
    result: FinishResult,
    /** The session's flags before saving (a save may set them), for the request.end event. */
    flags: { accessed: boolean; modified: boolean },
    saved: boolean,
    notSaved: NotSavedReason | undefined,
  ): FinishResult {
    // S0, CVE-2026-35192: a response that sets or deletes the session cookie always varies on
    // Cookie, even when the view never read the session (SAVE_EVERY_REQUEST), or a shared cache
    // could hand one visitor's Set-Cookie to the next.
    if (result.setCookie.length) {
      result.vary = mergeVary(result.vary ?? response.vary, 'Cookie');
      if (!production && saved) warnPublic(state, response.cacheControl);
    }
    if (state.requestId) {
      const { accessed, modified } = flags;
      events.dispatch({
        type: 'request.end',
        at: clock.nowMs(),
        requestId: state.requestId,
        method: state.method,
        path: state.path,
        status: result.replaceWith?.status ?? response.status,
        ms: performance.now() - state.started,
        accessed,
        modified,
        saved,
        notSavedReason: notSaved,
      });
    }
    return result;
  }

  async function saveAndRenderCookie(
    session: Session,
    status: number,
    state: RequestState,
    result: FinishResult,
  ): Promise<'saved' | NotSavedReason> {
    const maxAge = (session.loadedCookieExpiry() ?? (await awaitedCookieExpiry(session))).maxAge;
    // Loading just found the cookie's key unknown or expired. Django would now create an empty
    // record (its scenario 12b under SAVE_EVERY_REQUEST); we never create records from reads.
    if (session.isEmpty()) {
      if (state.cookiePresent && !state.retired) deleteCookie(result, state);
      return 'empty';
    }
    if (status >= 500) return 'server-error';
    try {
      await session.save();
    } catch (error) {
      if (error instanceof UpdateError) throw new SessionInterrupted({ cause: error });
      throw error;
    }
    const cookie = sessionCookie(settings, session.sessionKey ?? '', maxAge, clock.nowMs(), state.secure);
    result.setCookie.push(cookie.header);
    if (state.requestId) {
      // Events never carry the raw key (ID-6): the cookie's value is shown as the session's handle.
      const handle = sessionHandle(session);
      const shown = handle ? `‹${handle}›` : '';
      events.dispatch({
        type: 'cookie.set',
        at: clock.nowMs(),
        requestId: state.requestId,
        session: handle,
        cookie: { ...cookie.attributes, value: shown },
        header: redactHeader(cookie.header, cookie.attributes, shown),
      });
    }
    return 'saved';
  }

  function deleteCookie(result: FinishResult, state: RequestState): void {
    const cookie = deletionCookie(settings, state.secure);
    result.setCookie.push(cookie.header);
    if (state.requestId)
      events.emit('cookie.deleted', {
        at: clock.nowMs(),
        requestId: state.requestId,
        ...(state.cookieHandle ? { session: state.cookieHandle } : {}),
        cookie: cookie.attributes,
        header: cookie.header,
      });
  }

  function failResponse(error: unknown, state: RequestState, result: FinishResult): NotSavedReason {
    if (error instanceof SessionInterrupted) {
      result.replaceWith = { status: 400, body: error.message };
      if (state.requestId)
        events.emit('session.interrupted', {
          at: clock.nowMs(),
          requestId: state.requestId,
          message: error.message,
        });
      return 'interrupted';
    }
    if (error instanceof SaveConflict) {
      // The merge strategy gave up (409 in the event and the log); the app's response stands.
      log.warn(`Session not saved: ${error.message}`);
      return 'conflict';
    }
    if (error instanceof StoreUnavailable) {
      log.error('Session store unavailable while saving; answering 503', error);
      if (settings.onStoreUnavailable === 'fail')
        result.replaceWith = { status: 503, body: 'Service Unavailable: the session store did not answer.' };
      return 'store-error';
    }
    log.error(`Session could not be saved${error instanceof SessionError ? ` (${error.code})` : ''}`, error);
    result.replaceWith = { status: 500, body: 'Internal Server Error: the session could not be saved.' };
    return 'store-error';
  }

  function sessionHandle(session: Session): string | undefined {
    return session.sessionKey ? sessions.handles.handleFor(session.sessionKey) : undefined;
  }

  /** The header with its value replaced by `shown`: `name=value` leads it (cookies.ts writes it so). */
  function redactHeader(header: string, attributes: { name: string; value: string }, shown: string): string {
    const { name, value } = attributes;
    if (!value) return header;
    const valueAt = name.length + 1;
    if (!header.startsWith(value, valueAt)) return header.replace(value, shown);
    return `${name}=${shown}${header.slice(valueAt + value.length)}`;
  }
}

/**
 * Django's SessionMiddleware, free of any framework: `begin` is process_request (a lazy Session for
 * the cookie's key), `finish` is process_response (Vary, cookie deletion, save, Set-Cookie).
 * Adapters translate their request/response objects to these two calls.
 */
import type { NotSavedReason } from '../sessions/events.js';
import { createLogger } from '../sessions/log.js';
import type { SessionManager } from '../sessions/manager.js';
import { type PendingOps, pendingOf } from '../sessions/pending-ops.js';
import { mergeVary, readCookie } from './cookies.js';
import { createCookieSaver } from './middleware-save.js';
import type { FinishResult, RequestInfo, RequestState, ResponseInfo } from './middleware-types.js';

const log = createLogger('sessionscope:http');
export const REQUEST_ID_HEADER = 'x-sessionscope-request';

export type { FinishResult, RequestInfo, RequestState, ResponseInfo } from './middleware-types.js';

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
  const { saveAndRenderCookie, deleteCookie, failResponse } = createCookieSaver(sessions);

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

    // Not an async function: a saving request is one then() on its save here (a promise fewer);
    // whatever throws on the way still comes out as a rejection.
    finish(state, response) {
      try {
        state.finished = true;
        const pending = pendingOf(state.session);
        if (pending && pending.count > 0)
          return settle(state, pending).then(() => finishSettled(state, response));
        return finishSettled(state, response);
      } catch (error) {
        return Promise.reject(error);
      }
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

  /** finish() once no call of the handler's runs any more: save unless nothing is to be saved. */
  function finishSettled(state: RequestState, response: ResponseInfo): Promise<FinishResult> {
    const flags = { accessed: state.session.accessed, modified: state.session.modified };
    const result = startResult(state);
    const notSaved = decideWithoutSaving(state, response, result);
    if (notSaved !== undefined)
      return Promise.resolve(conclude(state, response, result, flags, false, notSaved));
    const concluded = (outcome: 'saved' | NotSavedReason) =>
      conclude(
        state,
        response,
        result,
        flags,
        outcome === 'saved',
        outcome === 'saved' ? undefined : outcome,
      );
    let saving: Promise<'saved' | NotSavedReason>;
    try {
      saving = saveAndRenderCookie(state.session, response.status, state, result);
    } catch (error) {
      return Promise.resolve(concluded(failResponse(error, state, result)));
    }
    return saving.then(concluded, (error: unknown) => concluded(failResponse(error, state, result)));
  }

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
}

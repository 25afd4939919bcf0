/**
 * The save half of the middleware's finish (process_response): save the session, then render its
 * Set-Cookie; delete the cookie of a session that ended; turn a failed save into the response the
 * settings ask for. Apart from middleware.ts, which decides whether a request saves at all.
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
import { untrackedMethod } from '../sessions/pending-ops.js';
import { Session } from '../sessions/session.js';
import { deletionCookie, sessionCookie } from './cookies.js';
import type { FinishResult, RequestState } from './middleware-types.js';

const log = createLogger('sessionscope:http');
/**
 * The middleware awaits its own save, so it skips the U1 count (pending-ops.ts) that a handler's
 * save() goes through: a then() less per saving request.
 */
const saveUntracked = untrackedMethod<(this: Session) => Promise<void>>(Session.prototype, 'save');

/** Django's order: get_expire_at_browser_close(), then get_expiry_age() unless that was true. */
async function awaitedCookieExpiry(session: Session): Promise<{ maxAge: number | undefined }> {
  const browserClose = await session.getExpireAtBrowserClose();
  return { maxAge: browserClose ? undefined : await session.getExpiryAge() };
}

export interface CookieSaver {
  saveAndRenderCookie(
    session: Session,
    status: number,
    state: RequestState,
    result: FinishResult,
  ): Promise<'saved' | NotSavedReason>;
  deleteCookie(result: FinishResult, state: RequestState): void;
  failResponse(error: unknown, state: RequestState, result: FinishResult): NotSavedReason;
}

export function createCookieSaver(sessions: SessionManager): CookieSaver {
  const { settings, events, clock } = sessions;

  /**
   * Saves, then renders the session cookie. Not an async function: with the data loaded (the usual
   * case) it is one then() on the save, a promise fewer per saving request than an async frame's
   * await. finish() calls it inside its try, so a throw here is handled as a rejection would be.
   */
  function saveAndRenderCookie(
    session: Session,
    status: number,
    state: RequestState,
    result: FinishResult,
  ): Promise<'saved' | NotSavedReason> {
    const loaded = session.loadedCookieExpiry();
    if (loaded === undefined)
      return awaitedCookieExpiry(session).then(({ maxAge }) =>
        saveThenRender(session, maxAge, status, state, result),
      );
    return saveThenRender(session, loaded.maxAge, status, state, result);
  }

  function saveThenRender(
    session: Session,
    maxAge: number | undefined,
    status: number,
    state: RequestState,
    result: FinishResult,
  ): Promise<'saved' | NotSavedReason> {
    // Loading just found the cookie's key unknown or expired. Django would now create an empty
    // record (its scenario 12b under SAVE_EVERY_REQUEST); we never create records from reads.
    if (session.isEmpty()) {
      if (state.cookiePresent && !state.retired) deleteCookie(result, state);
      return Promise.resolve('empty');
    }
    if (status >= 500) return Promise.resolve('server-error');
    return saveUntracked.call(session).then(
      () => {
        renderCookie(session, maxAge, state, result);
        return 'saved' as const;
      },
      (error: unknown) => {
        if (error instanceof UpdateError) throw new SessionInterrupted({ cause: error });
        throw error;
      },
    );
  }

  function renderCookie(
    session: Session,
    maxAge: number | undefined,
    state: RequestState,
    result: FinishResult,
  ): void {
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

  return { saveAndRenderCookie, deleteCookie, failResponse };
}

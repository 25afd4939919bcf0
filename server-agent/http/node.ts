/**
 * node:http / Connect / Express. The session is saved before the response's headers leave:
 * the first writeHead/write/end/flushHeaders is held while the core saves, then replayed with the
 * session's Set-Cookie and Vary added. So a redirect's next request sees the write, streamed
 * responses work, and the app's own Set-Cookie headers (array-form writeHead too) survive.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { createLogger } from '../sessions/log.js';
import type { SessionManager } from '../sessions/manager.js';
import type { Session } from '../sessions/session.js';
import { secureRequestChecker } from './adapter-checks.js';
import { guardNodeRequests, sessionClaimed } from './missing-session.js';
import type { SecureSignals } from './secure.js';
import {
  createMiddlewareCore,
  type FinishResult,
  type MiddlewareCore,
  type RequestState,
} from './middleware.js';

const log = createLogger('sessionscope:http');

declare module 'node:http' {
  interface IncomingMessage {
    /**
     * Set by the middleware. Declared non-optional (as express-session does) because Express's
     * Request extends both this and Express.Request: an optional here made `req.session`
     * `Session | undefined` in every Express route.
     */
    session: Session;
  }
}

type Next = (error?: unknown) => void;
export type NodeMiddleware = (req: IncomingMessage, res: ServerResponse, next?: Next) => void;

export function nodeMiddleware(
  sessions: SessionManager,
  core: MiddlewareCore = createMiddlewareCore(sessions),
): NodeMiddleware {
  const isSecure = secureRequestChecker(sessions);
  guardNodeRequests();
  return (req, res, next) => {
    if (sessionClaimed(req)) {
      next?.(
        new Error(
          'sessionscope middleware is installed twice on this request; keep one app.use(sessions.middleware()).',
        ),
      );
      return;
    }
    const state = core.begin({
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      cookieHeader: req.headers.cookie,
      secure: isSecure?.(nodeSecureSignals(req)),
    });
    req.session = state.session;
    holdResponseUntilSaved(res, core, state);
    next?.();
  };
}

/** TLS, Express's trust-proxy-aware `req.secure` where Express is there, and the headers. */
export function nodeSecureSignals(req: IncomingMessage): SecureSignals {
  return {
    encrypted: (req.socket as { encrypted?: boolean } | null)?.encrypted === true,
    framework: (req as { secure?: unknown }).secure === true,
    header: (name) => req.headers[name],
  };
}

type Method = 'writeHead' | 'write' | 'end' | 'flushHeaders';
type Held = { method: Method; args: unknown[] };
type Original = (this: ServerResponse, ...args: unknown[]) => unknown;

/**
 * One response's hold: the methods it had before (another middleware's wrappers included), what
 * was called while the save ran, and where it is. The four interceptors are shared functions that
 * find it through `this`, as the ServerResponse methods they stand for do: six closures per
 * request cost more than the rest of an untouched request's session work (profiled).
 */
interface Hold {
  core: MiddlewareCore;
  state: RequestState;
  writeHead: Original;
  write: Original;
  end: Original;
  flushHeaders: Original;
  held: Held[];
  phase: 'open' | 'saving' | 'sent';
}
const HOLD = Symbol('sessionscope.hold');
type HeldResponse = ServerResponse & { [HOLD]?: Hold };

export function holdResponseUntilSaved(res: ServerResponse, core: MiddlewareCore, state: RequestState): void {
  const hold: Hold = {
    core,
    state,
    writeHead: res.writeHead as Original,
    write: res.write as Original,
    end: res.end as Original,
    flushHeaders: res.flushHeaders as Original,
    held: [],
    phase: 'open',
  };
  (res as HeldResponse)[HOLD] = hold;
  res.writeHead = heldWriteHead as ServerResponse['writeHead'];
  res.write = heldWrite as ServerResponse['write'];
  res.end = heldEnd as ServerResponse['end'];
  res.flushHeaders = heldFlushHeaders as ServerResponse['flushHeaders'];
  // Only for the debug log: a listener per response costs measurable time on every request.
  if (log.enabled) {
    res.once('close', () => {
      if (!state.finished && hold.phase === 'open')
        log.debug(`${state.method} ${state.path}: connection closed before a response; session not saved`);
    });
  }
}

function heldWriteHead(this: HeldResponse, ...args: unknown[]): unknown {
  return intercept(this, 'writeHead', args);
}
function heldWrite(this: HeldResponse, ...args: unknown[]): unknown {
  return intercept(this, 'write', args);
}
function heldEnd(this: HeldResponse, ...args: unknown[]): unknown {
  return intercept(this, 'end', args);
}
function heldFlushHeaders(this: HeldResponse, ...args: unknown[]): unknown {
  return intercept(this, 'flushHeaders', args);
}

function intercept(res: HeldResponse, method: Method, args: unknown[]): unknown {
  const hold = res[HOLD] as Hold;
  if (hold.phase === 'sent') return hold[method].apply(res, args);
  if (method === 'writeHead') {
    absorbWriteHeadHeaders(res, args);
    hold.held.push({ method, args: [res.statusCode] });
  } else {
    hold.held.push({ method, args });
  }
  if (hold.phase === 'open') {
    hold.phase = 'saving';
    let outcome: FinishResult | Promise<FinishResult>;
    try {
      const response = {
        status: res.statusCode,
        vary: res.getHeader('vary') as string | undefined,
        cacheControl: res.getHeader('cache-control'),
      };
      outcome = hold.core.finishNow(hold.state, response) ?? hold.core.finish(hold.state, response);
    } catch (error) {
      failed(res, hold, error);
      return method === 'write' ? true : res;
    }
    // Nothing to wait for (untouched, read-only): the response goes out now, in this call.
    if (outcome instanceof Promise)
      outcome.then((result) => replay(res, hold, result)).catch((error: unknown) => failed(res, hold, error));
    else replay(res, hold, outcome);
  }
  return method === 'write' ? true : res;
}

function failed(res: ServerResponse, hold: Hold, error: unknown): void {
  log.error('Session middleware failed while finishing the response', error);
  replay(res, hold, { setCookie: [], replaceWith: { status: 500, body: 'Internal Server Error' } });
}

function replay(res: ServerResponse, hold: Hold, result: FinishResult): void {
  // The interceptors stay in place and pass through from now on: putting the four methods back
  // cost more per request than the pass-through does.
  hold.phase = 'sent';
  if (res.headersSent || res.destroyed) return;
  if (result.replaceWith) {
    for (const name of res.getHeaderNames()) res.removeHeader(name);
    const body = `${result.replaceWith.body}\n`;
    hold.writeHead.call(res, result.replaceWith.status, {
      'content-type': 'text/plain; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      ...cookieHeaders(result),
    });
    hold.end.call(res, body);
    return;
  }
  if (result.setCookie.length) {
    // setHeader when the app set no cookie of its own: appendHeader costs several times more.
    if (res.hasHeader('set-cookie')) res.appendHeader('set-cookie', result.setCookie);
    else res.setHeader('set-cookie', result.setCookie);
    if (!res.hasHeader('cache-control')) res.setHeader('cache-control', 'private, no-store');
  }
  if (result.vary !== undefined) res.setHeader('vary', result.vary);
  if (result.requestIdHeader) res.setHeader('x-sessionscope-request', result.requestIdHeader);
  for (const call of hold.held) hold[call.method].apply(res, call.args);
}

/**
 * writeHead(status, [message], headers) would replace headers set with setHeader, including the
 * session cookie. Fold its headers into the response first (appending Set-Cookie and merging
 * array-form pairs), then replay writeHead with the status only.
 */
function absorbWriteHeadHeaders(res: ServerResponse, args: unknown[]): void {
  const [status, second, third] = args;
  if (typeof status === 'number') res.statusCode = status;
  if (typeof second === 'string') res.statusMessage = second;
  const headers = typeof second === 'string' ? third : second;
  if (!headers) return;
  if (Array.isArray(headers)) {
    // Either [[name, value], …] or the flat raw form [name, value, name, value, …].
    const pairs: [string, unknown][] = Array.isArray(headers[0])
      ? (headers as [string, unknown][])
      : Array.from({ length: headers.length / 2 }, (_, i) => [headers[2 * i] as string, headers[2 * i + 1]]);
    const fresh = new Set<string>();
    for (const [name, value] of pairs) {
      const lower = name.toLowerCase();
      if (lower === 'set-cookie' || fresh.has(lower)) res.appendHeader(lower, value as string);
      else {
        res.setHeader(lower, value as string);
        fresh.add(lower);
      }
    }
    return;
  }
  for (const [name, value] of Object.entries(headers as OutgoingHttpHeaders)) {
    if (value === undefined) continue;
    if (name.toLowerCase() === 'set-cookie') res.appendHeader('set-cookie', value as string | string[]);
    else res.setHeader(name, value);
  }
}

/** The session's headers on a replaced response: its cookies and the Vary they need (S0). */
function cookieHeaders(result: FinishResult): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  if (result.setCookie.length) headers['set-cookie'] = result.setCookie;
  if (result.vary !== undefined) headers.vary = result.vary;
  return headers;
}

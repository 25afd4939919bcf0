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
    holdResponseUntilSaved(
      res,
      (status) => {
        const response = {
          status,
          vary: res.getHeader('vary') as string | undefined,
          cacheControl: res.getHeader('cache-control'),
        };
        return core.finishNow(state, response) ?? core.finish(state, response);
      },
      state,
    );
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

type Held = { method: 'writeHead' | 'write' | 'end' | 'flushHeaders'; args: unknown[] };

export function holdResponseUntilSaved(
  res: ServerResponse,
  finish: (status: number) => FinishResult | Promise<FinishResult>,
  state: RequestState,
): void {
  const original = {
    writeHead: res.writeHead,
    write: res.write,
    end: res.end,
    flushHeaders: res.flushHeaders,
  };
  const held: Held[] = [];
  let phase: 'open' | 'saving' | 'sent' = 'open';

  const replay = (result: FinishResult) => {
    // The interceptors stay in place and pass through from now on: putting the four methods back
    // cost more per request than the pass-through does.
    phase = 'sent';
    if (res.headersSent || res.destroyed) return;
    if (result.replaceWith) {
      for (const name of res.getHeaderNames()) res.removeHeader(name);
      const body = `${result.replaceWith.body}\n`;
      (original.writeHead as (status: number, headers: OutgoingHttpHeaders) => ServerResponse).call(
        res,
        result.replaceWith.status,
        {
          'content-type': 'text/plain; charset=utf-8',
          'content-length': Buffer.byteLength(body),
          ...cookieHeaders(result),
        },
      );
      (original.end as (body: string) => ServerResponse).call(res, body);
      return;
    }
    if (result.setCookie.length) {
      res.appendHeader('set-cookie', result.setCookie);
      if (!res.hasHeader('cache-control')) res.setHeader('cache-control', 'private, no-store');
    }
    if (result.vary !== undefined) res.setHeader('vary', result.vary);
    if (result.requestIdHeader) res.setHeader('x-sessionscope-request', result.requestIdHeader);
    for (const call of held) (original[call.method] as (...args: unknown[]) => unknown).apply(res, call.args);
  };
  const failed = (error: unknown) => {
    log.error('Session middleware failed while finishing the response', error);
    replay({ setCookie: [], replaceWith: { status: 500, body: 'Internal Server Error' } });
  };

  const intercept = (method: Held['method']) =>
    function (this: ServerResponse, ...args: unknown[]) {
      if (phase === 'sent') return (original[method] as (...a: unknown[]) => unknown).apply(res, args);
      if (method === 'writeHead') {
        absorbWriteHeadHeaders(res, args);
        held.push({ method, args: [res.statusCode] });
      } else {
        held.push({ method, args });
      }
      if (phase === 'open') {
        phase = 'saving';
        let outcome: FinishResult | Promise<FinishResult>;
        try {
          outcome = finish(res.statusCode);
        } catch (error) {
          failed(error);
          return method === 'write' ? true : res;
        }
        // Nothing to wait for (untouched, read-only): the response goes out now, in this call.
        if (outcome instanceof Promise) outcome.then(replay).catch(failed);
        else replay(outcome);
      }
      return method === 'write' ? true : res;
    };

  res.writeHead = intercept('writeHead') as ServerResponse['writeHead'];
  res.write = intercept('write') as ServerResponse['write'];
  res.end = intercept('end') as ServerResponse['end'];
  res.flushHeaders = intercept('flushHeaders') as ServerResponse['flushHeaders'];
  // Only for the debug log: a listener per response costs measurable time on every request.
  if (log.enabled) {
    res.once('close', () => {
      if (!state.finished && phase === 'open')
        log.debug(`${state.method} ${state.path}: connection closed before a response; session not saved`);
    });
  }
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

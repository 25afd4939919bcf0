/**
 * node:http / Connect / Express. The session is saved before the response's headers leave:
 * the first writeHead/write/end/flushHeaders is held while the core saves, then replayed with the
 * session's Set-Cookie and Vary added. So a redirect's next request sees the write, streamed
 * responses work, and the app's own Set-Cookie headers (array-form writeHead too) survive.
 */
import { type IncomingMessage, type OutgoingHttpHeaders, ServerResponse } from 'node:http';
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
const METHODS: readonly Method[] = ['writeHead', 'write', 'end', 'flushHeaders'];
type Held = { method: Method; args: unknown[] };
type Original = (this: ServerResponse, ...args: unknown[]) => unknown;
type Originals = Record<Method, Original>;

/** One response's hold: the methods the replay calls, what was called while the save ran, and where it is. */
interface Hold extends Originals {
  core: MiddlewareCore;
  state: RequestState;
  held: Held[];
  phase: 'open' | 'saving' | 'sent';
}

/**
 * Holds are found by response in a WeakMap, and the four interceptors sit once on
 * ServerResponse.prototype rather than on each response. Express gives every response a prototype
 * of its own (Object.setPrototypeOf(res, app.response)), and from then on each property added to
 * that object costs ~3–4 µs (V8 no longer shares its hidden-class transitions): the hold and four
 * methods set per response were ~17 µs, a fifth of an Express request that never used its session
 * (bench/request-path.ts none). A response without a hold passes straight through.
 */
const holds = new WeakMap<ServerResponse, Hold>();
/** Holds of responses intercepted per response (see wrappedBefore): the prototype's interceptors pass those through. */
const ownHolds = new WeakMap<ServerResponse, Hold>();
/** ServerResponse.prototype's methods before this copy of the package put its interceptors there. */
let prototypeOriginals: Originals | undefined;

function interceptorFor(method: Method, original: Original): Original {
  return function (this: ServerResponse): unknown {
    const hold = holds.get(this);
    // `arguments`, not a rest parameter: a pass-through (a response without a hold, or one already
    // replayed, such as end()'s own implicit writeHead) then makes no array, since V8 hands
    // `arguments` to apply() as it is; the rest array was ~0.6 KB allocated a request. A prototype
    // hold's methods are these originals, so passing through here is what intercept() would do.
    if (hold === undefined || hold.phase === 'sent')
      // biome-ignore lint/complexity/noArguments: see above; a rest parameter allocates on every call.
      return original.apply(this, arguments as unknown as unknown[]);
    // biome-ignore lint/complexity/noArguments: only a held call keeps its arguments.
    return intercept(this, hold, method, Array.prototype.slice.call(arguments));
  };
}

function interceptOnPrototype(): Originals {
  if (prototypeOriginals) return prototypeOriginals;
  const proto = ServerResponse.prototype as unknown as Record<Method, Original>;
  const originals = {} as Originals;
  for (const method of METHODS) {
    const original = proto[method];
    originals[method] = original;
    Object.defineProperty(proto, method, {
      configurable: true,
      writable: true,
      enumerable: false,
      value: interceptorFor(method, original),
    });
  }
  prototypeOriginals = originals;
  return originals;
}

/** Per-response interceptors (see wrappedBefore). */
const instanceInterceptors = Object.fromEntries(
  METHODS.map((method) => [
    method,
    function (this: ServerResponse, ...args: unknown[]): unknown {
      return intercept(this, ownHolds.get(this) as Hold, method, args);
    },
  ]),
) as Originals;

/**
 * Did a middleware that ran before this one wrap the response's methods (on-headers, compression,
 * migrateFromExpressSession)? Then the hold goes on the response itself, in front of those
 * wrappers, as it always did: they must see the session's Set-Cookie when the replay reaches them.
 * Wrappers added after this middleware call the prototype's interceptors either way.
 */
function wrappedBefore(res: ServerResponse): boolean {
  return (
    Object.hasOwn(res, 'writeHead') ||
    Object.hasOwn(res, 'write') ||
    Object.hasOwn(res, 'end') ||
    Object.hasOwn(res, 'flushHeaders')
  );
}

export function holdResponseUntilSaved(res: ServerResponse, core: MiddlewareCore, state: RequestState): void {
  // Per response also for one that does not inherit from ServerResponse (a stand-in).
  const onPrototype = res instanceof ServerResponse && !wrappedBefore(res);
  const own = res as unknown as Originals;
  const originals = onPrototype ? interceptOnPrototype() : own;
  const hold: Hold = {
    core,
    state,
    writeHead: originals.writeHead,
    write: originals.write,
    end: originals.end,
    flushHeaders: originals.flushHeaders,
    held: [],
    phase: 'open',
  };
  if (onPrototype) holds.set(res, hold);
  else {
    ownHolds.set(res, hold);
    for (const method of METHODS) own[method] = instanceInterceptors[method];
  }
  // Only for the debug log: a listener per response costs measurable time on every request.
  if (log.enabled) {
    res.once('close', () => {
      if (!state.finished && hold.phase === 'open')
        log.debug(`${state.method} ${state.path}: connection closed before a response; session not saved`);
    });
  }
}

function intercept(res: ServerResponse, hold: Hold, method: Method, args: unknown[]): unknown {
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
    // One then(ok, failed) rather than then().catch(): a promise less per saving response; replay
    // throwing still ends in failed(), as the catch() gave.
    if (outcome instanceof Promise)
      outcome.then(
        (result) => {
          try {
            replay(res, hold, result);
          } catch (error) {
            failed(res, hold, error);
          }
        },
        (error: unknown) => failed(res, hold, error),
      );
    else replay(res, hold, outcome);
  }
  return method === 'write' ? true : res;
}

function failed(res: ServerResponse, hold: Hold, error: unknown): void {
  log.error('Session middleware failed while finishing the response', error);
  replay(res, hold, { setCookie: [], replaceWith: { status: 500, body: 'Internal Server Error' } });
}

function replay(res: ServerResponse, hold: Hold, result: FinishResult): void {
  // The interceptors pass through from now on (a stand-in's stay in place: putting the four
  // methods back cost more per request than the pass-through does).
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

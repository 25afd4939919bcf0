/**
 * Hono 4 on web-standard Request/Response: `app.use(honoSessions(sessions))` gives
 * `c.get('session')`. The handler's Response is complete (a stream not yet read) when `next()`
 * resolves, so the session is saved before the runtime sends the headers.
 */
import type { MiddlewareHandler } from 'hono';
import type { SessionManager } from '../sessions/manager.js';
import type { Session } from '../sessions/session.js';
import { assertSessions, secureRequestChecker } from './adapter-checks.js';
import type { SessionVariables } from './framework-shapes.js';
import { createMiddlewareCore } from './middleware.js';

export type { SessionVariables } from './framework-shapes.js';

// Types c.get('session') in every app, generic Variables or not.
declare module 'hono' {
  interface ContextVariableMap {
    session: Session;
  }
}

export function honoSessions(sessions: SessionManager): MiddlewareHandler<{ Variables: SessionVariables }> {
  assertSessions(sessions, 'honoSessions');
  const core = createMiddlewareCore(sessions, { accessor: "c.get('session')" });
  const isSecure = secureRequestChecker(sessions);

  return async function sessionscope(c, next) {
    if (c.get('session') !== undefined) {
      throw new Error(
        "c.get('session') is already set: sessionscope is installed twice, or after another session middleware. Keep one app.use(honoSessions(sessions)), before your routes.",
      );
    }
    const url = new URL(c.req.url);
    const state = core.begin({
      method: c.req.method,
      url: url.pathname + url.search,
      cookieHeader: c.req.header('cookie'),
      // The URL's scheme is the connection's (no proxy header is trusted here): a proxy is
      // trusted through SECURE_PROXY_SSL_HEADER.
      secure: isSecure?.({ encrypted: url.protocol === 'https:', header: (name) => c.req.header(name) }),
    });
    c.set('session', state.session);
    await next();
    const result = await core.finish(state, {
      status: c.res.status,
      vary: c.res.headers.get('vary') ?? undefined,
      cacheControl: c.res.headers.get('cache-control') ?? undefined,
    });
    if (result.replaceWith) {
      const headers = new Headers({ 'content-type': 'text/plain; charset=utf-8' });
      for (const cookie of result.setCookie) headers.append('set-cookie', cookie);
      if (result.vary !== undefined) headers.set('vary', result.vary);
      // Cleared first: Hono's setter would otherwise merge the failed response's headers in.
      c.res = undefined;
      c.res = new Response(`${result.replaceWith.body}\n`, { status: result.replaceWith.status, headers });
      return;
    }
    if (!result.setCookie.length && result.vary === undefined && !result.requestIdHeader) return;
    // Responses such as Response.redirect() have immutable headers: copy before patching.
    const response = new Response(c.res.body, c.res);
    for (const cookie of result.setCookie) response.headers.append('set-cookie', cookie);
    if (result.setCookie.length && !response.headers.has('cache-control'))
      response.headers.set('cache-control', 'private, no-store');
    if (result.vary !== undefined) response.headers.set('vary', result.vary);
    if (result.requestIdHeader) response.headers.set('x-sessionscope-request', result.requestIdHeader);
    c.res = undefined;
    c.res = response;
  };
}

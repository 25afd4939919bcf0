/**
 * Koa 3: `app.use(koaSessions(sessions))` gives `ctx.session`. Koa writes the response after the
 * middleware chain resolves, so finishing after `await next()` saves before any byte leaves,
 * redirects and streamed bodies included.
 */
import type { Context, Middleware, Next } from 'koa';
import type { SessionManager } from '../sessions/manager.js';
import type { Session } from '../sessions/session.js';
import { assertSessions, secureRequestChecker } from './adapter-checks.js';
import { guardKoaContexts, sessionClaimed } from './missing-session.js';
import { createMiddlewareCore, type FinishResult } from './middleware.js';

declare module 'koa' {
  interface DefaultContext {
    session: Session;
  }
}

export function koaSessions(sessions: SessionManager): Middleware {
  assertSessions(sessions, 'koaSessions');
  const core = createMiddlewareCore(sessions, { accessor: 'ctx.session' });
  const isSecure = secureRequestChecker(sessions);
  guardKoaContexts();
  const marker = Symbol('sessionscope');

  return async function sessionscope(ctx: Context, next: Next) {
    const state = ctx.state as Record<PropertyKey, unknown>;
    if (state[marker] || sessionClaimed(ctx)) {
      throw new Error(
        'ctx.session is already set: sessionscope is installed twice, or after another session middleware (koa-session). Keep one app.use(koaSessions(sessions)), before your routes.',
      );
    }
    state[marker] = true;
    const request = core.begin({
      method: ctx.method,
      url: ctx.url,
      cookieHeader: ctx.get('cookie') || undefined,
      // ctx.secure reads X-Forwarded-Proto only when app.proxy is true.
      secure: isSecure?.({ framework: ctx.secure, header: (name) => ctx.get(name) || undefined }),
    });
    ctx.session = request.session;
    try {
      await next();
    } catch (error) {
      // Koa turns the error into a 5xx after us: nothing is saved (no save on 5xx), Vary still patched.
      await core.finish(request, { status: 500, vary: undefined });
      throw error;
    }
    const response = {
      status: ctx.status,
      vary: ctx.response.get('vary') || undefined,
      cacheControl: ctx.response.get('cache-control') || undefined,
    };
    // Untouched and read-only requests finish without another await.
    applyResult(ctx, core.finishNow(request, response) ?? (await core.finish(request, response)));
  };
}

function applyResult(ctx: Context, result: FinishResult): void {
  if (result.replaceWith) {
    ctx.status = result.replaceWith.status;
    ctx.type = 'text/plain; charset=utf-8';
    ctx.body = `${result.replaceWith.body}\n`;
    ctx.remove('set-cookie');
  }
  if (result.setCookie.length) {
    ctx.append('Set-Cookie', result.setCookie);
    if (!ctx.response.get('cache-control')) ctx.set('Cache-Control', 'private, no-store');
  }
  if (result.vary !== undefined) ctx.set('Vary', result.vary);
  if (result.requestIdHeader) ctx.set('x-sessionscope-request', result.requestIdHeader);
}

/**
 * Fastify 5: `app.register(fastifySessions(sessions))` gives `request.session` in every route.
 * The session opens in onRequest and is saved in onSend, which runs before Fastify writes the
 * headers, so redirects, streams and error replies all go through Django's response logic.
 * The plugin skips encapsulation (what fastify-plugin does) so the hooks reach every route.
 */
import type { FastifyInstance, FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import type { SessionManager } from '../sessions/manager.js';
import type { Session } from '../sessions/session.js';
import { assertSessions, secureRequestChecker } from './adapter-checks.js';
import { createMiddlewareCore, type FinishResult, type RequestState } from './middleware.js';

declare module 'fastify' {
  interface FastifyRequest {
    session: Session;
  }
}

const STATE = Symbol('sessionscope.request');
type WithState = FastifyRequest & { [STATE]?: RequestState };
type HookDone = (error?: Error) => void;
type SendDone = (error: Error | null, payload?: unknown) => void;

export function fastifySessions(sessions: SessionManager): FastifyPluginCallback {
  assertSessions(sessions, 'fastifySessions');
  const core = createMiddlewareCore(sessions, { accessor: 'request.session' });
  const isSecure = secureRequestChecker(sessions);

  const plugin: FastifyPluginCallback = (app: FastifyInstance, _options, done) => {
    if (app.hasRequestDecorator('session')) {
      done(
        new Error(
          'request.session is already decorated: another session plugin (@fastify/session?) or a second fastifySessions is registered. Register fastifySessions(sessions) once, and no other session plugin.',
        ),
      );
      return;
    }
    app.decorateRequest('session', null as unknown as Session);

    // Callback hooks, not async ones: two promises fewer per request (Fastify awaits neither way).
    app.addHook('onRequest', (request: WithState, _reply: FastifyReply, next: HookDone) => {
      const state = core.begin({
        method: request.method,
        url: request.url,
        cookieHeader: request.headers.cookie,
        // request.protocol reads X-Forwarded-Proto only under Fastify's trustProxy.
        secure: isSecure?.({
          framework: request.protocol === 'https',
          header: (name) => request.headers[name],
        }),
      });
      request[STATE] = state;
      request.session = state.session;
      next();
    });

    app.addHook('onSend', (request: WithState, reply: FastifyReply, payload: unknown, next: SendDone) => {
      const state = request[STATE];
      if (!state || state.finished) {
        next(null, payload);
        return;
      }
      const response = {
        status: reply.statusCode,
        vary: reply.getHeader('vary') as string | undefined,
        cacheControl: reply.getHeader('cache-control'),
      };
      const now = core.finishNow(state, response);
      if (now) next(null, applyResult(reply, now, payload));
      else
        core
          .finish(state, response)
          .then((result) => applyResult(reply, result, payload))
          .then(
            (sent) => next(null, sent),
            (error: unknown) => next(error as Error),
          );
    });
    done();
  };

  const meta = plugin as unknown as Record<symbol, unknown>;
  meta[Symbol.for('skip-override')] = true;
  meta[Symbol.for('fastify.display-name')] = 'sessionscope';
  meta[Symbol.for('plugin-meta')] = { name: 'sessionscope', fastify: '5.x' };
  return plugin;
}

/** The session's headers on the reply; the payload to send (the replacement body on a failure). */
function applyResult(reply: FastifyReply, result: FinishResult, payload: unknown): unknown {
  if (result.replaceWith) {
    reply.removeHeader('set-cookie');
    reply.code(result.replaceWith.status).header('content-type', 'text/plain; charset=utf-8');
    reply.removeHeader('content-length');
    for (const cookie of result.setCookie) reply.header('set-cookie', cookie);
    if (result.vary !== undefined) reply.header('vary', result.vary);
    return `${result.replaceWith.body}\n`;
  }
  // Fastify appends repeated set-cookie headers instead of replacing them.
  for (const cookie of result.setCookie) reply.header('set-cookie', cookie);
  if (result.setCookie.length && !reply.hasHeader('cache-control'))
    reply.header('cache-control', 'private, no-store');
  if (result.vary !== undefined) reply.header('vary', result.vary);
  if (result.requestIdHeader) reply.header('x-sessionscope-request', result.requestIdHeader);
  return payload;
}

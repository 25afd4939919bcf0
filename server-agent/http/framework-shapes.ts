/**
 * Framework-free types for the adapters the package root exports. The root's .d.ts must compile
 * in an app that installs only the framework it uses (strict, skipLibCheck off), so it may not
 * import koa, fastify or hono types, nor augment their modules. These shapes accept the real
 * Koa middleware / Fastify plugin / Hono middleware slots; the subpath entries
 * (`sessionscope/koa`, `sessionscope/fastify`, `sessionscope/hono`) export the same functions with
 * the framework's own types and type `ctx.session`, `request.session` and `c.get('session')`.
 */
import type { SessionManager } from '../sessions/manager.js';
import type { Session } from '../sessions/session.js';

/** Hono's `Variables` with the session, for `new Hono<{ Variables: SessionVariables }>()`. */
export interface SessionVariables {
  session: Session;
}

/** `app.use(koaSessions(sessions))` on Koa 3. */
export type KoaSessionsMiddleware = (ctx: object, next: () => Promise<unknown>) => Promise<void>;
/** `app.register(fastifySessions(sessions))` on Fastify 5. */
export type FastifySessionsPlugin = (
  instance: object,
  options: object,
  done: (error?: Error) => void,
) => void;
/** `app.use(honoSessions(sessions))` on Hono 4. */
export type HonoSessionsMiddleware = (c: object, next: () => Promise<void>) => Promise<void>;

export type KoaSessionsFactory = (sessions: SessionManager) => KoaSessionsMiddleware;
export type FastifySessionsFactory = (sessions: SessionManager) => FastifySessionsPlugin;
export type HonoSessionsFactory = (sessions: SessionManager) => HonoSessionsMiddleware;

// First, so an unsupported Node fails with one line naming the minimum version.
import './node-version.js';
import { fastifySessions as fastifyAdapter } from './http/fastify.js';
import type {
  FastifySessionsFactory,
  HonoSessionsFactory,
  KoaSessionsFactory,
} from './http/framework-shapes.js';
import { honoSessions as honoAdapter } from './http/hono.js';
import { koaSessions as koaAdapter } from './http/koa.js';

export { createSessions, type Sessions } from './create.js';
export {
  attachAgent,
  startAgent,
  PRODUCTION_OVERRIDE,
  type AgentHandle,
  type AgentOptions,
  type StartAgentOptions,
} from './agent/agent.js';
export {
  PROTOCOL_VERSION,
  WS_PATH,
  INSPECTOR_PATH,
  SUBPROTOCOL,
  TOKEN_PROTOCOL_PREFIX,
  CloseCode,
} from './agent/protocol.js';
export type * as protocol from './agent/protocol.js';
export { createMiddlewareCore, type MiddlewareCore, REQUEST_ID_HEADER } from './http/middleware.js';
export { nodeMiddleware } from './http/node.js';
export {
  migrateFromExpressSession,
  type ExpressSessionMigration,
  type ExpressSessionMigrationOptions,
  type ExpressSessionStoreLike,
  type MigrationOutcome,
} from './http/migrate-express-session.js';
export type {
  FastifySessionsPlugin,
  HonoSessionsMiddleware,
  KoaSessionsMiddleware,
  SessionVariables,
} from './http/framework-shapes.js';
export { fromExpressStore, type ExpressStoreLike } from './sessions/stores/express-store.js';
export type { InferSessionData, StandardSchemaV1 } from './sessions/schema.js';
export type { TypedSession } from './sessions/typed-session.js';
export { deletionCookie, mergeVary, readCookie, sessionCookie } from './http/cookies.js';
export { type Clock, createClock } from './sessions/clock.js';
export * from './sessions/errors.js';
export {
  SessionEvents,
  type SessionEvent,
  type SessionEventMap,
  type SessionEventType,
} from './sessions/events.js';
export { createLogger, setLogSink, type LogRecord } from './sessions/log.js';
export { createSessionManager, type SessionManager, type SessionManagerOptions } from './sessions/manager.js';
export { Session, EXPIRY_KEY } from './sessions/session.js';
export type { JsonValue, SessionData } from './sessions/serializer.js';
export type { SessionObject } from './sessions/tracked-data.js';
export type { SessionSettings, SessionSettingsInput } from './sessions/settings.js';
export * as signing from './sessions/signing.js';
export type * from './sessions/store.js';
export { registerEngine } from './sessions/stores/index.js';

// The adapters under framework-free types (see http/framework-shapes.ts); `sessionscope/koa`,
// `sessionscope/fastify` and `sessionscope/hono` export them with the framework's own types.
export const koaSessions = koaAdapter as unknown as KoaSessionsFactory;
export const fastifySessions = fastifyAdapter as unknown as FastifySessionsFactory;
export const honoSessions = honoAdapter as unknown as HonoSessionsFactory;

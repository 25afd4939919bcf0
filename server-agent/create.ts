/** createSessions: the session manager plus its middleware factory, the package's front door. */
import { expressMiddleware } from './http/express.js';
import type { NodeMiddleware } from './http/node.js';
import { createSessionManager, type SessionManager, type SessionManagerOptions } from './sessions/manager.js';
import type { InferSessionData, StandardSchemaV1 } from './sessions/schema.js';
import type { TypedSession } from './sessions/typed-session.js';
import type { JsonValue } from './sessions/serializer.js';
import type { Session } from './sessions/session.js';

export interface Sessions<Data = Record<string, JsonValue>> extends SessionManager {
  /** node:http, Connect and Express middleware setting `req.session`. */
  middleware(): NodeMiddleware;
  /** The same session, with get/set typed by the `schema` option (a type-only view, no copy). */
  typed(session: Session): TypedSession<Data>;
}

export function createSessions<
  S extends StandardSchemaV1 = StandardSchemaV1<unknown, Record<string, JsonValue>>,
>(options: SessionManagerOptions & { schema?: S } = {}): Sessions<InferSessionData<S>> {
  const manager = createSessionManager(options);
  return Object.assign(manager, {
    middleware: () => expressMiddleware(manager),
    typed: (session: Session) => session as unknown as TypedSession<InferSessionData<S>>,
  });
}

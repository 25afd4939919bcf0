/** createSessions: the session manager plus its middleware factory, the package's front door. */
import { expressMiddleware } from './http/express.js';
import type { NodeMiddleware } from './http/node.js';
import { createSessionManager, type SessionManager, type SessionManagerOptions } from './sessions/manager.js';

export interface Sessions extends SessionManager {
  /** node:http, Connect and Express middleware setting `req.session`. */
  middleware(): NodeMiddleware;
}

export function createSessions(options: SessionManagerOptions = {}): Sessions {
  const manager = createSessionManager(options);
  return Object.assign(manager, { middleware: () => expressMiddleware(manager) });
}

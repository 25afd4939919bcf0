/** Express 4/5 and Connect: the node:http middleware, typed for `req.session`. */
import type { SessionManager } from '../sessions/manager.js';
import type { Session } from '../sessions/session.js';
import { type NodeMiddleware, nodeMiddleware } from './node.js';

declare global {
  namespace Express {
    interface Request {
      session: Session;
    }
  }
}

export function expressMiddleware(sessions: SessionManager): NodeMiddleware {
  return nodeMiddleware(sessions);
}

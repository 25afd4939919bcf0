/**
 * Session managers for behaviour tests: the memory cache (unless told otherwise) on a clock frozen
 * at NOW, closed after each test, and the events they emit collected by type.
 */
import { afterEach } from 'vitest';
import type { SessionEvent } from '../../server-agent/sessions/events.js';
import {
  createSessionManager,
  type SessionManager,
  type SessionManagerOptions,
} from '../../server-agent/sessions/manager.js';

export const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);
export const AGE = 1_209_600;

/** A `make(options)` whose managers are closed after every test of the calling file. */
export function frozenSessions(secret: string): (options?: SessionManagerOptions) => SessionManager {
  const managers: SessionManager[] = [];
  afterEach(async () => {
    for (const sessions of managers.splice(0)) await sessions.close();
  });
  return (options = {}) => {
    const sessions = createSessionManager({ SECRET_KEY: secret, SESSION_ENGINE: 'cache', ...options });
    sessions.clock.freeze(NOW);
    managers.push(sessions);
    return sessions;
  };
}

export function listen(sessions: SessionManager): SessionEvent[] {
  const seen: SessionEvent[] = [];
  sessions.events.onAny((event) => seen.push(event));
  return seen;
}

export const of = <T extends SessionEvent['type']>(seen: SessionEvent[], type: T) =>
  seen.filter((e): e is Extract<SessionEvent, { type: T }> => e.type === type);

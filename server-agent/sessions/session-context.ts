/**
 * What a Session is built from, and the constants of Django's SessionBase. Kept apart from
 * session.ts so the storage helpers and the schema can name these types without importing the
 * Session class (no import cycle).
 */
import type { Clock } from './clock.js';
import type { SessionEvents } from './events.js';
import type { SessionHandles } from './handles.js';
import type { JsonValue, SessionData } from './serializer.js';
import type { SessionSettings } from './settings.js';
import type { SessionCodec, SessionStore } from './store.js';

export const EXPIRY_KEY = '_session_expiry';
export const TEST_COOKIE_NAME = 'testcookie';
export const TEST_COOKIE_VALUE = 'worked';

/** The optional schema's check, run on every load (schema.ts builds it). */
export type SessionValidator = (data: SessionData, sessionHandle: string | undefined) => Promise<SessionData>;

export interface SessionContext {
  settings: Readonly<SessionSettings>;
  store: SessionStore;
  clock: Clock;
  events: SessionEvents;
  codec: SessionCodec;
  handles: SessionHandles;
  validate?: SessionValidator;
}

export interface ExpiryOptions {
  /** The moment the age is measured from; defaults to the clock's now. */
  modification?: Date;
  /** Use this expiry instead of the stored one; when given (even null) the session is not loaded. */
  expiry?: JsonValue | Date;
}

/**
 * The framework-free half of createSessions: settings, store, clock, events and `open()`.
 * HTTP adapters and the agent are layered on top of this, never the other way round.
 */
import { type Clock, createClock } from './clock.js';
import { createCodec } from './codec.js';
import { isProduction } from './env.js';
import { SessionEvents } from './events.js';
import { SessionHandles } from './handles.js';
import { ImproperlyConfigured, NotSupported } from './errors.js';
import { KeyForwards } from './key-forwards.js';
import { createLogger } from './log.js';
import { createValidator, type StandardSchemaV1 } from './schema.js';
import { Session, type SessionContext } from './session.js';
import { normalizeSettings, type SessionSettings, type SessionSettingsInput } from './settings.js';
import type { ClearExpiredOptions, SessionCodec, SessionStore } from './store.js';
import { resolveStore } from './stores/index.js';

export interface SessionManagerOptions extends SessionSettingsInput {
  clock?: Clock;
  env?: NodeJS.ProcessEnv;
  /** Optional Standard Schema (zod, valibot, …) checked on every load; see schema.ts. */
  schema?: StandardSchemaV1;
}

export interface SessionManager {
  readonly settings: Readonly<SessionSettings>;
  readonly store: SessionStore;
  readonly clock: Clock;
  readonly events: SessionEvents;
  readonly handles: SessionHandles;
  readonly codec: SessionCodec;
  /** NODE_ENV says production (env.ts): development-only warnings stay quiet. */
  readonly production: boolean;
  /** Old keys carried over once to their new key after an out-of-band cycle (key-forwards.ts). */
  readonly forwards: KeyForwards;
  /** Django's SessionStore(session_key): no I/O until the first data access. */
  open(sessionKey?: string | null): Session;
  /**
   * @internal open() for a request no listener observes (SessionEvents.observes said no): the
   * session emits no events, as if nobody listened. The middleware uses it; apps use open().
   */
  openUnobserved(sessionKey?: string | null): Session;
  /** Django's clear_expired: the number removed, or null where the store expires records itself. */
  clearExpired(options?: ClearExpiredOptions): Promise<number | null>;
  close(): Promise<void>;
}

export function createSessionManager(options: SessionManagerOptions = {}): SessionManager {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new ImproperlyConfigured(
      `createSessions(settings) needs a settings object, got ${options === null ? 'null' : Array.isArray(options) ? 'an array' : typeof options}. Write createSessions({ SECRET_KEY: process.env.SECRET_KEY, SESSION_ENGINE: 'db' }), or createSessions() for the defaults.`,
    );
  }
  const { clock: givenClock, env, schema, ...input } = options;
  const settings = normalizeSettings(input, env ?? process.env);
  const clock = givenClock ?? createClock();
  const events = new SessionEvents();
  const handles = new SessionHandles();
  const forwards = new KeyForwards(() => clock.nowMs());
  const codec = createCodec(settings.secretKey, settings.secretKeyFallbacks, clock);
  const log = createLogger('sessionscope:store');
  const store = resolveStore(settings.sessionEngine, { settings, clock, codec, log });
  const context: SessionContext = {
    settings,
    store,
    clock,
    events,
    codec,
    handles,
    validate: schema ? createValidator(schema) : undefined,
  };
  // Shares everything with `context` but an event hub nobody ever listens to (active stays false).
  const unobserved: SessionContext = { ...context, events: new SessionEvents() };
  const stopClock = clock.onChange((changed) =>
    events.emit('clock.changed', {
      at: changed.nowMs(),
      offsetSeconds: changed.offsetSeconds,
      frozen: changed.frozen,
    }),
  );
  let closed = false;
  return {
    settings,
    store,
    clock,
    events,
    handles,
    codec,
    forwards,
    production: isProduction(env ?? process.env),
    open: (sessionKey) => new Session(context, sessionKey),
    openUnobserved: (sessionKey) => new Session(unobserved, sessionKey),
    clearExpired: (clearOptions) => clearExpired(store, clearOptions),
    async close() {
      if (closed) return;
      closed = true;
      stopClock();
      await store.close();
    },
  };
}

/**
 * Django's clearsessions raises "Session engine '…' doesn't support clearing expired sessions" for a
 * backend without clear_expired; a custom store may leave it out too, so say so rather than a TypeError.
 */
async function clearExpired(store: SessionStore, options?: ClearExpiredOptions): Promise<number | null> {
  if (typeof (store as Partial<SessionStore>).clearExpired !== 'function') {
    throw new NotSupported(
      `Session engine '${store.engine ?? 'custom store'}' doesn't support clearing expired sessions: the store has no clearExpired(). Add clearExpired() to the store (return null if it expires records itself), or clear them with the backend's own tools.`,
    );
  }
  return store.clearExpired(options);
}

/**
 * Every error sessionscope throws, each with a stable `code` that callers may switch on.
 * Messages name the problem and, where there is one, the fix.
 */
export type SessionErrorCode =
  | 'SESSION_CREATE_CONFLICT'
  | 'SESSION_UPDATE_GONE'
  | 'SESSION_INTERRUPTED'
  | 'SESSION_SUSPICIOUS'
  | 'SESSION_INVALID_KEY'
  | 'SESSION_IMPROPERLY_CONFIGURED'
  | 'SESSION_KEY_MISSING'
  | 'SESSION_VALUE_NOT_SERIALIZABLE'
  | 'SESSION_BAD_SIGNATURE'
  | 'SESSION_SIGNATURE_EXPIRED'
  | 'SESSION_INVALID_ALGORITHM'
  | 'SESSION_STORE_UNAVAILABLE'
  | 'SESSION_COOKIE_TOO_LARGE'
  | 'SESSION_NOT_SUPPORTED'
  | 'SESSION_CREATE_EXHAUSTED'
  | 'SESSION_AGENT_REFUSED'
  | 'SESSION_SAVE_CONFLICT';

export class SessionError extends Error {
  readonly code: SessionErrorCode;
  constructor(code: SessionErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** save({ mustCreate: true }) found a record under the key already. `create()` retries. */
export class CreateError extends SessionError {
  constructor(message = 'A session with this key already exists.', options?: { cause?: unknown }) {
    super('SESSION_CREATE_CONFLICT', message, options);
  }
}

/** save() found no record to update: another request deleted it (logout). Never resurrected. */
export class UpdateError extends SessionError {
  constructor(message = 'The session record to update no longer exists.', options?: { cause?: unknown }) {
    super('SESSION_UPDATE_GONE', message, options);
  }
}

/** Django's exact message; the middleware answers it with HTTP 400. */
export const SESSION_INTERRUPTED_MESSAGE =
  "The request's session was deleted before the request completed. " +
  'The user may have logged out in a concurrent request, for example.';

/**
 * SESSION_SAVE_STRATEGY 'merge': the record kept changing under this save (another process wrote
 * it between each re-read and write) until the bounded retries ran out. Nothing was written.
 */
export class SaveConflict extends SessionError {
  readonly status = 409;
  readonly attempts: number;
  constructor(attempts: number) {
    super(
      'SESSION_SAVE_CONFLICT',
      `409 Conflict: the session kept changing in other requests while this one saved (${attempts} compare-and-swap attempts, each re-read and merged); this request's session changes were not saved. Retry the request, or write fewer keys per request.`,
    );
    this.attempts = attempts;
  }
}

export class SessionInterrupted extends SessionError {
  readonly status = 400;
  constructor(options?: { cause?: unknown }) {
    super('SESSION_INTERRUPTED', SESSION_INTERRUPTED_MESSAGE, options);
  }
}

export class SuspiciousSession extends SessionError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SESSION_SUSPICIOUS', message, options);
  }
}

export class InvalidSessionKey extends SessionError {
  constructor(message = 'Invalid characters in session key') {
    super('SESSION_INVALID_KEY', message);
  }
}

export class ImproperlyConfigured extends SessionError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SESSION_IMPROPERLY_CONFIGURED', message, options);
  }
}

/** `remove`/`pop` without a default on a key the session does not hold (Python's KeyError). */
export class SessionKeyMissing extends SessionError {
  readonly key: string;
  constructor(key: string) {
    super('SESSION_KEY_MISSING', `The session has no key ${JSON.stringify(key)}.`);
    this.key = key;
  }
}

export class SessionValueError extends SessionError {
  readonly key: string;
  constructor(key: string, message: string) {
    super('SESSION_VALUE_NOT_SERIALIZABLE', message);
    this.key = key;
  }
}

export class BadSignature extends SessionError {
  constructor(message: string, code: SessionErrorCode = 'SESSION_BAD_SIGNATURE') {
    super(code, message);
  }
}

/** django.utils.crypto.InvalidAlgorithm: a Signer algorithm hashlib (and so Django) does not have. */
export class InvalidAlgorithm extends SessionError {
  readonly algorithm: string;
  constructor(algorithm: string, accepted: readonly string[]) {
    super(
      'SESSION_INVALID_ALGORITHM',
      `'${algorithm}' is not an algorithm accepted by the hashlib module. ` +
        `Use one of ${accepted.join(', ')} (Django's Signer default is sha256).`,
    );
    this.algorithm = algorithm;
  }
}

export class SignatureExpired extends BadSignature {
  constructor(message: string) {
    super(message, 'SESSION_SIGNATURE_EXPIRED');
  }
}

/** The backing service (database, Redis, disk) failed or did not answer in time. HTTP 503. */
export class StoreUnavailable extends SessionError {
  readonly status = 503;
  /** Fastify reads statusCode, Express and Koa read status: each framework answers 503. */
  readonly statusCode = 503;
  constructor(message: string, options?: { cause?: unknown }) {
    super('SESSION_STORE_UNAVAILABLE', message, options);
  }
}

export class CookieTooLarge extends SessionError {
  readonly bytes: number;
  constructor(name: string, bytes: number, limit: number, hint: string) {
    super(
      'SESSION_COOKIE_TOO_LARGE',
      `The cookie ${JSON.stringify(name)} would be ${bytes} bytes; browsers silently drop cookies over ${limit} bytes. ${hint}`,
    );
    this.bytes = bytes;
  }
}

export class NotSupported extends SessionError {
  constructor(message: string) {
    super('SESSION_NOT_SUPPORTED', message);
  }
}

/** The inspector agent will not start: production mode, a weak token, or a non-loopback bind. */
export class AgentRefused extends SessionError {
  constructor(message: string) {
    super('SESSION_AGENT_REFUSED', message);
  }
}

export function isSessionError(error: unknown, code?: SessionErrorCode): error is SessionError {
  return error instanceof SessionError && (code === undefined || error.code === code);
}

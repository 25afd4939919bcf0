/**
 * The `signed_cookies` engine (Django's backends.signed_cookies): the cookie is the record. The
 * "key" is `signing.dumps(data, compress=True, salt=…signed_cookies)`, checked on load with
 * max_age = SESSION_COOKIE_AGE on the session clock. Nothing lives on the server, so nothing can
 * be revoked: a copied cookie replays until it ages out (see docs/stores.md).
 */
import { BadSignature, CookieTooLarge, SignatureExpired } from '../errors.js';
import { expiryDate, isFalsy } from '../expiry.js';
import { securityLog } from '../log.js';
import { pythonJsonSerializer, type SessionData } from '../serializer.js';
import { TimestampSigner } from '../signing.js';
import type { LoadResult, SessionStore, StoreContext } from '../store.js';

export const SIGNED_COOKIE_SALT = 'django.contrib.sessions.backends.signed_cookies';
/** Browsers drop a cookie whose name and value together exceed 4096 bytes (RFC 6265 §6.1 minimum). */
export const COOKIE_LIMIT_BYTES = 4096;

const serializeSession = (value: unknown) => pythonJsonSerializer.dumps(value as SessionData);

export function createSignedCookieStore(context: StoreContext): SessionStore {
  const { settings, clock } = context;
  const now = () => clock.nowMs();
  const signer = new TimestampSigner({
    key: settings.secretKey,
    fallbackKeys: settings.secretKeyFallbacks,
    salt: SIGNED_COOKIE_SALT,
    now,
  });

  return {
    engine: 'signed_cookies',
    capabilities: {
      serverSide: false,
      list: false,
      expiresOnItsOwn: true,
      keyPattern: null,
      settlesInTime: true,
    },

    async load(token): Promise<LoadResult> {
      let data: SessionData;
      let signedAt: number;
      try {
        // One signature check for both the age and the data.
        const opened = signer.unsignObjectTimestamped(token, {
          parse: pythonJsonSerializer.loads,
          maxAge: settings.sessionCookieAge,
        });
        signedAt = opened.timestamp * 1000;
        data = opened.value;
      } catch (error) {
        if (error instanceof SignatureExpired) {
          const signed = signedAtOf(token);
          return {
            outcome: 'expired',
            reason: 'signature-too-old',
            expiredAt: signed === null ? null : new Date(signed + settings.sessionCookieAge * 1000),
          };
        }
        if (error instanceof BadSignature) {
          securityLog.warn('Session data corrupted (signed cookie with a bad signature)');
          return { outcome: 'invalid-signature' };
        }
        securityLog.warn('Session data corrupted (signed cookie that does not decode)');
        return { outcome: 'corrupt' };
      }
      // Django checks only SESSION_COOKIE_AGE (#19201); a set_expiry is enforced here too, counted
      // from the moment the cookie was signed (the last save).
      const custom = data.get('_session_expiry');
      const expiresAt = expiryDate(custom, signedAt, settings.sessionCookieAge);
      if (!isFalsy(custom) && !(expiresAt.getTime() > now()))
        return { outcome: 'expired', reason: 'expiry-date-passed', expiredAt: expiresAt };
      return { outcome: 'hit', data, expiresAt };
    },

    // Django: always False. There is no record whose existence could be checked.
    exists: async () => false,

    async save(_key, record) {
      // signing.dumps(data, compress=True, salt=…) with the signer made once.
      const token = signer.signObject(record.data, { compress: true, serialize: serializeSession });
      const bytes = Buffer.byteLength(settings.sessionCookieName) + 1 + token.length;
      if (bytes > COOKIE_LIMIT_BYTES) {
        throw new CookieTooLarge(
          settings.sessionCookieName,
          bytes,
          COOKIE_LIMIT_BYTES,
          'Store less in the session, or use a server-side SESSION_ENGINE (db, cache, cached_db or file).',
        );
      }
      return { key: token, bytes: token.length };
    },

    // The cookie is the record: deleting it is the middleware's job (an expired Set-Cookie).
    delete: async () => undefined,
    clearExpired: async () => null,
    close: async () => undefined,
  };

  function signedAtOf(token: string): number | null {
    try {
      return signer.unsignTimestamped(token).timestamp * 1000;
    } catch {
      return null;
    }
  }
}

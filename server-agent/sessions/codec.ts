/** Django's SessionBase.encode/decode: signing.dumps/loads with the sessions salt and compression. */
import type { Clock } from './clock.js';
import { BadSignature } from './errors.js';
import { securityLog } from './log.js';
import { pythonJsonSerializer, type SessionData } from './serializer.js';
import { dumps, loads } from './signing.js';
import type { SessionCodec } from './store.js';

/** "django.contrib.sessions." + the store class's __qualname__; every built-in store is SessionStore. */
export const SESSION_KEY_SALT = 'django.contrib.sessions.SessionStore';

export function createCodec(secretKey: string, fallbackKeys: readonly string[], clock: Clock): SessionCodec {
  const now = () => clock.nowMs();
  const decodeDetailed = (text: string): ReturnType<SessionCodec['decodeDetailed']> => {
    try {
      const data = loads<SessionData>(text, {
        key: secretKey,
        fallbackKeys,
        salt: SESSION_KEY_SALT,
        parse: pythonJsonSerializer.loads,
        now,
      });
      return { data, problem: null };
    } catch (error) {
      if (error instanceof BadSignature) {
        securityLog.warn('Session data corrupted');
        return { data: new Map(), problem: 'invalid-signature' };
      }
      // A validly signed payload that inflates past the cap (signing.ts) is a zlib bomb, not a
      // stale record: CR-8 wants it on the security logger, never as a 500.
      if (isInflateLimit(error)) securityLog.warn('Session data refused: it inflates past the 16 MiB limit');
      return { data: new Map(), problem: 'corrupt' };
    }
  };
  return {
    encode: (data) =>
      dumps(data, {
        key: secretKey,
        salt: SESSION_KEY_SALT,
        compress: true,
        serialize: (value) => pythonJsonSerializer.dumps(value as SessionData),
        now,
      }),
    decode: (text) => decodeDetailed(text).data,
    decodeDetailed,
  };
}

/** zlib's answer when maxOutputLength is reached (Node: RangeError ERR_BUFFER_TOO_LARGE). */
function isInflateLimit(error: unknown): boolean {
  return error instanceof RangeError && (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
}

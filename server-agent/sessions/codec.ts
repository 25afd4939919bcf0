/** Django's SessionBase.encode/decode: signing.dumps/loads with the sessions salt and compression. */
import type { Clock } from './clock.js';
import { BadSignature } from './errors.js';
import { InsertionRing } from './insertion-ring.js';
import { securityLog } from './log.js';
import { pythonJsonSerializer, type SessionData } from './serializer.js';
import { TimestampSigner } from './signing.js';
import { djangoPayloadOfText, PayloadTooLarge } from './zlib-codec.js';
import type { SessionCodec } from './store.js';

/** "django.contrib.sessions." + the store class's __qualname__; every built-in store is SessionStore. */
export const SESSION_KEY_SALT = 'django.contrib.sessions.SessionStore';

/** Payloads up to this many characters are remembered (one, the last). */
const MEMO_MAX_CHARS = 16 * 1024;
/**
 * The texts this codec signed lately, each with the JSON it holds: a store row this process wrote
 * (a session's next request loads what its last one saved) decodes without the HMAC, the base64
 * and the inflate. A text byte-identical to one this codec signed is authentic by construction, so
 * this skips no check that could fail; a row written elsewhere (Django, another process, a
 * tampered one) is not here and goes through all of them. Bounded: at most this many texts, each
 * of at most SIGNED_MEMO_MAX_CHARS of JSON (about 2.5 MB at the very worst).
 */
const SIGNED_MEMO_ENTRIES = 256;
const SIGNED_MEMO_MAX_CHARS = 4096;
const serialize = (value: unknown) => pythonJsonSerializer.dumps(value as SessionData);
const parse = pythonJsonSerializer.loads;

export function createCodec(secretKey: string, fallbackKeys: readonly string[], clock: Clock): SessionCodec {
  // One signer for the codec's life: its HMAC keys are derived once.
  const signer = new TimestampSigner({
    key: secretKey,
    fallbackKeys,
    salt: SESSION_KEY_SALT,
    now: () => clock.nowMs(),
  });
  // Stryker disable next-line StringLiteral: the memo's start; no session's JSON equals either text
  let lastJson = '';
  // Stryker disable next-line StringLiteral: read only once lastJson matched, i.e. after it was set
  let lastPayload = '';
  const signedHere = new Map<string, string>();
  const signedOrder = new InsertionRing<string>(SIGNED_MEMO_ENTRIES);
  const rememberSigned = (text: string, json: string) => {
    // The same text again (same data, same second) stays where it is.
    if (json.length > SIGNED_MEMO_MAX_CHARS || signedHere.has(text)) return;
    const oldest = signedOrder.push(text);
    if (oldest !== undefined) signedHere.delete(oldest);
    signedHere.set(text, json);
  };
  const decodeDetailed = (text: string): ReturnType<SessionCodec['decodeDetailed']> => {
    const json = signedHere.get(text);
    // A fresh Map from the JSON each time: the caller owns (and may change) what it gets.
    if (json !== undefined) return { data: parse(json), problem: null };
    try {
      return { data: signer.unsignObject<SessionData>(text, { parse }), problem: null };
    } catch (error) {
      if (error instanceof BadSignature) {
        securityLog.warn('Session data corrupted');
        return { data: new Map(), problem: 'invalid-signature' };
      }
      // A validly signed payload that inflates past the cap (zlib-codec.ts) is a zlib bomb, not a
      // stale record: CR-8 wants it on the security logger, never as a 500.
      if (error instanceof PayloadTooLarge)
        securityLog.warn('Session data refused: it inflates past the 16 MiB limit');
      return { data: new Map(), problem: 'corrupt' };
    }
  };
  return {
    encode: (data) => {
      // signing.dumps(data, compress=True), with the last payload remembered: saving unchanged
      // data again (SESSION_SAVE_EVERY_REQUEST, new sessions alike) skips the deflate.
      const json = serialize(data);
      // Stryker disable next-line ConditionalExpression: deflating unchanged JSON again gives the same payload, slower
      if (json !== lastJson) {
        lastPayload = djangoPayloadOfText(json);
        // Stryker disable next-line ConditionalExpression,EqualityOperator,StringLiteral: what is remembered changes speed only
        lastJson = json.length <= MEMO_MAX_CHARS ? json : '';
      }
      const text = signer.sign(lastPayload);
      rememberSigned(text, json);
      return text;
    },
    decode: (text) => decodeDetailed(text).data,
    decodeDetailed,
  };
}

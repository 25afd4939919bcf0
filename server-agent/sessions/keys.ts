/** Session keys: Django's 32 characters of [a-z0-9] from the CSPRNG, and its validator. */
import { randomFillSync } from 'node:crypto';
import { VALID_KEY_CHARS } from './store.js';

const KEY_LENGTH = 32;
// 252 = 36 * 7: bytes at or above it are rejected so every character is equally likely.
const UNBIASED_LIMIT = 252;
/**
 * CSPRNG bytes drawn 2 KiB at a time (about 60 keys) instead of a randomBytes(48) call per key:
 * the call into the OS and the Buffer it allocated cost more than the rest of a new session's
 * key (profiled on the "new session" route). Each byte is used once and zeroed once used, so a
 * heap snapshot shows no byte of a key already issued.
 */
const POOL_BYTES = 2048;
const pool = Buffer.alloc(POOL_BYTES);
let offset = POOL_BYTES;

export function generateSessionKey(): string {
  let out = '';
  while (out.length < KEY_LENGTH) {
    if (offset === POOL_BYTES) {
      randomFillSync(pool);
      offset = 0;
    }
    const byte = pool[offset] as number;
    pool[offset++] = 0;
    if (byte < UNBIASED_LIMIT) out += VALID_KEY_CHARS[byte % 36];
  }
  return out;
}

/** Django's _validate_session_key: truthy and at least 8 characters, else no key. */
export function validSessionKeyOrNull(value: unknown): string | null {
  return typeof value === 'string' && value.length >= 8 ? value : null;
}

/** Session keys: Django's 32 characters of [a-z0-9] from the CSPRNG, and its validator. */
import { randomBytes } from 'node:crypto';
import { VALID_KEY_CHARS } from './store.js';

const KEY_LENGTH = 32;
// 252 = 36 * 7: bytes at or above it are rejected so every character is equally likely.
const UNBIASED_LIMIT = 252;

export function generateSessionKey(): string {
  let out = '';
  while (out.length < KEY_LENGTH) {
    for (const byte of randomBytes(48)) {
      if (byte < UNBIASED_LIMIT) out += VALID_KEY_CHARS[byte % 36];
      if (out.length === KEY_LENGTH) break;
    }
  }
  return out;
}

/** Django's _validate_session_key: truthy and at least 8 characters, else no key. */
export function validSessionKeyOrNull(value: unknown): string | null {
  return typeof value === 'string' && value.length >= 8 ? value : null;
}

/** Small helpers for the session's events, kept apart so session.ts stays about Django's rules. */
import type { ExpiryPolicy } from './events.js';
import type { JsonValue } from './serializer.js';

/** A copy of a value as it is now, so later mutation does not rewrite history in the timeline. */
export function eventSnapshot(value: JsonValue | undefined): JsonValue | undefined {
  if (value === undefined || value === null || typeof value !== 'object') return value;
  try {
    return structuredClone(value);
  } catch {
    return String(value);
  }
}

export function expiryPolicy(stored: JsonValue | undefined, browserClose: boolean): ExpiryPolicy {
  if (stored === undefined || stored === null) return browserClose ? 'browser-close' : 'default';
  if (typeof stored === 'string') return 'absolute';
  if (stored === 0 || stored === false) return 'browser-close';
  if (typeof stored === 'number' && stored < 0) return 'expired';
  return 'idle-seconds';
}

/** How values, paths and session handles travel. */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
/** A path into a session: the session key first, then object keys / array indexes. */
export type ValuePath = (string | number)[];
/** Session handle (salted hash of the key). */
export type Handle = string;

/**
 * What travels instead of a value. Small values are sent whole; big ones as a bounded preview the
 * client expands with the `getValue` command; secret-looking keys as `redacted`.
 */
export type ValuePreview =
  | { t: 'value'; value: JsonValue }
  | { t: 'redacted'; bytes: number }
  | { t: 'string'; bytes: number; length: number; head: string }
  | { t: 'array'; bytes: number; length: number; items: ValuePreview[] }
  | { t: 'object'; bytes: number; length: number; entries: [string, ValuePreview][] }
  /** Nested too deep to preview: fetch its path. */
  | { t: 'more'; type: 'string' | 'array' | 'object'; bytes: number; length: number };

/** The session clock as the agent reports it (virtual when travelled or frozen). */
export interface ClockState {
  now: number;
  offsetSeconds: number;
  frozen: boolean;
}

export type ExpiryPolicy = 'default' | 'browser-close' | 'idle-seconds' | 'absolute' | 'expired';

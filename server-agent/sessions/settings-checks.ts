/**
 * The value checks behind settings.ts: each returns null when the value is fine, else the problem
 * ("must be …"), which normalizeSettings prefixes with the setting's names and suffixes with the value.
 */
export type Check = (value: unknown) => string | null;

export const isBool: Check = (v) => (typeof v === 'boolean' ? null : 'must be true or false');
export const isString: Check = (v) => (typeof v === 'string' ? null : 'must be a string');
export const isNullableString: Check = (v) =>
  v === null || typeof v === 'string' ? null : 'must be a string or null';
export const isPositiveInt: Check = (v) =>
  typeof v === 'number' && Number.isInteger(v) && v > 0 ? null : 'must be a positive whole number of seconds';
export const isNullablePositiveInt: Check = (v) => (v === null ? null : isPositiveInt(v));

/** A value for an error message: strings quoted and cut, everything else as JSON where it can be. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

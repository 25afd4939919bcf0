/**
 * Expiry maths as Django does it: `_session_expiry` holds seconds (0 = browser close, negative =
 * expired) or an ISO datetime string; ages are floored to whole seconds.
 */
import type { JsonValue } from './serializer.js';

export type ExpiryValue = number | Date | { seconds: number } | null;

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?(Z|[+-]\d{2}:?\d{2}(?::?\d{2})?)?$/;

/** Python's datetime.isoformat() for an aware UTC datetime: microseconds only when non-zero. */
export function toPythonIso(date: Date): string {
  const iso = date.toISOString(); // 2030-01-02T03:04:05.123Z
  const ms = date.getUTCMilliseconds();
  const base = iso.slice(0, 19);
  return ms === 0 ? `${base}+00:00` : `${base}.${String(ms * 1000).padStart(6, '0')}+00:00`;
}

/**
 * datetime.fromisoformat for the shapes Django writes (and `Z`). Naive values are read as UTC;
 * Django would raise TypeError there, which would turn into a 500 for the visitor.
 */
export function parseIso(text: string): Date | null {
  const m = ISO.exec(text);
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone] = m;
  let ms = Date.UTC(
    Number(y),
    Number(mo) - 1,
    Number(d),
    Number(h),
    Number(mi),
    Number(s),
    Math.floor(Number(frac.padEnd(6, '0')) / 1000),
  );
  if (zone && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(/:/g, '');
    ms -=
      sign *
      (Number(digits.slice(0, 2)) * 3600 +
        Number(digits.slice(2, 4)) * 60 +
        Number(digits.slice(4, 6) || 0)) *
      1000;
  }
  return Number.isNaN(ms) ? null : new Date(ms);
}

export function isFalsy(value: JsonValue | undefined): boolean {
  return value === undefined || value === null || value === 0 || value === false || value === '';
}

/**
 * get_expiry_age(modification, expiry). A garbage string counts as already expired (fail closed)
 * rather than raising into the visitor's request as Django's ValueError would.
 */
export function expiryAge(expiry: JsonValue | undefined, modificationMs: number, cookieAge: number): number {
  if (isFalsy(expiry)) return cookieAge;
  if (typeof expiry === 'number') return expiry;
  if (typeof expiry === 'string') {
    const date = parseIso(expiry);
    if (!date) return -1;
    return Math.floor((date.getTime() - modificationMs) / 1000);
  }
  return cookieAge;
}

/** get_expiry_date(modification, expiry) */
export function expiryDate(expiry: JsonValue | undefined, modificationMs: number, cookieAge: number): Date {
  if (typeof expiry === 'string') return parseIso(expiry) ?? new Date(modificationMs - 1000);
  const seconds = typeof expiry === 'number' && expiry !== 0 ? expiry : cookieAge;
  return new Date(modificationMs + seconds * 1000);
}

/** The JSON value set_expiry stores, or undefined to remove the key (null = global policy). */
export function storedExpiry(value: ExpiryValue, nowMs: number): JsonValue | undefined {
  if (value === null) return undefined;
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new RangeError('setExpiry(date) got an invalid Date.');
    return toPythonIso(value);
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value))
      throw new RangeError(`setExpiry(seconds) needs a finite number, got ${value}.`);
    return value;
  }
  if (
    value &&
    typeof value === 'object' &&
    typeof value.seconds === 'number' &&
    Number.isFinite(value.seconds)
  ) {
    return toPythonIso(new Date(nowMs + value.seconds * 1000));
  }
  throw new TypeError(
    'setExpiry takes seconds of inactivity (0 = browser close), a Date, { seconds } for a duration from now, or null for the global policy.',
  );
}

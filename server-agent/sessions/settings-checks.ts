/**
 * The value checks behind settings.ts: each returns null when the value is fine, else the problem
 * ("must be …"), which normalizeSettings prefixes with the setting's names and suffixes with the value.
 */
export type Check = (value: unknown) => string | null;

export const isBool: Check = (v) => (typeof v === 'boolean' ? null : 'must be true or false');
export const isString: Check = (v) => (typeof v === 'string' ? null : 'must be a string');
export const isNullableString: Check = (v) =>
  v === null || typeof v === 'string' ? null : 'must be a string or null';

/**
 * A whole number of `unit`, at least `min`. A numeric string gets its own hint: settings in code are
 * never coerced (as in Django, where a str SESSION_COOKIE_AGE fails later), the CLI parses its env.
 */
export function wholeNumber(unit: 'seconds' | 'milliseconds', min: 0 | 1): Check {
  const what = `${min === 0 ? 'a whole number (0 or more)' : 'a positive whole number'} of ${unit}`;
  return (v) => {
    if (typeof v === 'number' && Number.isInteger(v) && v >= min) return null;
    if (typeof v === 'string' && /^\s*-?\d+\s*$/.test(v))
      return `must be ${what}, a number rather than a string (from the environment, write Number(process.env.NAME))`;
    return `must be ${what}`;
  };
}
export const isPositiveInt: Check = wholeNumber('seconds', 1);
export const isNullablePositiveInt: Check = (v) => (v === null ? null : isPositiveInt(v));

/** A value for an error message: strings quoted and cut, everything else as JSON where it can be. */
export function describe(value: unknown): string {
  // JSON would show NaN and Infinity as null: say what was given.
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Edit distance (Levenshtein, with adjacent swaps), for "did you mean". */
function distance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) (rows[0] as number[])[j] = j;
  for (let i = 1; i <= a.length; i++) {
    const row = rows[i] as number[];
    const up = rows[i - 1] as number[];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min((up[j] as number) + 1, (row[j - 1] as number) + 1, (up[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        row[j] = Math.min(row[j] as number, ((rows[i - 2] as number[])[j - 2] as number) + 1);
    }
  }
  return (rows[a.length] as number[])[b.length] as number;
}

/**
 * The known name closest to a misspelt one (case and underscores ignored), when it is close enough
 * to be a typo: SESSION_COOKIE_AGEE, session_cookie_age and SESSION_COOKIE_MAX_AGE → SESSION_COOKIE_AGE.
 */
export function closestName<T>(name: string, candidates: readonly T[], names: (c: T) => string[]): T | null {
  const flat = (text: string) => text.toLowerCase().replace(/[_-]/g, '');
  const wanted = flat(name);
  const limit = Math.max(1, Math.floor(wanted.length / 5));
  let best: T | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    for (const known of names(candidate)) {
      const d = distance(wanted, flat(known));
      if (d < bestDistance) {
        best = candidate;
        bestDistance = d;
      }
    }
  }
  return bestDistance <= limit ? best : null;
}

/**
 * Values as previews: whole when small, otherwise a bounded outline the client drills into by path
 * (React DevTools' dehydrate, Vue's caps). Redaction applies at every depth.
 */
import type { JsonValue, ValuePath, ValuePreview } from './protocol.js';
import type { Redactor } from './redact.js';

export interface PreviewLimits {
  /** Whole values up to this many JSON bytes. */
  inlineBytes: number;
  /** Children listed in an array/object outline. */
  maxItems: number;
  /** Characters of a long string's head. */
  headChars: number;
}

export const DEFAULT_PREVIEW_LIMITS: PreviewLimits = { inlineBytes: 4096, maxItems: 50, headChars: 500 };

export function jsonBytes(value: JsonValue | undefined): number {
  try {
    // JSON.stringify(undefined) is undefined: counted as 0 bytes by the `?? ''`.
    return Buffer.byteLength(JSON.stringify(value) ?? '');
  } catch {
    return 0;
  }
}

/**
 * Whether anything under this value sits behind a secret-looking key, at any depth (S4: a depth
 * cap here once let `{a:{a:…{password}}}` 65 levels down through whole). An explicit stack, so a
 * deep value cannot overflow the call stack either.
 */
function containsRedacted(value: JsonValue, redact: Redactor): boolean {
  // Scalars are pushed too and skipped when popped: one check per value instead of one per push.
  const stack: JsonValue[] = [value];
  while (stack.length) {
    const next = stack.pop() as JsonValue;
    if (next === null || typeof next !== 'object') continue;
    if (Array.isArray(next)) {
      for (const item of next) stack.push(item);
      continue;
    }
    // Own keys only (Object.keys): a polluted Object.prototype adds no names here.
    for (const key of Object.keys(next)) {
      if (redact(key)) return true;
      stack.push(next[key] as JsonValue);
    }
  }
  return false;
}

export function preview(
  value: JsonValue,
  key: string,
  redact: Redactor,
  limits: PreviewLimits,
  depth = 0,
): ValuePreview {
  if (redact(key)) return { t: 'redacted', bytes: jsonBytes(value) };
  if (value === null || typeof value !== 'object') {
    // Numbers, booleans and null are always whole, whatever inlineBytes says.
    if (typeof value !== 'string') return { t: 'value', value };
    // Most strings are small: inline them without serializing just to count bytes (a string's JSON
    // is at most 6 bytes per UTF-16 unit, \u001f-style escapes, plus its quotes).
    if (value.length * 6 + 2 <= limits.inlineBytes) return { t: 'value', value };
    const bytes = jsonBytes(value);
    if (bytes <= limits.inlineBytes) return { t: 'value', value };
    return { t: 'string', bytes, length: value.length, head: value.slice(0, limits.headChars) };
  }
  const bytes = jsonBytes(value);
  if (bytes <= limits.inlineBytes && !containsRedacted(value, redact)) return { t: 'value', value };
  const type = Array.isArray(value) ? 'array' : 'object';
  const length = Array.isArray(value) ? value.length : Object.keys(value).length;
  if (depth >= 1) return { t: 'more', type, bytes, length };
  const child = { ...limits, inlineBytes: Math.min(limits.inlineBytes, 512) };
  if (Array.isArray(value)) {
    const items = value.slice(0, limits.maxItems).map((item) => preview(item, key, redact, child, depth + 1));
    return { t: 'array', bytes, length, items };
  }
  const entries = Object.entries(value)
    .slice(0, limits.maxItems)
    .map(([name, item]): [string, ValuePreview] => [name, preview(item, name, redact, child, depth + 1)]);
  return { t: 'object', bytes, length, entries };
}

export function eventPreview(
  value: JsonValue | undefined,
  key: string,
  redact: Redactor,
  limits: PreviewLimits,
): ValuePreview | undefined {
  return value === undefined ? undefined : preview(value, key, redact, limits);
}

/** The value at a path, or undefined; redacted when any key on the way is secret-looking. */
export function valueAt(
  data: Map<string, JsonValue>,
  path: ValuePath,
  redact: Redactor,
): { found: false } | { found: true; value: JsonValue; redacted: boolean; lastKey: string } {
  const [first, ...rest] = path;
  // The Map's keys are strings: has() of a number or of a missing first step is false, so no typeof.
  const name = first as string;
  if (!data.has(name)) return { found: false };
  let value = data.get(name) as JsonValue;
  let redacted = redact(name);
  let lastKey = name;
  for (const step of rest) {
    if (
      Array.isArray(value) &&
      // Stryker disable next-line ConditionalExpression: kept for the type; Number.isInteger of a string is false anyway
      typeof step === 'number' &&
      Number.isInteger(step) &&
      step >= 0 &&
      step < value.length
    ) {
      value = value[step] as JsonValue;
    } else if (
      value !== null &&
      typeof value === 'object' &&
      !Array.isArray(value) &&
      typeof step === 'string' &&
      Object.hasOwn(value, step)
    ) {
      value = value[step] as JsonValue;
      lastKey = step;
      redacted ||= redact(step);
    } else {
      return { found: false };
    }
  }
  return { found: true, value, redacted, lastKey };
}

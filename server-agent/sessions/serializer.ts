/**
 * JSON with Python's `json.dumps(obj, separators=(",", ":"))` output, byte for byte: non-ASCII as
 * \uXXXX escapes (surrogate pairs for astral characters), floats in Python repr, NaN/Infinity,
 * insertion-ordered keys. Django reads the bytes as latin-1, so escaping is what keeps them equal.
 */
import { SessionValueError } from './errors.js';
import { parseOrderedJson } from './json-parse.js';
import type { SessionData } from './json-types.js';

export type { JsonValue, SessionData } from './json-types.js';

export interface Serializer {
  dumps(data: SessionData): string;
  loads(text: string): SessionData;
}

const MAX_DEPTH = 512;

export const pythonJsonSerializer: Serializer = {
  dumps(data) {
    let out = '{';
    for (const [key, value] of data) {
      if (out.length > 1) out += ',';
      out += `${quote(key)}:${dumpOrExplain(value, key)}`;
    }
    return `${out}}`;
  },
  loads(text) {
    return parseOrderedJson(text);
  },
};

/**
 * Django's JSONSerializer for any value (signing.dumps): Python's json.dumps with separators
 * (",", ":"), ensure_ascii included. A Map is written as a dict in its insertion order.
 */
export function pythonJsonDumps(value: unknown): string {
  if (value instanceof Map) {
    let out = '{';
    for (const [key, item] of value) {
      if (typeof key !== 'string') throw unsupported(null, 'a Map key', typeof key);
      if (out.length > 1) out += ',';
      out += `${quote(key)}:${dumpOrExplain(item, null, key)}`;
    }
    return `${out}}`;
  }
  return dumpOrExplain(value, null);
}

/** Thrown by the writer for anything it does not write; `explainRefusal` then names the problem. */
const SLOW_PATH = Symbol('slow path');

function dumpOrExplain(value: unknown, rootKey: string | null, path = rootKey ?? 'value'): string {
  try {
    return fastValue(value, 0);
  } catch (error) {
    if (error !== SLOW_PATH) throw error;
    refuse(value, rootKey, path);
  }
}

/**
 * Names what is wrong with a value a quick check refused. If the careful walk finds nothing, a
 * getter or proxy answered differently the second time, and that is refused too.
 */
function refuse(value: unknown, rootKey: string | null, path: string): never {
  explainRefusal(value, rootKey, path, 0, new Set());
  throw new SessionValueError(
    rootKey ?? '',
    `${subject(rootKey)} changed while it was being written (a getter or proxy that answers differently each time); store a plain copy. Nothing was saved.`,
  );
}

/**
 * The only writer: one pass, no path strings and no cycle set (a cycle only shows up as depth).
 * At MAX_DEPTH or on anything JSON cannot carry it gives up, and `explainRefusal` walks again
 * to name the problem and where it is. It accepts exactly what `isPlainJson` accepts.
 */
function fastValue(value: unknown, depth: number): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return pythonNumber(value);
    case 'object':
      break;
    default:
      throw SLOW_PATH;
  }
  if (depth >= MAX_DEPTH) throw SLOW_PATH;
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (item === undefined) throw SLOW_PATH;
      if (i !== 0) out += ',';
      out += fastValue(item, depth + 1);
    }
    return `${out}]`;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) throw SLOW_PATH;
  let out = '{';
  for (const key of Object.keys(value)) {
    const item = (value as Record<string, unknown>)[key];
    if (item === undefined) throw SLOW_PATH;
    if (out.length > 1) out += ',';
    out += `${quote(key)}:${fastValue(item, depth + 1)}`;
  }
  return `${out}}`;
}

/** Whether the writer would write `value` as it is: plain JSON, nothing else. */
function isPlainJson(value: unknown, depth: number): boolean {
  if (value === null) return true;
  const type = typeof value;
  if (type === 'string' || type === 'number' || type === 'boolean') return true;
  if (type !== 'object' || depth >= MAX_DEPTH) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (item === undefined || !isPlainJson(item, depth + 1)) return false;
    }
    return true;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  for (const key of Object.keys(value as object)) {
    const item = (value as Record<string, unknown>)[key];
    if (item === undefined || !isPlainJson(item, depth + 1)) return false;
  }
  return true;
}

/**
 * U3: throws SessionValueError naming the key, the type and the fix unless `value` is JSON the
 * session can store (a Date, BigInt, function, undefined, cycle, Map, Set or class instance is
 * not). Run by set()/update(), so the mistake points at the line that made it; save checks again
 * for values mutated after they were set.
 */
export function assertStorable(key: string, value: unknown): void {
  if (!isPlainJson(value, 0)) refuse(value, key, key);
}

const subject = (rootKey: string | null): string =>
  rootKey === null ? 'The value' : `Session key ${JSON.stringify(rootKey)}`;

/**
 * Walks a value the writer refused and throws SessionValueError for the first part JSON cannot
 * carry, naming the session key and the path. It writes nothing: only the writer above writes,
 * so the two cannot disagree about bytes. Returns only if it finds nothing wrong.
 */
function explainRefusal(
  value: unknown,
  rootKey: string | null,
  path: string,
  depth: number,
  seen: Set<object>,
): void {
  if (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    typeof value === 'number'
  ) {
    return;
  }
  if (typeof value !== 'object') throw unsupported(rootKey, path, typeof value);
  if (depth >= MAX_DEPTH) {
    throw new SessionValueError(
      rootKey ?? '',
      `${subject(rootKey)} nests deeper than ${MAX_DEPTH} levels at ${path}; flatten the value.`,
    );
  }
  if (seen.has(value)) {
    throw new SessionValueError(
      rootKey ?? '',
      `${subject(rootKey)} holds a cycle at ${path}; JSON cannot carry cycles. Store a copy without back-references.`,
    );
  }
  seen.add(value);
  if (Array.isArray(value)) {
    // Indexes, not forEach(): a hole is an undefined item, which JSON cannot carry.
    for (let index = 0; index < value.length; index++) {
      const item: unknown = value[index];
      if (item === undefined) throw unsupported(rootKey, `${path}[${index}]`, 'undefined');
      explainRefusal(item, rootKey, `${path}[${index}]`, depth + 1, seen);
    }
  } else {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      throw unsupported(rootKey, path, describeType(value));
    }
    for (const key of Object.keys(value)) {
      const item = (value as Record<string, unknown>)[key];
      if (item === undefined) throw unsupported(rootKey, `${path}.${key}`, 'undefined');
      explainRefusal(item, rootKey, `${path}.${key}`, depth + 1, seen);
    }
  }
  // Shared (not cyclic) objects are fine: only the current chain of parents counts as a cycle.
  seen.delete(value);
}

function describeType(value: object): string {
  const name = (value as { constructor?: { name?: string } }).constructor?.name;
  return name ? `a ${name}` : 'an object with a custom prototype';
}

function unsupported(rootKey: string | null, path: string, type: string): SessionValueError {
  const hints: Record<string, string> = {
    'a Date': 'store date.toISOString() and parse it when reading',
    bigint: 'store it as a string',
    function: 'store data, not code',
    undefined: 'use null, or remove the key',
    'a Map': 'store Object.fromEntries(map)',
    'a Set': 'store [...set]',
  };
  const hint = hints[type] ?? 'store plain objects, arrays, strings, numbers, booleans or null';
  return new SessionValueError(
    rootKey ?? '',
    `${subject(rootKey)} holds ${type} at ${path}, which JSON cannot carry; ${hint}. Nothing was saved.`,
  );
}

/** Python float repr / int str for a JS number. */
export function pythonNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return 'Infinity';
  if (value === Number.NEGATIVE_INFINITY) return '-Infinity';
  if (Number.isInteger(value)) {
    // JS cannot tell 1 from 1.0; integral numbers are written as Python ints.
    return Math.abs(value) < 1e21 ? String(value) : BigInt(value).toString();
  }
  // Both languages print the shortest round-tripping digits; only the exponent thresholds and
  // format differ (Python: exponent when exp < -4 or exp >= 16, with at least two digits).
  const [mantissa, exponentText] = value.toExponential().split('e') as [string, string];
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 16) {
    const sign = exponent < 0 ? '-' : '+';
    const digits = String(Math.abs(exponent)).padStart(2, '0');
    return `${mantissa}e${sign}${digits}`;
  }
  // In this range JavaScript never uses an exponent for non-integers, so the digits agree.
  return String(value);
}

const ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

/** Python's ensure_ascii string encoder. */
export function quote(text: string): string {
  // Fast path: printable ASCII with nothing to escape.
  if (/^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/.test(text)) return `"${text}"`;
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    const code = text.charCodeAt(i);
    const escaped = ESCAPES[ch];
    if (escaped) out += escaped;
    else if (code < 0x20 || code > 0x7e) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

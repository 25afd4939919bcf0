/**
 * Django's cache value format for sessions: what django-redis and Django 4+'s RedisCache store
 * under a session's cache key. Integers are stored raw (the decimal digits, so INCR works);
 * everything else is pickled; a session is always a dict, so it is always a pickle.
 *
 * Mapping to sessionscope's JSON values, where Python has more types than JSON:
 *   tuple → array; bytes → string (latin-1, one char per byte); int beyond 2^53 → nearest
 *   number (as JSON.parse does); datetime/date/time → isoformat() string; timedelta → seconds;
 *   dict keys that are int, float, bool or None → their JSON text ("1", "true", "null").
 * Writing, `_session_expiry` holding an ISO date string becomes a datetime again (UTC, or naive
 * when the string has no offset), because Django 3.2's get_expiry_age() needs a datetime there.
 */
import { securityLog } from '../log.js';
import type { JsonValue, SessionData } from '../serializer.js';
import { pythonJsonSerializer, pythonNumber } from '../serializer.js';
import {
  PickleRefused,
  PyDatetime,
  PyFloat,
  type PyKey,
  PyTimedelta,
  PyTimezone,
  PyTuple,
  type PyValue,
  pickle,
  unpickle,
} from './pickle.js';

export type PickleProtocol = 4 | 5;
const EXPIRY_KEY = '_session_expiry';
/** Python's int(bytes): optional ASCII whitespace, a sign, digits with single underscores. */
const RAW_INT = /^[ \t\n\v\f\r]*[+-]?\d+(?:_\d+)*[ \t\n\v\f\r]*$/;

export type DecodedCacheValue = { kind: 'int'; value: number } | { kind: 'pickle'; value: PyValue };

/** What the backends' decode() does: int(value) first, pickle.loads otherwise. Throws PickleRefused. */
export function decodeDjangoCacheValue(raw: Uint8Array): DecodedCacheValue {
  if (raw.length > 0 && raw.length < 64 && raw[0] !== 0x80) {
    const text = Buffer.from(raw).toString('latin1');
    if (RAW_INT.test(text)) return { kind: 'int', value: Number(text.trim().replace(/_/g, '')) };
  }
  return { kind: 'pickle', value: unpickle(raw) };
}

/** What the backends' encode() does: an int (not a bool) as its digits, anything else pickled. */
export function encodeDjangoCacheValue(value: PyValue, protocol: PickleProtocol): Buffer {
  if ((typeof value === 'number' && Number.isInteger(value)) || typeof value === 'bigint')
    return Buffer.from(String(value), 'latin1');
  return pickle(value, protocol);
}

export interface DecodedSession {
  data: SessionData;
  problem: null | 'corrupt';
}

/** The session dict in a cache value; a refused or non-dict value is {} with the security log line. */
export function decodeSessionValue(raw: Uint8Array): DecodedSession {
  let decoded: DecodedCacheValue;
  try {
    decoded = decodeDjangoCacheValue(raw);
  } catch (error) {
    const why = error instanceof PickleRefused ? error.reason : 'unreadable';
    securityLog.warn(`Session data corrupted (cache entry refused by the restricted unpickler: ${why})`);
    return { data: new Map(), problem: 'corrupt' };
  }
  if (decoded.kind !== 'pickle' || !(decoded.value instanceof Map)) {
    securityLog.warn('Session data corrupted (cache entry is not a dict)');
    return { data: new Map(), problem: 'corrupt' };
  }
  const seen = new Map<object, JsonValue>();
  const data: SessionData = new Map();
  for (const [key, value] of decoded.value) {
    if (typeof key !== 'string') {
      securityLog.warn('Session data corrupted (a session key that is not a str)');
      return { data: new Map(), problem: 'corrupt' };
    }
    data.set(key, toJson(value, seen));
  }
  return { data, problem: null };
}

/** The pickle Django would store for this session dict. */
export function encodeSessionValue(data: SessionData, protocol: PickleProtocol): Buffer {
  // The same values as every other engine, refused with the same errors (SessionValueError
  // naming the key): a session that pickles here must also work on db, file or signed cookies.
  pythonJsonSerializer.dumps(data);
  const dict = new Map<string, JsonValue | PyDatetime>();
  for (const [key, value] of data)
    dict.set(key, key === EXPIRY_KEY && typeof value === 'string' ? (isoToDatetime(value) ?? value) : value);
  return pickle(dict, protocol);
}

function keyText(key: PyKey): string {
  if (typeof key === 'string') return key;
  if (key === null) return 'null';
  if (typeof key === 'boolean') return key ? 'true' : 'false';
  if (typeof key === 'bigint') return String(key);
  if (key instanceof PyFloat) return pythonNumber(key.value) + (Number.isFinite(key.value) ? '.0' : '');
  if (typeof key === 'number') return pythonNumber(key);
  return String(key);
}

/** Shared Python objects stay shared (the unpickler has bounded their expansion already). */
function toJson(value: PyValue, seen: Map<object, JsonValue>): JsonValue {
  if (value === null || typeof value === 'boolean' || typeof value === 'number' || typeof value === 'string')
    return value;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof PyFloat) return value.value;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('latin1');
  if (value instanceof PyDatetime) return value.isoformat();
  if (value instanceof PyTimedelta) return value.totalSeconds();
  const known = seen.get(value);
  if (known !== undefined) return known;
  if (Array.isArray(value) || value instanceof PyTuple) {
    const out: JsonValue[] = [];
    seen.set(value, out);
    for (const item of Array.isArray(value) ? value : value.items) out.push(toJson(item, seen));
    return out;
  }
  const out: { [key: string]: JsonValue } = {};
  seen.set(value, out);
  // defineProperty, not assignment: a "__proto__" key stays plain data.
  for (const [key, item] of value)
    Object.defineProperty(out, keyText(key), {
      value: toJson(item, seen),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  return out;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(Z|[+-]\d{2}:\d{2})?$/;

/** An ISO string as the datetime Django 3.2 keeps in `_session_expiry` (UTC when it had an offset). */
function isoToDatetime(text: string): PyDatetime | null {
  const m = ISO.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac = '', zone] = m;
  const micro = Number(frac.padEnd(6, '0'));
  if (!zone)
    return new PyDatetime(
      'datetime',
      Number(y),
      Number(mo),
      Number(d),
      Number(h),
      Number(mi),
      Number(s),
      micro,
      null,
    );
  const offset =
    zone === 'Z'
      ? 0
      : (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  const utc = new Date(
    Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi) - offset, Number(s)),
  );
  if (Number.isNaN(utc.getTime())) return null;
  return new PyDatetime(
    'datetime',
    utc.getUTCFullYear(),
    utc.getUTCMonth() + 1,
    utc.getUTCDate(),
    utc.getUTCHours(),
    utc.getUTCMinutes(),
    utc.getUTCSeconds(),
    micro,
    new PyTimezone(0),
  );
}

/**
 * The restricted unpickler's constructors: the only "globals" a pickle may name are the datetime
 * family (what Django 3.2's set_expiry() leaves in a session), and each is an inert tag that these
 * functions turn into our own value classes after checking every argument. Nothing is imported,
 * looked up or called.
 */
import {
  PickleRefused,
  PyDatetime,
  PyTimedelta,
  PyTimezone,
  type PyTuple,
  type PyValue,
} from './pickle-types.js';

/** The only globals a pickle may name: data constructors we implement ourselves. */
export type Constructor = 'datetime' | 'date' | 'time' | 'timedelta' | 'timezone' | 'pytz_utc';
export const ALLOWED_GLOBALS: ReadonlyMap<string, Constructor> = new Map([
  ['datetime\ndatetime', 'datetime'],
  ['datetime\ndate', 'date'],
  ['datetime\ntime', 'time'],
  ['datetime\ntimedelta', 'timedelta'],
  ['datetime\ntimezone', 'timezone'],
  ['pytz\n_UTC', 'pytz_utc'],
]);

export class Global {
  constructor(readonly constructor_: Constructor) {}
}

/** What the unpickler's stack holds: values, and the inert tags only REDUCE may consume. */
export type Item = PyValue | Global | PyTimezone;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 with Python's surrogatepass (lone surrogates encoded as ED A0..BF xx), which pickle uses. */
export function decodeText(bytes: Uint8Array, at: number): string {
  try {
    return utf8.decode(bytes);
  } catch {
    let out = '';
    let i = 0;
    while (i < bytes.length) {
      const b = bytes[i] as number;
      let cp: number;
      let n: number;
      if (b < 0x80) [cp, n] = [b, 1];
      else if (b >= 0xc2 && b < 0xe0) [cp, n] = [b & 0x1f, 2];
      else if (b >= 0xe0 && b < 0xf0) [cp, n] = [b & 0x0f, 3];
      else if (b >= 0xf0 && b < 0xf5) [cp, n] = [b & 0x07, 4];
      else throw new PickleRefused('a str that is not UTF-8', at);
      if (i + n > bytes.length) throw new PickleRefused('a str that is not UTF-8', at);
      for (let k = 1; k < n; k++) {
        const c = bytes[i + k] as number;
        if ((c & 0xc0) !== 0x80) throw new PickleRefused('a str that is not UTF-8', at);
        cp = (cp << 6) | (c & 0x3f);
      }
      const min = [0, 0, 0x80, 0x800, 0x10000][n] as number;
      if (cp < min || cp > 0x10ffff) throw new PickleRefused('a str that is not UTF-8', at);
      out += String.fromCodePoint(cp);
      i += n;
    }
    return out;
  }
}

/** Python refuses these dates too: check each field before a value exists. */
function daysIn(year: number, month: number): number {
  return [
    31,
    year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28,
    31,
    30,
    31,
    30,
    31,
    31,
    30,
    31,
    30,
    31,
  ][month - 1] as number;
}

export function construct(what: Constructor, args: PyTuple, at: number): Item {
  const a = args.items;
  const bad = (shape: string): never => {
    throw new PickleRefused(`${what}() with arguments other than ${shape}`, at);
  };
  const tzArg = (value: PyValue | undefined): PyTimezone | null => {
    if (value === undefined || value === null) return null;
    if (value instanceof PyTimezone) return value;
    return bad('a fixed-offset tzinfo');
  };
  switch (what) {
    case 'datetime': {
      const state = a[0];
      if (!(state instanceof Uint8Array) || state.length !== 10 || a.length > 2)
        bad('(10-byte state[, tzinfo])');
      const s = state as Uint8Array;
      const [y1, y2, mo, d, h, mi, sec, u1, u2, u3] = s as unknown as number[];
      const year = (y1 as number) * 256 + (y2 as number);
      const month = (mo as number) & 0x7f; // the high bit is `fold`
      const micro = ((u1 as number) << 16) | ((u2 as number) << 8) | (u3 as number);
      if (year < 1 || month < 1 || month > 12 || (d as number) < 1 || (d as number) > daysIn(year, month))
        bad('a valid date');
      if ((h as number) > 23 || (mi as number) > 59 || (sec as number) > 59 || micro > 999_999)
        bad('a valid time');
      return new PyDatetime(
        'datetime',
        year,
        month,
        d as number,
        h as number,
        mi as number,
        sec as number,
        micro,
        tzArg(a[1]),
      );
    }
    case 'date': {
      const state = a[0];
      if (!(state instanceof Uint8Array) || state.length !== 4 || a.length !== 1) bad('(4-byte state)');
      const [y1, y2, month, day] = state as unknown as number[];
      const year = (y1 as number) * 256 + (y2 as number);
      if (
        year < 1 ||
        (month as number) < 1 ||
        (month as number) > 12 ||
        (day as number) < 1 ||
        (day as number) > daysIn(year, month as number)
      )
        bad('a valid date');
      return new PyDatetime('date', year, month as number, day as number, 0, 0, 0, 0, null);
    }
    case 'time': {
      const state = a[0];
      if (!(state instanceof Uint8Array) || state.length !== 6 || a.length > 2)
        bad('(6-byte state[, tzinfo])');
      const [h, mi, sec, u1, u2, u3] = state as unknown as number[];
      const hour = (h as number) & 0x7f;
      const micro = ((u1 as number) << 16) | ((u2 as number) << 8) | (u3 as number);
      if (hour > 23 || (mi as number) > 59 || (sec as number) > 59 || micro > 999_999) bad('a valid time');
      return new PyDatetime('time', 1, 1, 1, hour, mi as number, sec as number, micro, tzArg(a[1]));
    }
    case 'timedelta': {
      const [days, seconds, micro] = a;
      if (
        a.length !== 3 ||
        !Number.isInteger(days) ||
        !Number.isInteger(seconds) ||
        !Number.isInteger(micro) ||
        Math.abs(days as number) > 999_999_999 ||
        (seconds as number) < 0 ||
        (seconds as number) >= 86_400 ||
        (micro as number) < 0 ||
        (micro as number) > 999_999
      )
        bad('normalized (days, seconds, microseconds)');
      return new PyTimedelta(days as number, seconds as number, micro as number);
    }
    case 'timezone': {
      const offset = a[0];
      if (!(offset instanceof PyTimedelta) || a.length > 2 || (a.length === 2 && typeof a[1] !== 'string'))
        bad('(timedelta[, name])');
      const delta = offset as PyTimedelta;
      const total = delta.days * 86_400 + delta.seconds;
      if (delta.microseconds !== 0 || total <= -86_400 || total >= 86_400)
        bad('an offset within ±24 h in whole seconds');
      return new PyTimezone(total);
    }
    case 'pytz_utc':
      if (a.length !== 0) bad('()');
      return new PyTimezone(0, true);
  }
}

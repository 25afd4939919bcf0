/**
 * expire_date as Django's SQLite backend stores it: aware datetimes as naive UTC text,
 * "2023-11-28 22:13:20.123456" (the microseconds only when non-zero). Every save writes one and
 * every load reads one, and the text up to the second changes once a second under load, so that
 * part is made (and parsed) once per second instead of once per call: toISOString and the ISO
 * pattern were ~3 µs of a SQLite write request on a slow machine (bench/request-path.ts).
 */
import { parseIso } from '../expiry.js';

/** '000000' to '999000': the microseconds text of each millisecond. */
const MICROS = Array.from({ length: 1000 }, (_, ms) => String(ms * 1000).padStart(6, '0'));

let writtenSecond = Number.NaN;
let writtenPrefix = '';

export function toDjangoSqliteDate(date: Date): string {
  const time = date.getTime();
  const second = Math.floor(time / 1000);
  if (second !== writtenSecond) {
    const iso = date.toISOString(); // an invalid date throws its RangeError here (NaN never matches)
    writtenPrefix = `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
    writtenSecond = second;
  }
  const ms = time - second * 1000;
  return ms === 0 ? writtenPrefix : `${writtenPrefix}.${MICROS[ms]}`;
}

let readPrefix = '';
let readSecondMs = 0;

/**
 * The instant a stored expire_date names, as expiry.ts's parseIso reads it (null when it is not a
 * datetime). The two shapes Django writes, "YYYY-MM-DD HH:MM:SS" with or without ".ffffff", reuse
 * the last second parsed when they start with it.
 */
export function fromDjangoSqliteDate(text: string): Date | null {
  const micros =
    text.length === 26 && text.charCodeAt(19) === 0x2e ? digits(text, 20) : text.length === 19 ? 0 : -1;
  if (micros >= 0 && readPrefix !== '' && text.startsWith(readPrefix))
    return new Date(readSecondMs + Math.floor(micros / 1000));
  const date = parseIso(text);
  if (date && micros >= 0) {
    const head = text.slice(0, 19);
    const second = parseIso(head)?.getTime();
    if (second !== undefined && Number.isFinite(second)) {
      readPrefix = head;
      readSecondMs = second;
    }
  }
  return date;
}

/** The six ASCII digits from `at`, or -1 when one is not a digit. */
function digits(text: string, at: number): number {
  let value = 0;
  for (let i = at; i < at + 6; i++) {
    const digit = text.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

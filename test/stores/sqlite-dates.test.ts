/**
 * The once-per-second shortcuts of sqlite-dates.ts give exactly what the plain code gives: the
 * text Django's SQLite backend writes, and parseIso's reading of any text (shapes Django writes,
 * other shapes, garbage), in orders that hit and miss the remembered second.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIso } from '../../server-agent/sessions/expiry.js';
import { fromDjangoSqliteDate, toDjangoSqliteDate } from '../../server-agent/sessions/stores/sqlite-dates.js';

/** The formatting before the shortcut: toISOString per call. */
function reference(date: Date): string {
  const iso = date.toISOString();
  const ms = date.getUTCMilliseconds();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${ms ? `.${String(ms * 1000).padStart(6, '0')}` : ''}`;
}

// From year 100: parseIso (Date.UTC) reads years 0-99 as 1900-1999, before and after the shortcut.
const MAX_FOUR_DIGIT_YEAR = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const MIN_YEAR_100 = Date.parse('0100-01-01T00:00:00Z');
const instant = fc.integer({ min: MIN_YEAR_100, max: MAX_FOUR_DIGIT_YEAR });
/** Runs of instants close together (the same second, the next one) and far apart. */
const runs = fc.array(fc.tuple(instant, fc.array(fc.integer({ min: -1500, max: 1500 }), { maxLength: 6 })), {
  minLength: 1,
  maxLength: 20,
});

const sameInstant = (a: Date | null, b: Date | null) =>
  a === null || b === null ? a === b : Object.is(a.getTime(), b.getTime());

describe('SQLite expire_date text', () => {
  it('toDjangoSqliteDate writes what toISOString per call wrote, across and within seconds', () => {
    fc.assert(
      fc.property(runs, (list) => {
        for (const [base, steps] of list)
          for (const time of [base, ...steps.map((step) => base + step)]) {
            const date = new Date(time);
            expect(toDjangoSqliteDate(date)).toBe(reference(date));
          }
      }),
    );
    expect(toDjangoSqliteDate(new Date(Date.UTC(2023, 10, 28, 22, 13, 20, 123)))).toBe(
      '2023-11-28 22:13:20.123000',
    );
    expect(toDjangoSqliteDate(new Date(Date.UTC(2023, 10, 28, 22, 13, 20)))).toBe('2023-11-28 22:13:20');
    expect(() => toDjangoSqliteDate(new Date(Number.NaN))).toThrow(RangeError);
  });

  it('fromDjangoSqliteDate reads what it writes, to the millisecond', () => {
    fc.assert(
      fc.property(runs, (list) => {
        for (const [base, steps] of list)
          for (const time of [base, ...steps.map((step) => base + step)]) {
            // Year 10000 has no text in this format (nor in Django's); years 0-99, see above.
            if (time > MAX_FOUR_DIGIT_YEAR || time < MIN_YEAR_100) continue;
            expect(fromDjangoSqliteDate(toDjangoSqliteDate(new Date(time)))?.getTime()).toBe(time);
          }
      }),
    );
  });

  it('fromDjangoSqliteDate reads any text as parseIso does, right after a second it remembers', () => {
    const second = '2023-11-28 22:13:20';
    const near = fc.oneof(
      fc.constantFrom(
        '',
        '.000000',
        '.999999',
        '.123456',
        '.12345',
        '.1234567',
        '.12345x',
        'Z',
        '+01:00',
        '.123456Z',
      ),
      fc.string({ maxLength: 8 }),
      fc.stringMatching(/^\.[0-9]{6}$/),
    );
    const texts = fc.oneof(
      near.map((tail) => second + tail),
      near.map((tail) => `2023-11-28T22:13:20${tail}`),
      fc.tuple(instant, near).map(([time, tail]) => reference(new Date(time)).slice(0, 19) + tail),
      fc.string({ maxLength: 30 }),
    );
    fc.assert(
      fc.property(fc.array(texts, { minLength: 1, maxLength: 12 }), (list) => {
        fromDjangoSqliteDate(`${second}.000001`); // remember a second the texts often start with
        for (const text of list) expect(sameInstant(fromDjangoSqliteDate(text), parseIso(text))).toBe(true);
      }),
    );
  });
});

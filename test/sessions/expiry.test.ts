/**
 * Django's expiry maths (LC-6): what `_session_expiry` stores, ISO dates as Python writes and reads
 * them, ages floored to seconds, and garbage failing closed.
 */
import { describe, expect, it } from 'vitest';
import {
  expiryAge,
  expiryDate,
  isFalsy,
  parseIso,
  storedExpiry,
  toPythonIso,
} from '../../server-agent/sessions/expiry.js';

const NOW = Date.UTC(2023, 10, 14, 22, 13, 20);
const AGE = 1_209_600;

describe('LC-6 ISO dates', () => {
  it('toPythonIso is datetime.isoformat(): microseconds only when non-zero', () => {
    expect(toPythonIso(new Date(NOW))).toBe('2023-11-14T22:13:20+00:00');
    expect(toPythonIso(new Date(NOW + 5))).toBe('2023-11-14T22:13:20.005000+00:00');
    expect(toPythonIso(new Date(NOW + 500))).toBe('2023-11-14T22:13:20.500000+00:00');
  });

  it.each([
    ['2023-11-14T22:13:20+00:00', NOW],
    ['2023-11-14T22:13:20Z', NOW],
    ['2023-11-14 22:13:20', NOW],
    ['2023-11-14T22:13:20.5+00:00', NOW + 500],
    ['2023-11-14T22:13:20.123456+00:00', NOW + 123],
    ['2023-11-14T22:13:20.000999Z', NOW],
    ['2023-11-14T22:13', NOW - 20_000],
    ['2023-11-14', Date.UTC(2023, 10, 14)],
    ['2023-11-15T00:13:20+02:00', NOW],
    ['2023-11-14T20:13:20-0200', NOW],
    ['2023-11-14T22:13:20+00:00:30', NOW - 30_000],
    ['2023-11-14T21:43:20-00:30', NOW],
    ['2023-11-14T22:43:20+0030', NOW],
  ])('parseIso(%s)', (text, ms) => {
    expect(parseIso(text)?.getTime()).toBe(ms);
  });

  it.each([
    'soon',
    '',
    '2023-11-14T22:13:20+00:00 ',
    'x2023-11-14',
    '2023-11-14T22',
    '2023-11-14T22:13:20.1234567Z',
    '2023-11-14T22:13:20+0',
    '2023-1-14',
  ])('parseIso(%j) is null', (text) => {
    expect(parseIso(text)).toBeNull();
  });

  it('an out-of-range date is null, not an Invalid Date', () => {
    expect(parseIso('999999-01-01')).toBeNull();
    const huge = parseIso('9999-99-99T99:99:99Z');
    expect(huge === null || !Number.isNaN(huge.getTime())).toBe(true);
  });
});

describe('LC-6 expiry age and date', () => {
  it('isFalsy is Python truthiness for the stored shapes', () => {
    for (const value of [undefined, null, 0, false, '']) expect(isFalsy(value)).toBe(true);
    for (const value of [1, -1, true, 'x', [], {}]) expect(isFalsy(value as never)).toBe(false);
  });

  it('ages: none or 0 → the cookie age; seconds as given; dates floored; garbage expired', () => {
    expect(expiryAge(undefined, NOW, AGE)).toBe(AGE);
    expect(expiryAge(0, NOW, AGE)).toBe(AGE);
    expect(expiryAge(null, NOW, AGE)).toBe(AGE);
    expect(expiryAge(300, NOW, AGE)).toBe(300);
    expect(expiryAge(-2, NOW, AGE)).toBe(-2);
    expect(expiryAge('2023-11-14T22:13:30.900000+00:00', NOW, AGE)).toBe(10);
    expect(expiryAge('2023-11-14T22:13:19.900000+00:00', NOW, AGE)).toBe(-1);
    expect(expiryAge('2023-11-14T22:13:10+00:00', NOW, AGE)).toBe(-10);
    expect(expiryAge('garbage', NOW, AGE)).toBe(-1);
    expect(expiryAge(true, NOW, AGE)).toBe(AGE);
    expect(expiryAge([1] as never, NOW, AGE)).toBe(AGE);
  });

  it('dates: seconds from the modification, 0 or none → the cookie age, garbage a second ago', () => {
    expect(expiryDate(undefined, NOW, AGE).getTime()).toBe(NOW + AGE * 1000);
    expect(expiryDate(0, NOW, AGE).getTime()).toBe(NOW + AGE * 1000);
    expect(expiryDate(300, NOW, AGE).getTime()).toBe(NOW + 300_000);
    expect(expiryDate(-2, NOW, AGE).getTime()).toBe(NOW - 2000);
    expect(expiryDate('2023-11-14T22:13:30+00:00', NOW, AGE).getTime()).toBe(NOW + 10_000);
    expect(expiryDate('garbage', NOW, AGE).getTime()).toBe(NOW - 1000);
    expect(expiryDate(true, NOW, AGE).getTime()).toBe(NOW + AGE * 1000);
  });
});

describe('LC-6 setExpiry values', () => {
  it('null removes, seconds stay, dates and durations become ISO strings', () => {
    expect(storedExpiry(null, NOW)).toBeUndefined();
    expect(storedExpiry(0, NOW)).toBe(0);
    expect(storedExpiry(-10, NOW)).toBe(-10);
    expect(storedExpiry(new Date(NOW + 10_500), NOW)).toBe('2023-11-14T22:13:30.500000+00:00');
    expect(storedExpiry({ seconds: 10 }, NOW)).toBe('2023-11-14T22:13:30+00:00');
    expect(storedExpiry({ seconds: -1 }, NOW)).toBe('2023-11-14T22:13:19+00:00');
  });

  it('refuses what it cannot store, saying what it takes', () => {
    expect(() => storedExpiry(new Date(Number.NaN), NOW)).toThrow(
      new RangeError('setExpiry(date) got an invalid Date.'),
    );
    expect(() => storedExpiry(Number.POSITIVE_INFINITY, NOW)).toThrow(
      new RangeError('setExpiry(seconds) needs a finite number, got Infinity.'),
    );
    expect(() => storedExpiry(Number.NaN, NOW)).toThrow(RangeError);
    const usage = new TypeError(
      'setExpiry takes seconds of inactivity (0 = browser close), a Date, { seconds } for a duration from now, or null for the global policy.',
    );
    for (const bad of ['10', { seconds: '10' }, { seconds: Number.NaN }, {}, undefined, true])
      expect(() => storedExpiry(bad as never, NOW)).toThrow(usage);
  });
});

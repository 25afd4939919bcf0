/**
 * Fuzz: the Cookie request header (`readCookie`). Never throws, never returns more than 4096
 * bytes, never touches prototypes, splits on ";" only (CK-9), first duplicate wins, and a value
 * the server wrote reads back unchanged.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readCookie } from '../../server-agent/http/cookies.js';
import { FUZZ_TIMEOUT_MS, fuzzParameters, stringOf } from './runs.js';
import { timingBarMs } from '../helpers/timing.js';

const TOKEN = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/** cookie-octet without "%" (the parser percent-decodes) */
const OCTETS = Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i))
  .filter((c) => !'",;\\%'.includes(c))
  .join('');
const NASTY = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'sessionid',
  'a',
  '',
  ' ',
  '=',
  ';',
  ',',
  '"',
  '\\',
  '%',
  '%00',
  '\u0000',
  '\r\n',
  '\u00ff',
  '\ud800',
];

const cookieName = stringOf(TOKEN, { minLength: 1, maxLength: 12 });
const piece = fc.oneof(
  fc.constantFrom(...NASTY),
  fc.string({ maxLength: 12, unit: 'binary' }),
  stringOf(OCTETS, { maxLength: 12 }),
);
const header = fc
  .array(fc.tuple(piece, fc.constantFrom('=', '', '=='), piece, fc.constantFrom('; ', ';', ',', ' ; ', '')), {
    maxLength: 8,
  })
  .map((parts) => parts.map(([name, eq, value, sep]) => `${name}${eq}${value}${sep}`).join(''));

describe('fuzz: Cookie header parsing', () => {
  it(
    'never throws; the result is undefined or a string of at most 4096 bytes; Object.prototype untouched',
    () => {
      const before = Object.getOwnPropertyNames(Object.prototype).join();
      fc.assert(
        fc.property(header, fc.oneof(cookieName, fc.constantFrom(...NASTY.filter(Boolean))), (text, name) => {
          const value = readCookie(text, name);
          return value === undefined || (typeof value === 'string' && Buffer.byteLength(value) <= 4096);
        }),
        fuzzParameters('cookie header: total'),
      );
      expect(Object.getOwnPropertyNames(Object.prototype).join()).toBe(before);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    'CK-9: a value the server wrote reads back unchanged; first duplicate wins; "," never separates pairs',
    () => {
      fc.assert(
        fc.property(
          cookieName,
          stringOf(OCTETS, { minLength: 1, maxLength: 64 }),
          stringOf(OCTETS, { maxLength: 16 }),
          fc.string({ maxLength: 16 }),
          (name, value, other, prefix) => {
            expect(readCookie(`${name}=${value}`, name)).toBe(value);
            expect(readCookie(`${name}=${value}; ${name}=${other}x`, name)).toBe(value);
            const smuggled = `zz=${prefix.replace(/[;]/g, '')},${name}=${value}`;
            if (!name.startsWith('zz')) expect(readCookie(smuggled, name)).toBeUndefined();
          },
        ),
        fuzzParameters('cookie header: round trip and CK-9'),
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it('CK-9: __proto__ and constructor cookies are plain data', () => {
    const text = '__proto__=x; constructor=y; sessionid=a; sessionid=b';
    expect(readCookie(text, '__proto__')).toBe('x');
    expect(readCookie(text, 'constructor')).toBe('y');
    expect(readCookie(text, 'sessionid')).toBe('a');
    expect(readCookie('toString=1', 'hasOwnProperty')).toBeUndefined();
  });

  it('the 4096-byte bound: a longer cookie value is treated as absent', () => {
    expect(readCookie(`sessionid=${'a'.repeat(4096)}`, 'sessionid')?.length).toBe(4096);
    expect(readCookie(`sessionid=${'a'.repeat(4097)}`, 'sessionid')).toBeUndefined();
  });

  it('ND-1: pathological 16 KiB headers parse well under 100 ms each', () => {
    const corpora = [
      ' '.repeat(16_384),
      '='.repeat(16_384),
      ';'.repeat(16_384),
      `sessionid="${'\\"'.repeat(8_000)}"`,
      'a=b;'.repeat(4_096),
      `x=${'%'.repeat(16_000)}; sessionid=k`,
    ];
    for (const text of corpora) {
      const started = performance.now();
      readCookie(text, 'sessionid');
      readCookie(`${text}sessionid`, 'sessionid');
      expect(performance.now() - started).toBeLessThan(timingBarMs(100));
    }
  });
});

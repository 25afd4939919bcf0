/**
 * Signing at its edges (CR-3, CR-4): base62 timestamp bounds, the errors each refusal raises,
 * algorithms refused by name, and dumps' options reaching the signer (mutation-run survivors).
 */
import { describe, expect, it } from 'vitest';
import { BadSignature, InvalidAlgorithm } from '../../server-agent/sessions/errors.js';
import {
  b62Decode,
  b62Encode,
  dumps,
  loads,
  type Algorithm,
  Signer,
  TimestampSigner,
} from '../../server-agent/sessions/signing.js';

const key = 'signing-edges-secret';
const NOW = 1_700_000_000_000;

describe('CR-4 base62 timestamps', () => {
  it.each([
    [0, '0'],
    [1, '1'],
    [61, 'z'],
    [62, '10'],
    [-1, '-1'],
    [-62, '-10'],
    [1_700_000_000, '1r31eq'],
  ])('%i ↔ %s', (value, text) => {
    expect(b62Encode(value)).toBe(text);
    expect(b62Decode(text)).toBe(value);
  });

  it('refuses empty, over-long and foreign digits with BadSignature naming the text', () => {
    expect(b62Decode('z'.repeat(12))).toBe(62 ** 12 - 1);
    expect(() => b62Decode('1'.repeat(13))).toThrow(new BadSignature('Bad base62 timestamp "1111111111111"'));
    expect(() => b62Decode('')).toThrow(new BadSignature('Bad base62 timestamp ""'));
    expect(() => b62Decode('-')).toThrow(new BadSignature('Bad base62 timestamp "-"'));
    expect(() => b62Decode('1_')).toThrow(new BadSignature('Bad base62 timestamp "1_"'));
  });
});

describe('CR-3/CR-4 refusals', () => {
  it('a value without the separator says so', () => {
    const signer = new Signer({ key });
    expect(() => signer.unsign('no-separator-here')).toThrow(new BadSignature('No ":" found in value'));
    const timed = new TimestampSigner({ key, now: () => NOW });
    const inner = new Signer({ key, salt: 'django.core.signing.TimestampSigner' }).sign('plain');
    expect(() => timed.unsign(inner)).toThrow(new BadSignature('No ":" found in value'));
  });

  it('an unknown algorithm is refused at construction, by name', () => {
    let error: unknown;
    try {
      new Signer({ key, algorithm: 'whatever' as Algorithm });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidAlgorithm);
    expect((error as Error).message).toMatch(
      /^'whatever' is not an algorithm accepted by the hashlib module/,
    );
    expect(() => new Signer({ key, algorithm: 'toString' as Algorithm })).toThrow(InvalidAlgorithm);
    expect(new Signer({ key, algorithm: 'sha1' }).sign('v')).not.toBe(new Signer({ key }).sign('v'));
  });

  it('dumps passes compress and the serializer to the signer; loads reads both back', () => {
    const value = { text: 'a'.repeat(200) };
    const compressed = dumps(value, { key, compress: true, now: () => NOW });
    expect(compressed.startsWith('.')).toBe(true);
    expect(dumps(value, { key, now: () => NOW }).startsWith('.')).toBe(false);
    expect(loads(compressed, { key, now: () => NOW })).toEqual(value);
    const custom = dumps(value, { key, serialize: () => '"custom"', now: () => NOW });
    expect(loads(custom, { key, now: () => NOW })).toBe('custom');
  });
});

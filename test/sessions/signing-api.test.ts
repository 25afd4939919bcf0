/**
 * The rest of django.core.signing's public surface, from the mutation run's survivors: salted_hmac's
 * default algorithm, signature() with another key, string and byte secrets never sharing a derived
 * key, Signer (not only TimestampSigner) objects, an empty value, the expired message for a
 * fractional age, and sign_object's latin-1 bytes with a custom serializer.
 */
import { describe, expect, it } from 'vitest';
import { BadSignature, SignatureExpired } from '../../server-agent/sessions/errors.js';
import {
  b64Decode,
  b64Encode,
  dumps,
  loads,
  Signer,
  saltedHmac,
  TimestampSigner,
} from '../../server-agent/sessions/signing.js';

const key = 'signing-api-secret';
const NOW = 1_700_000_000_000;

describe('salted_hmac', () => {
  it("defaults to sha1, as Django's: HMAC(sha1(salt + secret), value)", () => {
    // python3: hmac.new(hashlib.sha1(b'salt' + b'secret').digest(), b'value', hashlib.sha1).hexdigest()
    expect(saltedHmac('salt', 'value', 'secret').toString('hex')).toBe(
      'a82be9ba6efe61405ee8d2e8a3781c37e103360a',
    );
    expect(saltedHmac('salt', Buffer.from('value'), Buffer.from('secret'), 'sha1').toString('hex')).toBe(
      'a82be9ba6efe61405ee8d2e8a3781c37e103360a',
    );
  });

  it('string and byte secrets are told apart by their bytes only, whatever was derived before', () => {
    const one = saltedHmac('salt', 'v', '1').toString('hex');
    // Bytes [0x31] are the string "1"; the string "49" is other bytes, and so is "b:31".
    expect(saltedHmac('salt', 'v', Uint8Array.of(0x31)).toString('hex')).toBe(one);
    expect(saltedHmac('salt', 'v', '49').toString('hex')).not.toBe(one);
    expect(saltedHmac('salt', 'v', Uint8Array.of(49)).toString('hex')).toBe(one);
    expect(saltedHmac('salt', 'v', 'b:31').toString('hex')).not.toBe(one);
    expect(saltedHmac('salt', 'v', Uint8Array.of(0x32)).toString('hex')).not.toBe(one);
    expect(saltedHmac('salt', 'v', Uint8Array.of(0x32)).toString('hex')).toBe(
      saltedHmac('salt', 'v', '2').toString('hex'),
    );
  });

  it('signers keyed by different byte secrets sign differently; equal bytes sign alike', () => {
    const a = new Signer({ key: Uint8Array.of(1, 2, 3) }).sign('v');
    const b = new Signer({ key: Uint8Array.of(1, 2, 4) }).sign('v');
    expect(a).not.toBe(b);
    expect(new Signer({ key: Buffer.from([1, 2, 3]) }).sign('v')).toBe(a);
    expect(new Signer({ key: Uint8Array.of(1, 2, 4) }).unsign(b)).toBe('v');
    expect(() => new Signer({ key: Uint8Array.of(1, 2, 4) }).unsign(a)).toThrow();
  });
});

describe('base64', () => {
  it("b64_encode / b64_decode are Django's URL-safe base64 without padding", () => {
    expect(b64Encode(Uint8Array.of(0xfb, 0xff, 0x01))).toBe('-_8B');
    expect(b64Decode('-_8B')).toEqual(Buffer.from([0xfb, 0xff, 0x01]));
    expect(b64Decode('AQID')).toEqual(Buffer.from([1, 2, 3]));
  });
});

describe('Signer', () => {
  it('has no fallback keys unless given (Django: SECRET_KEY_FALLBACKS)', () => {
    expect(new Signer({ key }).fallbackKeys).toEqual([]);
    expect(new Signer({ key, fallbackKeys: ['old'] }).fallbackKeys).toEqual(['old']);
  });

  it("signature(value, key) signs with that key: Django's Signer.signature(value, key=None)", () => {
    const signer = new Signer({ key, salt: 's' });
    // python3: base64.urlsafe_b64encode(hmac.new(hashlib.sha256(b'ssigner' + b'other-key').digest(), b'v', hashlib.sha256).digest()).rstrip(b'=')
    expect(signer.signature('v', 'other-key')).toBe('fgiWLnZwqaPu0moIOpPGBRuo0uNbnzfd3e-GXPzLoIk');
    expect(signer.signature('v', 'other-key')).toBe(
      new Signer({ key: 'other-key', salt: 's' }).signature('v'),
    );
    expect(signer.signature('v')).toBe(signer.signature('v', key));
    expect(signer.signature('v')).not.toBe(signer.signature('v', 'other-key'));
  });

  it('CR-3: a signature of the right length in non-ASCII characters is BadSignature, never a crash', () => {
    const signer = new Signer({ key });
    const good = signer.sign('v');
    const length = good.length - 2; // 'v:' then the signature
    for (const ch of ['é', '€', '😀'.slice(0, 1)]) {
      expect(() => signer.unsign(`v:${ch.repeat(length)}`)).toThrow(BadSignature);
      expect(() => signer.unsign(`v:${good.slice(2, -1)}${ch}`)).toThrow(BadSignature);
    }
    const long = new Signer({ key, algorithm: 'sha512' });
    const signed512 = long.sign('v');
    expect(long.unsign(signed512)).toBe('v');
    expect(() => long.unsign(`v:${'é'.repeat(signed512.length - 2)}`)).toThrow(BadSignature);
  });

  it('sign_object / unsign_object without a timestamp', () => {
    const signer = new Signer({ key });
    const signed = signer.signObject({ a: [1, 'b'] });
    expect(signed.split(':')).toHaveLength(2);
    expect(signer.unsignObject(signed)).toEqual({ a: [1, 'b'] });
    const compressed = signer.signObject({ long: 'x'.repeat(200) }, { compress: true });
    expect(compressed.startsWith('.')).toBe(true);
    expect(signer.unsignObject(compressed)).toEqual({ long: 'x'.repeat(200) });
  });

  it("sign_object's bytes are latin-1, as Django's JSONSerializer encodes them", () => {
    const signer = new Signer({ key });
    const signed = signer.signObject('ignored', { serialize: () => '"café"' });
    expect(Buffer.from(signed.split(':')[0] as string, 'base64url')).toEqual(
      Buffer.from([0x22, 0x63, 0x61, 0x66, 0xe9, 0x22]),
    );
    expect(signer.unsignObject(signed, { parse: (text) => text })).toBe('"café"');
    const viaDumps = dumps('ignored', { key, serialize: () => '"ñ"', now: () => NOW });
    expect(loads(viaDumps, { key, parse: (text) => text, now: () => NOW })).toBe('"ñ"');
  });
});

describe('TimestampSigner', () => {
  it('an empty value signs and unsigns (the timestamp separator at index 0)', () => {
    const signer = new TimestampSigner({ key, now: () => NOW });
    const signed = signer.sign('');
    expect(signed.startsWith(':')).toBe(true);
    expect(signer.unsign(signed)).toBe('');
    expect(signer.unsign(signed, 10)).toBe('');
  });

  it("a fractional age is printed as Python prints the float: 'Signature age 1.5 > 1 seconds'", () => {
    const signed = new TimestampSigner({ key, now: () => NOW }).sign('v');
    const later = new TimestampSigner({ key, now: () => NOW + 1_500 });
    expect(() => later.unsign(signed, 1)).toThrow(new SignatureExpired('Signature age 1.5 > 1 seconds'));
    const whole = new TimestampSigner({ key, now: () => NOW + 3_000 });
    expect(() => whole.unsign(signed, 2)).toThrow(new SignatureExpired('Signature age 3 > 2 seconds'));
    // Only trailing zeros go: 10.25, not 1.25.
    const ten = new TimestampSigner({ key, now: () => NOW + 10_250 });
    expect(() => ten.unsign(signed, 10)).toThrow(new SignatureExpired('Signature age 10.25 > 10 seconds'));
    const tiny = new TimestampSigner({ key, now: () => NOW + 1_250 });
    expect(() => tiny.unsign(signed, 1)).toThrow(new SignatureExpired('Signature age 1.25 > 1 seconds'));
  });

  it('unsignObjectTimestamped gives the object and its signing time in seconds', () => {
    const signer = new TimestampSigner({ key, now: () => NOW });
    const signed = signer.signObject({ user: 'ada' }, { compress: true });
    expect(signer.unsignObjectTimestamped(signed)).toEqual({ value: { user: 'ada' }, timestamp: NOW / 1000 });
    expect(signer.unsignObjectTimestamped(signed, { maxAge: 5 }).value).toEqual({ user: 'ada' });
    const later = new TimestampSigner({ key, now: () => NOW + 10_000 });
    expect(() => later.unsignObjectTimestamped(signed, { maxAge: 5 })).toThrow(SignatureExpired);
  });
});

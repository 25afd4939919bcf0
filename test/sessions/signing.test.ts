/** Every vector of django-sessions.md §5.6, observed in Django 6.1 dev. */
import { describe, expect, it } from 'vitest';
import { createClock } from '../../server-agent/sessions/clock.js';
import { createCodec } from '../../server-agent/sessions/codec.js';
import { BadSignature, SignatureExpired } from '../../server-agent/sessions/errors.js';
import { pythonJsonSerializer } from '../../server-agent/sessions/serializer.js';
import {
  b62Decode,
  b62Encode,
  dumps,
  loads,
  saltedHmac,
  Signer,
  TimestampSigner,
} from '../../server-agent/sessions/signing.js';

const AT_1700000000 = () => 1_700_000_000_000;
const SESSION_SALT = 'django.contrib.sessions.SessionStore';
const COOKIE_SALT = 'django.contrib.sessions.backends.signed_cookies';
const pyJson = (value: unknown) => pythonJsonSerializer.dumps(new Map(Object.entries(value as object)));

describe('base62', () => {
  it.each([
    [0, '0'],
    [1, '1'],
    [61, 'z'],
    [62, '10'],
    [-1, '-1'],
    [123456789, '8M0kX'],
    [1620378259, '1lewPD'],
    [1700000000, '1r31eq'],
    [10 ** 10, 'Aukyoa'],
    [-(10 ** 10), '-Aukyoa'],
  ])('b62(%d) = %s and back', (n, text) => {
    expect(b62Encode(n)).toBe(text);
    expect(b62Decode(text)).toBe(n);
  });
  it('rejects characters outside the alphabet', () => {
    expect(() => b62Decode('ab$')).toThrow(BadSignature);
  });
});

describe('Signer', () => {
  it('signs like Django', () => {
    expect(new Signer({ key: 'predictable-secret' }).sign('foo')).toBe(
      'foo:jZQoX_FtSO70jX9HLRGg2A_2s4kdDBxz1QoO_OpEQb0',
    );
    expect(new Signer({ key: Buffer.from([0xe7]) }).sign('foo')).toBe(
      'foo:EE4qGC5MEKyQG5msxYA0sBohAxLC0BJf8uRhemh0BGU',
    );
    expect(new Signer({ key: 'predictable-secret', algorithm: 'sha512' }).signature('hello')).toBe(
      'Usf3uVQOZ9m6uPfVonKR-EBXjPe7bjMbp3_Fq8MfsptgkkM1ojidN0BxYaT5HAEN1VzO9_jVu7R-VkqknHYNvw',
    );
    expect(new Signer({ key: 'predictable-secret' }).signObject(['a', 'list'])).toBe(
      'WyJhIiwibGlzdCJd:3GYcIQFaIPFWdliFMF3d9fjJn7eGSl_wbCyUmm1HeEs',
    );
  });
  it('salted_hmac matches', () => {
    expect(
      saltedHmac('django.core.signing.Signersigner', 'foo', 'predictable-secret', 'sha256').toString('hex'),
    ).toBe('8d94285ff16d48eef48d7f472d11a0d80ff6b3891d0c1c73d50a0efcea4441bd');
  });
  it('unsigns, and refuses tampered, truncated and extended signatures without throwing anything else', () => {
    const signer = new Signer({ key: 'predictable-secret' });
    const signed = signer.sign('foo');
    expect(signer.unsign(signed)).toBe('foo');
    for (const bad of [`${signed}x`, signed.slice(0, -1), signed.replace('foo', 'fob'), 'foo', '', ':']) {
      expect(() => signer.unsign(bad)).toThrow(BadSignature);
    }
  });
  it('rejects an unsafe separator', () => {
    expect(() => new Signer({ key: 'k', sep: 'a' })).toThrow(/Unsafe Signer separator/);
    expect(() => new Signer({ key: 'k', sep: '' })).toThrow(/Unsafe Signer separator/);
  });
});

describe('TimestampSigner', () => {
  it('signs with base62 seconds', () => {
    expect(new TimestampSigner({ key: 'predictable-secret', now: AT_1700000000 }).sign('foo')).toBe(
      'foo:1r31eq:3e_M_10BGrQQDhZHHuW3tIuDusI8PvgvZ6hrxmng9zg',
    );
    expect(new TimestampSigner({ key: 'predictable-key', now: () => 123456789_000 }).sign('hello')).toBe(
      'hello:8M0kX:0pJB1_TN9Bno2aK29thnZKKHn76ngzcQVnIrp_DNs5M',
    );
  });
  it('max_age: exactly the age passes, one second more is SignatureExpired', () => {
    const token = dumps('hello', { key: 'test-secret-key', now: AT_1700000000 });
    expect(
      loads(token, { key: 'test-secret-key', maxAge: 1209600, now: () => 1_700_000_000_000 + 1209600_000 }),
    ).toBe('hello');
    expect(() =>
      loads(token, { key: 'test-secret-key', maxAge: 1209600, now: () => 1_700_000_000_000 + 1209601_000 }),
    ).toThrow(new SignatureExpired('Signature age 1209601 > 1209600 seconds'));
  });
});

describe('dumps / loads and session encode', () => {
  it('dumps("hello") with the default salt', () => {
    expect(dumps('hello', { key: 'test-secret-key', now: AT_1700000000 })).toBe(
      'ImhlbGxvIg:1r31eq:Pt-bTENZTU-EBzJ8DB66Phmdjdr5htmBYRqR7xw7fHk',
    );
  });

  it('encode() without and with compression', () => {
    const clock = createClock(AT_1700000000);
    const codec = createCodec('test-secret-key', [], clock);
    expect(codec.encode(new Map([['a test key', 'a test value']]))).toBe(
      'eyJhIHRlc3Qga2V5IjoiYSB0ZXN0IHZhbHVlIn0:1r31eq:k2rxQ1JvU3Um5KacJY0lWHaI6lYWq6Q7iOT2l6r0GK4',
    );
    const twenty = new Map(Array.from({ length: 20 }, (_, i) => [`k${i}`, 'value'] as [string, string]));
    const compressed = codec.encode(twenty);
    expect(compressed).toBe(
      '.eJxVzqsVgEAAxMBeViNY_tANAnXYO8OjdyQbGZV5VHodauddL3UqzhgyxowpY85YMtaMLWPHlAQYDIShMBiGw4AYEoPi3_J-bqVMCQ:1r31eq:0PFo1f6Tp9rUxSscubrTe4Cr9yknI929MmsWXngrrnw',
    );
    expect(codec.decode(compressed)).toEqual(twenty);
    expect(createCodec('test-secret-key', [], clock).decode(compressed)).toEqual(twenty); // not from the memo
  });

  it("Django's test-suite key", () => {
    const codec = createCodec('django_tests_secret_key', [], createClock(AT_1700000000));
    expect(codec.encode(new Map([['a test key', 'a test value']]))).toBe(
      'eyJhIHRlc3Qga2V5IjoiYSB0ZXN0IHZhbHVlIn0:1r31eq:z3T5kuYwaLspnAAUpfRWpbinC-rn6c6P1Qf9PsCyZ2s',
    );
    expect(
      dumps(
        { hello: 'world' },
        {
          key: 'django_tests_secret_key',
          salt: COOKIE_SALT,
          compress: true,
          serialize: pyJson,
          now: AT_1700000000,
        },
      ),
    ).toBe('eyJoZWxsbyI6IndvcmxkIn0:1r31eq:D7br0mU4xl7_pVmn8oQP-46zTk7_-k7T0N1hmLtBPNc');
  });

  it('signed-cookie tokens', () => {
    const opts = {
      key: 'test-secret-key',
      salt: COOKIE_SALT,
      compress: true,
      serialize: pyJson,
      now: AT_1700000000,
    };
    expect(dumps({}, opts)).toBe('e30:1r31eq:MuZY3XwpXtpo9d2rDMDjBM5_gvXgPIn_QRJ0tDjGDHg');
    expect(dumps({ hello: 'world' }, opts)).toBe(
      'eyJoZWxsbyI6IndvcmxkIn0:1r31eq:jERI9h2W1-Gr9r6DJAFrZAFKcbIVVuZAgVg3Ti1YeaA',
    );
  });

  it('SECRET_KEY_FALLBACKS verify, never sign', () => {
    const token = dumps(
      { x: 1 },
      { key: 'oldsecret', salt: SESSION_SALT, compress: true, serialize: pyJson, now: AT_1700000000 },
    );
    expect(token).toBe('eyJ4IjoxfQ:1r31eq:Yuz124XUYwoAIrruZD2Dc-mfQW3LVFR_6KsDaTD4I1Y');
    expect(loads(token, { key: 'newsecret', fallbackKeys: ['oldsecret'], salt: SESSION_SALT })).toEqual({
      x: 1,
    });
    expect(() => loads(token, { key: 'newsecret', fallbackKeys: [], salt: SESSION_SALT })).toThrow(
      'Signature "Yuz124XUYwoAIrruZD2Dc-mfQW3LVFR_6KsDaTD4I1Y" does not match',
    );
    const codec = createCodec('newsecret', ['oldsecret'], createClock(AT_1700000000));
    expect(codec.decode(token)).toEqual(new Map([['x', 1]]));
    expect(codec.encode(new Map([['x', 1]]))).not.toBe(token);
  });

  it('corrupt payloads decode to {} and never throw', () => {
    const codec = createCodec('test-secret-key', [], createClock(AT_1700000000));
    const good = codec.encode(new Map([['a', 1]]));
    for (const bad of [
      '',
      ':',
      '::',
      'abc',
      good.slice(1),
      `${good}:extra`,
      `.${good}`,
      '.!!!:1r31eq:x',
      '\u0000\uffff',
    ]) {
      expect(codec.decodeDetailed(bad).data).toEqual(new Map());
    }
  });
});

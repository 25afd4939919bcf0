/**
 * Issue 12 (Django fidelity) and issue 13 item 1 (byte-identical codec): golden vectors printed by
 * Django 3.2.25 (Debian's python3-django, zlib 1.2.13) with test/interop/golden_signing.py, clock at
 * 1700000000. Literals, so they hold without Python too.
 */
import { describe, expect, it } from 'vitest';
import { createClock } from '../../server-agent/sessions/clock.js';
import { createCodec } from '../../server-agent/sessions/codec.js';
import { InvalidAlgorithm } from '../../server-agent/sessions/errors.js';
import {
  type Algorithm,
  dumps,
  loads,
  Signer,
  TimestampSigner,
} from '../../server-agent/sessions/signing.js';

const AT = () => 1_700_000_000_000;
const KEY = 'test-secret-key';

describe('Django fidelity (issue 12): Signer algorithms', () => {
  const vectors: Record<Algorithm, string> = {
    md5: 'hello:APK4gOjQnMvhzZZkh9KZjg',
    sha1: 'hello:-e76rxAuvXG_P3pKzQ26zIqf5fY',
    sha224: 'hello:6WaFCI9tpfd6WUHbxaIvNxkNOLoTOkWf1Mjrkw',
    sha256: 'hello:T8oWtiMIRTzcoR3NRO-2PQNf5dTweZy0EL25Kt6lUo0',
    sha384: 'hello:PpW1ejxt9wesCVpv9IXIGs0PvtsjPkqLDhd9ww5hNaHYvzh3m5u7adaWHJgr4aon',
    sha512: 'hello:Usf3uVQOZ9m6uPfVonKR-EBXjPe7bjMbp3_Fq8MfsptgkkM1ojidN0BxYaT5HAEN1VzO9_jVu7R-VkqknHYNvw',
    sha3_224: 'hello:iDnULQlqzxrzWAgcw3pXxN7LJvufeRhEeR4r7A',
    sha3_256: 'hello:pZh9Z0BT-akXhePUBSJ-QA5_l5QFfrQXa7vIqlWKd2w',
    sha3_384: 'hello:1256C3zq2Yc3sq2iV1GBGMFgtTNeLatVEqNKSA-KE-MjlIk4SaoWO9BSHO6r1kuG',
    sha3_512: 'hello:EF6cjElxuGPYiZOOQF4pvqig6DjOcGK1Olffnh_hEiH5VBYO-keonetiLbrebLHMosVZBOj2bGZOM68sNcHECQ',
    blake2b: 'hello:LqaSJNJkW66MlPM8FJNnmdh_LR5aYkXVi23_EZMLnpmqQMNXVbKBZkY9elKl5dY37X21ILPw2YUOtDHCWWcu_w',
    blake2s: 'hello:ssy72qSk-Y0pzeTzjgYNMSDlORO06idGAboHMc4Ev3U',
  };
  it.each(Object.entries(vectors))(
    'Signer({ algorithm: %s }).sign("hello") is Django\'s',
    (algorithm, signed) => {
      const signer = new Signer({ key: 'predictable-secret', algorithm: algorithm as Algorithm });
      expect(signer.sign('hello')).toBe(signed);
      expect(signer.unsign(signed)).toBe('hello');
    },
  );

  it("Signer({ algorithm: 'whatever' }) fails at construction with InvalidAlgorithm naming it", () => {
    // Django: "InvalidAlgorithm 'whatever' is not an algorithm accepted by the hashlib module." (at the first sign).
    const make = () => new Signer({ key: 'k', algorithm: 'whatever' as Algorithm });
    expect(make).toThrow(InvalidAlgorithm);
    expect(make).toThrow("'whatever' is not an algorithm accepted by the hashlib module.");
    try {
      make();
    } catch (error) {
      expect((error as InvalidAlgorithm).code).toBe('SESSION_INVALID_ALGORITHM');
      expect((error as InvalidAlgorithm).algorithm).toBe('whatever');
      expect((error as Error).message).toMatch(/sha256/);
    }
    // Names hashlib has but HMAC cannot use, and inherited property names, are refused too.
    for (const name of ['shake_128', 'toString', '__proto__', 'SHA256', 'sha-256'])
      expect(() => new TimestampSigner({ key: 'k', algorithm: name as Algorithm })).toThrow(InvalidAlgorithm);
  });

  it('sign(123) signs String(value), as Django signs str(value)', () => {
    const signer = new Signer({ key: 'predictable-secret' });
    expect(signer.sign(123)).toBe('123:wGpZjHsdq1PdD4VAj4IgiXZYY57Gvmq_kKh_-xIZN2M');
    expect(signer.sign(1.5)).toBe('1.5:DejItP46ceDEfbQDYZcHoJQ0-uEwOj_DRpY8EyFHPMw');
    expect(signer.unsign(signer.sign(123))).toBe('123');
  });

  it('TimestampSigner.unsign(value, maxAge) returns the value without the timestamp', () => {
    const signer = new TimestampSigner({ key: 'predictable-secret', now: AT });
    const signed = 'foo:1r31eq:3e_M_10BGrQQDhZHHuW3tIuDusI8PvgvZ6hrxmng9zg';
    expect(signer.sign('foo')).toBe(signed);
    expect(signer.unsign(signed)).toBe('foo');
    expect(signer.unsign(signed, 60)).toBe('foo');
    const later = new TimestampSigner({ key: 'predictable-secret', now: () => AT() + 61_000 });
    expect(() => later.unsign(signed, 60)).toThrow('Signature age 61 > 60 seconds');
  });
});

describe('Django fidelity (issue 12): signing.dumps / loads with the default serializer', () => {
  const values: Record<string, unknown> = {
    cafe: 'café',
    quote: '’',
    astral: '😀 Zoë',
    controls: 'a\u007f\u0000\n\t"\\/',
    mixed: { name: 'Zoë ’😀', n: [1, 2.5, null, true, false], nested: { k: 'é' } },
    list: ['a', 'list'],
    number: 1e-5,
  };
  const plain: Record<string, string> = {
    cafe: 'ImNhZlx1MDBlOSI:1r31eq:OMOY10iVe4lxucTrVC2xEZYwZ87OB81SkBj01PMbLKk',
    quote: 'Ilx1MjAxOSI:1r31eq:_GaSFVmaIl7hPHcTzwlScTkb_F1rDN4wdC6x1NiJYgU',
    astral: 'Ilx1ZDgzZFx1ZGUwMCBab1x1MDBlYiI:1r31eq:lgvj4Hk7ECxVhpf17fk7ILMWnldID8Gnks7G9k1s5gQ',
    controls: 'ImFcdTAwN2ZcdTAwMDBcblx0XCJcXC8i:1r31eq:H1VNy8lrsIA3rq_wNy9WqGLPU8CSKT3md_z1UtEVl-8',
    mixed:
      'eyJuYW1lIjoiWm9cdTAwZWIgXHUyMDE5XHVkODNkXHVkZTAwIiwibiI6WzEsMi41LG51bGwsdHJ1ZSxmYWxzZV0sIm5lc3RlZCI6eyJrIjoiXHUwMGU5In19:1r31eq:QbedfxcqSXf88bJdya5-hgWo-6ELVdFjzWUMgLfZs78',
    list: 'WyJhIiwibGlzdCJd:1r31eq:-ilqlhppCNQ9qfx4s0XUndRYbsLG3zNvrJdXs-Z20XU',
    number: 'MWUtMDU:1r31eq:2h-C6QJC-3gnpXYM_XooqkWNb6ZVrNSqtwYcWvxWLjc',
  };
  const compressed: Record<string, string> = {
    cafe: 'ImNhZlx1MDBlOSI:1r31eq:OMOY10iVe4lxucTrVC2xEZYwZ87OB81SkBj01PMbLKk',
    quote: 'Ilx1MjAxOSI:1r31eq:_GaSFVmaIl7hPHcTzwlScTkb_F1rDN4wdC6x1NiJYgU',
    astral: 'Ilx1ZDgzZFx1ZGUwMCBab1x1MDBlYiI:1r31eq:lgvj4Hk7ECxVhpf17fk7ILMWnldID8Gnks7G9k1s5gQ',
    controls: 'ImFcdTAwN2ZcdTAwMDBcblx0XCJcXC8i:1r31eq:H1VNy8lrsIA3rq_wNy9WqGLPU8CSKT3md_z1UtEVl-8',
    mixed:
      'eyJuYW1lIjoiWm9cdTAwZWIgXHUyMDE5XHVkODNkXHVkZTAwIiwibiI6WzEsMi41LG51bGwsdHJ1ZSxmYWxzZV0sIm5lc3RlZCI6eyJrIjoiXHUwMGU5In19:1r31eq:QbedfxcqSXf88bJdya5-hgWo-6ELVdFjzWUMgLfZs78',
    list: 'WyJhIiwibGlzdCJd:1r31eq:-ilqlhppCNQ9qfx4s0XUndRYbsLG3zNvrJdXs-Z20XU',
    number: 'MWUtMDU:1r31eq:2h-C6QJC-3gnpXYM_XooqkWNb6ZVrNSqtwYcWvxWLjc',
  };
  it.each(Object.keys(values))("dumps(%s) equals Django's and loads back", (name) => {
    expect(dumps(values[name], { key: KEY, now: AT })).toBe(plain[name]);
    expect(dumps(values[name], { key: KEY, now: AT, compress: true })).toBe(compressed[name]);
    expect(loads(plain[name]!, { key: KEY })).toEqual(values[name]);
  });
  it('a compressed Django token is byte-identical and loads back', () => {
    const big = {
      cart: Array.from({ length: 12 }, (_, i) => ({
        sku: `A-${i}`,
        qty: i % 3,
        name: `Produit numéro ${i}`,
      })),
    };
    const django =
      '.eJyN0r8KgzAQx_FXkd-cwiX-Tba-QffWQaxDKSpNk6FI3r0uIucgtx73gS_cLeg7H-DuC77vCIfrhaDwCT84Upi6cViHNz8_4ytkUxwfkWiwfs4ISe1Ib0ifIs2Q2ZA5RYahXJaXM1TI8gqGSlleyVAly6sYqmV5NUONLK9hyMryLD8uCa97-AktK1z3Upv-aC_EVQ:1r31eq:1gK0OAja_H2yRQZtHJ1unCkotzEAFeAFaMwb7QeSNOU';
    expect(dumps(big, { key: KEY, now: AT, compress: true })).toBe(django);
    expect(loads(django, { key: KEY })).toEqual(big);
  });
  it('loads reads Python NaN and Infinity', () => {
    const signer = new TimestampSigner({ key: KEY, salt: 'django.core.signing', now: AT });
    const token = signer.sign(Buffer.from('[NaN,Infinity,-Infinity]').toString('base64url'));
    expect(loads(token, { key: KEY })).toEqual([
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
    ]);
  });
});

describe('issue 13 item 1: session encode is byte-identical to Django, compressed sessions included', () => {
  const sessions: [Record<string, unknown>, string][] = [
    [
      {
        _auth_user_id: '42',
        _auth_user_backend: 'django.contrib.auth.backends.ModelBackend',
        _auth_user_hash: 'a3f5e8c2d1b4a6f7e9c0b2d4f6a8c0e2b4d6f8a0c2e4b6d8f0a2c4e6b8d0f2a4',
        cart: [
          { sku: 'A-1', qty: 2 },
          { sku: 'B-7', qty: 1 },
        ],
        locale: 'en-GB',
        seen: 17,
      },
      '.eJxVjMEOgjAQBf-lZyCl1lK5ycWTX2AM2W63opASKRwM4d8tCSR6nXlvZlbDNDb1FGion5aVTAqW_EID2JJfjX2Bf_QZ9n4cniZbJ9lmQ3btLXXVtv0LNBCa-IaDO5JGYXMjQbmCTsiNsNIp0MhJGGmV08BRkDTKasdBoCRltOVOgIxRhGFk5W1moZ1i8ZzmEb7HDyvFkuy0Soud5ss9YV2P0FEU5NNLFVUg8tEVyxe_j1Aj:1r31eq:uSmgoFy10TP2aL7zBvZKJLnVZgtn6lLCxHY7wLgZ1jM',
    ],
    [
      { counter: 12345, flash: ['Saved.', 'Saved.', 'Saved.'], theme: 'dark', tz: 'Europe/Paris' },
      '.eJyrVkrOL80rSS1SsjI0MjYx1VFKy0kszlCyilYKTixLTdFT0sFgxOoolWSk5qYqWSmlJBZlAyVKqoBs19Ki_IJU_YDEosxipVoAxNUbig:1r31eq:FbdGNZ3fOQmYv8jj-dnrBxAqtQZQWQYm9kfp992b59o',
    ],
    [
      {
        k0: 'value 0',
        k1: 'value 2',
        k2: 'value 4',
        k3: 'value 1',
        k4: 'value 3',
        k5: 'value 0',
        k6: 'value 2',
        k7: 'value 4',
        k8: 'value 1',
        k9: 'value 3',
        k10: 'value 0',
        k11: 'value 2',
        k12: 'value 4',
        k13: 'value 1',
        k14: 'value 3',
        k15: 'value 0',
        k16: 'value 2',
        k17: 'value 4',
        k18: 'value 1',
        k19: 'value 3',
        k20: 'value 0',
        k21: 'value 2',
        k22: 'value 4',
        k23: 'value 1',
        k24: 'value 3',
        k25: 'value 0',
        k26: 'value 2',
        k27: 'value 4',
        k28: 'value 1',
        k29: 'value 3',
        k30: 'value 0',
        k31: 'value 2',
        k32: 'value 4',
        k33: 'value 1',
        k34: 'value 3',
        k35: 'value 0',
        k36: 'value 2',
        k37: 'value 4',
        k38: 'value 1',
        k39: 'value 3',
      },
      '.eJxd0SsOAlEQRNGtkNaIqarhuxvEqMGCIeydPPNCX3lN5aT7U_tS93o_nq_tsNSxds30SM9cR2amRq4zM_LUp8596tKnrn3q1qdEFlwCTJAJNMEm4ASdwBN8hs-8G3yGz_AZPsNn-Ayf4Qt8gS98LHyBL_AFvsAX-PLv-_4AemymHQ:1r31eq:lJmZIHk263nTgZAct4viisWzZrL-v4jBow88BKN90yQ',
    ],
  ];
  it.each(sessions.map((entry, i) => [i, ...entry] as const))('session %i', (_i, data, django) => {
    const codec = createCodec(KEY, [], createClock(AT));
    const map = new Map(Object.entries(data));
    expect(codec.encode(map as never)).toBe(django);
    expect(codec.decode(django)).toEqual(map); // the text it just signed: from its memo
    expect(createCodec(KEY, [], createClock(AT)).decode(django)).toEqual(map); // the whole way
  });
});

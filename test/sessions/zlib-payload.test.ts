/**
 * Django's compression rule at its boundary (signing.dumps: compress only when
 * `len(compressed) < len(data) - 1`), on both of djangoPayload's paths (up to 16 KiB: Python's
 * own deflate; above: node:zlib), and what an invalid compressed payload raises.
 */
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { TimestampSigner } from '../../server-agent/sessions/signing.js';
import { djangoPayload, inflateCapped } from '../../server-agent/sessions/zlib-codec.js';

describe('compress only when it saves more than one byte', () => {
  // Found with python3: len(zlib.compress(s)) is len(s) - 1 for the first, len(s) - 2 for the second.
  const SAVES_ONE = '{"k":"kwo886vompzom75wbbr4qmw2wxfoxxxxxxxxxxx"}';
  const SAVES_TWO = '{"k":"21tbic145aez732pgojj7g3fxxxxxxxxxxxx"}';

  it("small payloads: saving one byte is not enough; two is, with Python's bytes", () => {
    expect(djangoPayload(Buffer.from(SAVES_ONE))).toBe(Buffer.from(SAVES_ONE).toString('base64url'));
    // python3: base64.urlsafe_b64encode(zlib.compress(s.encode())).rstrip(b'=')
    expect(djangoPayload(Buffer.from(SAVES_TWO))).toBe(
      '.eJyrVspWslIyMixJykw2NDFNTK0yNzYqSM_PyjJPN06rQAJKtQA8pA-S',
    );
  });

  it('payloads above 16 KiB follow the same rule with node:zlib', () => {
    // Seeded bytes that do not compress, then a run of "A" that does: somewhere the saving crosses 1 and 2 bytes.
    let x = 0x9e3779b9;
    const next = () => {
      x ^= x << 13;
      x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
      return x & 0xff;
    };
    const noise = Buffer.from(Array.from({ length: 17_000 }, next));
    const bySaving = new Map<number, Buffer>();
    for (let run = 0; run < 3_000 && bySaving.size < 4; run++) {
      const input = Buffer.concat([noise, Buffer.alloc(run, 0x41)]);
      const saving = input.length - deflateSync(input).length;
      if (saving >= 0 && saving <= 3 && !bySaving.has(saving)) bySaving.set(saving, input);
    }
    expect([...bySaving.keys()].sort()).toEqual([0, 1, 2, 3]);
    for (const [saving, input] of bySaving) {
      const payload = djangoPayload(input);
      if (saving >= 2) expect(payload).toBe(`.${deflateSync(input).toString('base64url')}`);
      else expect(payload).toBe(input.toString('base64url'));
      expect(Buffer.from(payload.replace(/^\./, ''), 'base64url').length).toBeLessThanOrEqual(input.length);
    }
  });
});

describe('an invalid compressed payload', () => {
  it('is refused by inflateCapped with a message saying so, and the next payload still inflates', () => {
    expect(() => inflateCapped(Buffer.from('not zlib at all'))).toThrow(
      /^zlib: the compressed session payload is invalid$/,
    );
    expect(inflateCapped(deflateSync(Buffer.from('{"a":1}'))).toString()).toBe('{"a":1}');
  });

  it('reaches the caller of unsignObject when validly signed (Django lets zlib.error through too)', () => {
    const signer = new TimestampSigner({ key: 'zlib-payload-secret' });
    const signed = signer.sign(`.${Buffer.from('garbage!').toString('base64url')}`);
    expect(() => signer.unsignObject(signed)).toThrow(/compressed session payload is invalid/);
  });
});

/**
 * Fuzz: signing (CR-3, CR-4). Random values and keys are signed, then truncated, extended, given
 * trailing data, flipped, or checked with another key: 0 accepted forgeries, and every refusal is
 * a BadSignature (never another exception that would surface as a 500).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SESSION_KEY_SALT } from '../../server-agent/sessions/codec.js';
import { BadSignature } from '../../server-agent/sessions/errors.js';
import { dumps, loads, Signer, TimestampSigner } from '../../server-agent/sessions/signing.js';
import { FUZZ_TIMEOUT_MS, fuzzParameters } from './runs.js';

type Mutation =
  | { kind: 'truncate'; at: number }
  | { kind: 'extend'; extra: string }
  | { kind: 'flip'; at: number; to: string }
  | { kind: 'other-key' };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('extend' as const),
    extra: fc.oneof(
      fc.string({ minLength: 1, maxLength: 8 }),
      fc.constantFrom(':', ':x', '.', '=', '\u0000', ' ', 'A'),
    ),
  }),
  fc.record({
    kind: fc.constant('flip' as const),
    at: fc.nat(),
    to: fc.string({ minLength: 1, maxLength: 1 }),
  }),
  fc.constant({ kind: 'other-key' as const }),
);

/** The forged string, or null when the mutation happens to give back the original. */
function forge(signed: string, m: Mutation): string | null {
  switch (m.kind) {
    case 'truncate':
      return signed.slice(0, m.at % signed.length);
    case 'extend':
      return signed + m.extra;
    case 'flip': {
      const at = m.at % signed.length;
      const forged = signed.slice(0, at) + m.to + signed.slice(at + 1);
      return forged === signed ? null : forged;
    }
    case 'other-key':
      return signed;
  }
}

/** True when refused with BadSignature; any other exception fails the property (it would be a 500). */
function refused(unsign: () => unknown): boolean {
  try {
    unsign();
    return false;
  } catch (error) {
    if (!(error instanceof BadSignature)) throw error;
    return true;
  }
}

describe('fuzz: signing', () => {
  it(
    'CR-3/CR-4: Signer accepts 0 truncated, extended, flipped or wrong-key forgeries',
    () => {
      let forgeries = 0;
      fc.assert(
        fc.property(
          fc.string({ maxLength: 40 }),
          fc.string({ minLength: 1, maxLength: 20 }),
          mutation,
          (value, key, m) => {
            const signer = new Signer({ key, salt: 'fuzz' });
            const signed = signer.sign(value);
            if (signer.unsign(signed) !== value) throw new Error('round trip failed');
            const forged = forge(signed, m);
            if (forged === null) return;
            const verifier = m.kind === 'other-key' ? new Signer({ key: `${key}x`, salt: 'fuzz' }) : signer;
            if (!refused(() => verifier.unsign(forged))) forgeries++;
          },
        ),
        fuzzParameters('signing: Signer forgeries'),
      );
      expect(forgeries).toBe(0);
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    'CR-3: session payloads (dumps/loads, TimestampSigner, compression) accept 0 forgeries',
    () => {
      let forgeries = 0;
      const key = 'fuzz-session-secret-0123456789abcdef';
      fc.assert(
        fc.property(fc.jsonValue({ maxDepth: 2 }), mutation, (value, m) => {
          const signed = dumps(value, { key, salt: SESSION_KEY_SALT, compress: true });
          const forged = forge(signed, m);
          if (forged === null) return;
          const verifyKey = m.kind === 'other-key' ? `${key}x` : key;
          if (!refused(() => loads(forged, { key: verifyKey, salt: SESSION_KEY_SALT }))) forgeries++;
        }),
        fuzzParameters('signing: session payload forgeries'),
      );
      expect(forgeries).toBe(0);
    },
    FUZZ_TIMEOUT_MS,
  );

  it('CR-4 vectors: trailing data, empty parts and separators are refused', () => {
    const signer = new Signer({ key: 'k', salt: 's' });
    const signed = signer.sign('v');
    const signature = signed.slice(2);
    for (const forged of [
      `${signed}:extra`,
      `v::${signature}`,
      `:${signature}`,
      '',
      ':',
      'v',
      `${signed} `,
      ` ${signed}`,
      `${signed}\u0000`,
      `v:${signature}=`,
      `v:${signature.slice(0, -1)}`,
    ]) {
      expect(
        refused(() => signer.unsign(forged)),
        JSON.stringify(forged),
      ).toBe(true);
    }
    const stamped = new TimestampSigner({ key: 'k', salt: 's' });
    for (const forged of [`${stamped.sign('v')}x`, stamped.sign('v').replace(/:[^:]+:/, '::')])
      expect(refused(() => stamped.unsign(forged))).toBe(true);
  });

  it('CR-2: a fallback key verifies; without it the same token is refused', () => {
    const old = new Signer({ key: 'old-key', salt: 's' }).sign('payload');
    expect(new Signer({ key: 'new-key', fallbackKeys: ['old-key'], salt: 's' }).unsign(old)).toBe('payload');
    expect(refused(() => new Signer({ key: 'new-key', salt: 's' }).unsign(old))).toBe(true);
  });
});

/**
 * Issue 13 item 1: the signer's HMAC from two one-shot hashes over pads prepared once (hmac-pads.ts)
 * is the MAC createHmac computes, for every digest a Signer accepts, every key length (shorter
 * than, equal to and longer than the block), and messages that fit the kept buffer, grow it, or go
 * past it to createHmac; and a signer reusing the buffers never mixes one message into the next.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HmacKey } from '../../server-agent/sessions/hmac-pads.js';
import { ALGORITHMS, Signer } from '../../server-agent/sessions/signing.js';

const DIGESTS = [
  'md5',
  'sha1',
  'sha224',
  'sha256',
  'sha384',
  'sha512',
  'sha3-224',
  'sha3-256',
  'sha3-384',
  'sha3-512',
  'blake2b512',
  'blake2s256',
];

const messages = [
  '',
  'a',
  '.eJxVjEEKwyAQRe8y6yKJ2oUuu-8ZZNQx2qYKaqAQcvdKKYUu3_ufd4AzWhQ:1s2x3y',
  'caf\u00e9 \u2603 \ud83d\ude00 and a lone surrogate \ud800',
  'x'.repeat(1023),
  'y'.repeat(5000),
  '\u20ac'.repeat(400),
  'z'.repeat(70_000),
  'short again after the long ones',
];

describe('issue 13 item 1: HMAC from prepared pads equals createHmac', () => {
  it.each(DIGESTS)('%s, keys of 0, 20, 64, 72, 144 and 200 bytes', (digest) => {
    for (const keyLength of [0, 20, 64, 72, 144, 200]) {
      const key = Buffer.from(Array.from({ length: keyLength }, (_, i) => (i * 37 + keyLength) & 0xff));
      const hmac = new HmacKey(digest, key);
      for (const message of messages) {
        expect(hmac.base64url(message), `${digest}, ${keyLength}-byte key, ${message.length} chars`).toBe(
          createHmac(digest, key).update(message).digest('base64url'),
        );
      }
    }
  });

  it('every algorithm a Signer accepts has a block size (none falls through to an error)', () => {
    for (const algorithm of ALGORITHMS) {
      expect(() => new Signer({ key: 'k', algorithm }).sign('v'), algorithm).not.toThrow();
    }
  });

  it('CR-3: a signature matching only in the low byte of each character is refused', () => {
    const signer = new Signer({ key: 'k', salt: 's' });
    const signed = signer.sign('value');
    const at = signed.lastIndexOf(':') + 1;
    // U+0100 + c has c as its latin-1 byte: a byte compare over latin-1 would take it.
    const lookalike = `${signed.slice(0, at)}${String.fromCharCode(0x100 + signed.charCodeAt(at))}${signed.slice(at + 1)}`;
    expect(signer.unsign(signed)).toBe('value');
    expect(() => signer.unsign(lookalike)).toThrow(/does not match/);
    expect(() => signer.unsign(`${signed}\u00e9`)).toThrow(/does not match/);
  });

  it('a digest without a known block size is refused at construction, naming it', () => {
    expect(() => new HmacKey('ripemd160', Buffer.from('k'))).toThrow(/ripemd160/);
  });
});

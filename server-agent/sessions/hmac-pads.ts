/**
 * HMAC (RFC 2104) as two one-shot hashes over pads prepared once per key: H(K^opad || H(K^ipad || m)).
 * createHmac builds a native Hmac object, copies the key and pads it again on every call, which
 * costs more than hashing a 300-byte session twice; crypto.hash over buffers kept per key does not.
 * The result is the same MAC (test/sessions/hmac-pads.test.ts checks it against createHmac).
 */
// crypto.hash (Node 20.12+) through the namespace, not as a named import: on an older Node a missing
// named export fails linking the whole package, before node-version.ts can name the minimum version.
import * as nodeCrypto from 'node:crypto';
import { createHash, createHmac } from 'node:crypto';

/** RFC 2104's B, the input block of each digest signing.ts offers (OpenSSL names). */
const BLOCK_BYTES: Readonly<Record<string, number>> = {
  md5: 64,
  sha1: 64,
  sha224: 64,
  sha256: 64,
  sha384: 128,
  sha512: 128,
  'sha3-224': 144,
  'sha3-256': 136,
  'sha3-384': 104,
  'sha3-512': 72,
  blake2b512: 128,
  blake2s256: 64,
};

/** Messages whose UTF-8 exceeds this go through createHmac, so no key keeps a big buffer. */
const MAX_PADDED_MESSAGE = 64 * 1024;
const INITIAL_MESSAGE_ROOM = 1024;

export class HmacKey {
  private readonly block: number;
  /** K ^ ipad, then room for the message. */
  private inner: Buffer;
  /** K ^ opad, then the inner digest. */
  private readonly outer: Buffer;

  constructor(
    private readonly digest: string,
    private readonly key: Buffer,
  ) {
    const block = BLOCK_BYTES[digest];
    if (block === undefined) throw new RangeError(`No HMAC block size known for digest ${digest}`);
    this.block = block;
    // Keys longer than a block are hashed first (RFC 2104 §2).
    const k = key.length > block ? createHash(digest).update(key).digest() : key;
    const digestBytes = createHash(digest).digest().length;
    this.inner = Buffer.alloc(block + INITIAL_MESSAGE_ROOM);
    this.outer = Buffer.alloc(block + digestBytes);
    this.inner.fill(0x36, 0, block);
    this.outer.fill(0x5c, 0, block);
    for (let i = 0; i < k.length; i++) {
      this.inner[i]! ^= k[i]!;
      this.outer[i]! ^= k[i]!;
    }
  }

  /** base64url of HMAC(key, UTF-8 of message), as createHmac(…).update(message).digest('base64url'). */
  base64url(message: string): string {
    const block = this.block;
    let inner = this.inner;
    // UTF-8 takes at most 3 bytes per UTF-16 unit: only a long message needs the exact count.
    if (message.length * 3 > inner.length - block) {
      const bytes = Buffer.byteLength(message, 'utf8');
      if (bytes > MAX_PADDED_MESSAGE)
        return createHmac(this.digest, this.key).update(message).digest('base64url');
      if (bytes > inner.length - block) {
        const grown = Buffer.alloc(block + Math.min(MAX_PADDED_MESSAGE, 2 * bytes));
        inner.copy(grown, 0, 0, block);
        this.inner = inner = grown;
      }
    }
    const length = inner.write(message, block, 'utf8');
    // 'binary' (latin1) carries the digest's bytes as a string, without a Buffer allocation.
    this.outer.write(
      nodeCrypto.hash(this.digest, inner.subarray(0, block + length), 'binary'),
      block,
      'binary',
    );
    return nodeCrypto.hash(this.digest, this.outer, 'base64url');
  }
}

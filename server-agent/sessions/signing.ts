/**
 * django.core.signing, byte-compatible: salted HMAC (key = H(salt + secret)), Signer,
 * TimestampSigner with base62 seconds, and dumps/loads with optional zlib compression.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { BadSignature, InvalidAlgorithm, SignatureExpired } from './errors.js';
import { HmacKey } from './hmac-pads.js';
import { parsePythonJson } from './json-parse.js';
import { pythonJsonDumps } from './serializer.js';
import { djangoPayload, payloadText } from './zlib-codec.js';

export type Secret = string | Uint8Array;
/** hashlib's names (Django passes them to getattr(hashlib, …)) that HMAC can use. */
export type Algorithm =
  | 'md5'
  | 'sha1'
  | 'sha224'
  | 'sha256'
  | 'sha384'
  | 'sha512'
  | 'sha3_224'
  | 'sha3_256'
  | 'sha3_384'
  | 'sha3_512'
  | 'blake2b'
  | 'blake2s';

/** hashlib name → OpenSSL digest name (blake2b/blake2s are hashlib's default 64/32-byte sizes). */
const NODE_DIGESTS: Readonly<Record<Algorithm, string>> = {
  md5: 'md5',
  sha1: 'sha1',
  sha224: 'sha224',
  sha256: 'sha256',
  sha384: 'sha384',
  sha512: 'sha512',
  sha3_224: 'sha3-224',
  sha3_256: 'sha3-256',
  sha3_384: 'sha3-384',
  sha3_512: 'sha3-512',
  blake2b: 'blake2b512',
  blake2s: 'blake2s256',
};
export const ALGORITHMS = Object.keys(NODE_DIGESTS) as readonly Algorithm[];

/** The digest for a hashlib name, or InvalidAlgorithm naming it (Django's salted_hmac error). */
function nodeDigest(algorithm: unknown): string {
  const name = String(algorithm);
  if (!Object.hasOwn(NODE_DIGESTS, name)) throw new InvalidAlgorithm(name, ALGORITHMS);
  return NODE_DIGESTS[name as Algorithm];
}

const toBytes = (value: Secret): Buffer =>
  typeof value === 'string' ? Buffer.from(value) : Buffer.from(value);

/**
 * Derived keys depend only on (algorithm, salt, secret), which a process reuses for every session:
 * remembering them saves one hash per sign and per verify. Bounded, since secrets rarely change.
 */
const derivedKeys = new Map<string, Buffer>();
const MAX_DERIVED_KEYS = 64;

function derivedKey(keySalt: Secret, secret: Secret, digest: string): Buffer {
  const text = (part: Secret) =>
    typeof part === 'string' ? `s:${part}` : `b:${toBytes(part).toString('hex')}`;
  const id = `${digest}\0${text(keySalt)}\0${text(secret)}`;
  let key = derivedKeys.get(id);
  if (!key) {
    key = createHash(digest)
      .update(Buffer.concat([toBytes(keySalt), toBytes(secret)]))
      .digest();
    if (derivedKeys.size >= MAX_DERIVED_KEYS) derivedKeys.clear();
    derivedKeys.set(id, key);
  }
  return key;
}

/** django.utils.crypto.salted_hmac */
export function saltedHmac(
  keySalt: Secret,
  value: Secret,
  secret: Secret,
  algorithm: Algorithm = 'sha1',
): Buffer {
  const digest = nodeDigest(algorithm);
  return createHmac(digest, derivedKey(keySalt, secret, digest))
    .update(typeof value === 'string' ? value : toBytes(value))
    .digest();
}

export const b64Encode = (bytes: Uint8Array): string =>
  (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length)).toString(
    'base64url',
  );
export const b64Decode = (text: string): Buffer => Buffer.from(text, 'base64url');

const B62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export function b62Encode(value: number): string {
  if (value === 0) return '0';
  const sign = value < 0 ? '-' : '';
  let rest = Math.abs(Math.trunc(value));
  let out = '';
  while (rest > 0) {
    out = B62[rest % 62] + out;
    rest = Math.floor(rest / 62);
  }
  return sign + out;
}

export function b62Decode(text: string): number {
  if (text === '0') return 0;
  const negative = text.startsWith('-');
  const digits = negative ? text.slice(1) : text;
  if (digits.length === 0 || digits.length > 12)
    throw new BadSignature(`Bad base62 timestamp ${JSON.stringify(text)}`);
  let value = 0;
  for (const ch of digits) {
    const index = B62.indexOf(ch);
    if (index < 0) throw new BadSignature(`Bad base62 timestamp ${JSON.stringify(text)}`);
    value = value * 62 + index;
  }
  return negative ? -value : value;
}

/**
 * Scratch for sameSignature, sized from the digests a Signer accepts (SHA-512 and BLAKE2b: 86
 * base64url characters), so every expected signature fits whole and the comparison needs no
 * fallback. A given signature gets three bytes per character of that: a longer one is cut, and
 * the cut still holds more bytes than any expected signature, so it cannot compare equal.
 */
const MAX_SIGNATURE_CHARS = Math.max(
  ...Object.values(NODE_DIGESTS).map((digest) => createHash(digest).digest('base64url').length),
);
const expectedBytes = Buffer.alloc(MAX_SIGNATURE_CHARS);
const givenBytes = Buffer.alloc(3 * MAX_SIGNATURE_CHARS);

/**
 * CR-3: whether a signature given by the client equals the expected one, in constant time over
 * their UTF-8 bytes; a wrong length is just "no" (timingSafeEqual would throw). Buffer.write's
 * default encoding is UTF-8, not latin1 (which would keep only the low byte of a non-ASCII
 * character). No early test of the lengths: the byte counts decide, and a normal request has
 * signatures of equal length anyway.
 */
function sameSignature(expected: string, given: string): boolean {
  const a = expectedBytes.write(expected, 0);
  const b = givenBytes.write(given, 0);
  return a === b && timingSafeEqual(expectedBytes.subarray(0, a), givenBytes.subarray(0, b));
}

export interface SignerOptions {
  key: Secret;
  fallbackKeys?: readonly Secret[];
  salt?: string;
  sep?: string;
  algorithm?: Algorithm;
}

export interface SignObjectOptions {
  compress?: boolean;
  /** Defaults to Django's JSONSerializer: Python's json.dumps with separators (",", ":"). */
  serialize?: (value: unknown) => string;
}

export interface UnsignObjectOptions<T> {
  /** Defaults to Python's json.loads (NaN and Infinity included). */
  parse?: (text: string) => T;
  maxAge?: number;
}

export class Signer {
  readonly key: Secret;
  readonly fallbackKeys: readonly Secret[];
  readonly salt: string;
  readonly sep: string;
  readonly algorithm: Algorithm;
  private readonly digest: string;
  /** HMAC keys of `key` then each fallback, derived and padded once. */
  private readonly hmacKeys: readonly HmacKey[];

  constructor(options: SignerOptions, defaultSalt = 'django.core.signing.Signer') {
    this.key = options.key;
    this.fallbackKeys = options.fallbackKeys ?? [];
    this.salt = options.salt || defaultSalt;
    this.sep = options.sep ?? ':';
    this.algorithm = options.algorithm ?? 'sha256';
    // Django fails only at the first sign; failing here names the mistake where it is made.
    this.digest = nodeDigest(this.algorithm);
    if (/^[A-z0-9\-_=]*$/.test(this.sep)) {
      throw new RangeError(
        `Unsafe Signer separator: ${JSON.stringify(this.sep)} (cannot be empty or consist of only A-z0-9-_=)`,
      );
    }
    const keySalt = `${this.salt}signer`;
    this.hmacKeys = [this.key, ...this.fallbackKeys].map(
      (secret) => new HmacKey(this.digest, derivedKey(keySalt, secret, this.digest)),
    );
  }

  signature(value: unknown, key: Secret = this.key): string {
    const hmacKey =
      key === this.key
        ? this.hmacKeys[0]!
        : new HmacKey(this.digest, derivedKey(`${this.salt}signer`, key, this.digest));
    return hmacKey.base64url(String(value));
  }

  /** Signs String(value), as Django signs str(value). */
  sign(value: unknown): string {
    const text = String(value);
    return `${text}${this.sep}${this.hmacKeys[0]!.base64url(text)}`;
  }

  unsign(signed: string): string {
    const at = signed.lastIndexOf(this.sep);
    if (at < 0) throw new BadSignature(`No "${this.sep}" found in value`);
    const value = signed.slice(0, at);
    const givenText = signed.slice(at + this.sep.length);
    for (const hmacKey of this.hmacKeys) {
      if (sameSignature(hmacKey.base64url(value), givenText)) return value;
    }
    throw new BadSignature(`Signature "${givenText}" does not match`);
  }

  /** Django's sign_object: serialize, compress when it saves more than a byte, base64, sign. */
  signObject(value: unknown, options: SignObjectOptions = {}): string {
    const json = Buffer.from((options.serialize ?? pythonJsonDumps)(value), 'latin1');
    return this.sign(options.compress ? djangoPayload(json) : json.toString('base64url'));
  }

  unsignObject<T = unknown>(signed: string, options: UnsignObjectOptions<T> = {}): T {
    return this.decodeObject(this.unsignValue(signed, options.maxAge), options);
  }

  protected decodeObject<T>(payload: string, options: UnsignObjectOptions<T>): T {
    const text = payloadText(payload);
    return options.parse ? options.parse(text) : (parsePythonJson(text) as T);
  }

  protected unsignValue(signed: string, _maxAge?: number): string {
    return this.unsign(signed);
  }
}

export class TimestampSigner extends Signer {
  private readonly nowMs: () => number;

  constructor(options: SignerOptions & { now?: () => number }) {
    super(options, 'django.core.signing.TimestampSigner');
    this.nowMs = options.now ?? Date.now;
  }

  /** The last second signed and its base62 text: every sign within one second reuses it. */
  private lastSecond = Number.NaN;
  private lastSecondText = '';

  timestamp(): string {
    const second = Math.floor(this.nowMs() / 1000);
    if (second !== this.lastSecond) {
      this.lastSecondText = b62Encode(second);
      this.lastSecond = second;
    }
    return this.lastSecondText;
  }

  override sign(value: unknown): string {
    return super.sign(`${String(value)}${this.sep}${this.timestamp()}`);
  }

  /** The value without its timestamp, as Django's; maxAge in seconds (an age equal to it passes). */
  override unsign(signed: string, maxAge?: number): string {
    return this.unsignTimestamped(signed, maxAge).value;
  }

  unsignTimestamped(signed: string, maxAge?: number): { value: string; timestamp: number } {
    const result = super.unsign(signed);
    const at = result.lastIndexOf(this.sep);
    if (at < 0) throw new BadSignature(`No "${this.sep}" found in value`);
    const timestamp = b62Decode(result.slice(at + this.sep.length));
    if (maxAge !== undefined) {
      const age = this.nowMs() / 1000 - timestamp;
      if (age > maxAge) throw new SignatureExpired(`Signature age ${formatAge(age)} > ${maxAge} seconds`);
    }
    return { value: result.slice(0, at), timestamp };
  }

  /** unsignObject and the signing time from one signature check (signed-cookie sessions need both). */
  unsignObjectTimestamped<T = unknown>(
    signed: string,
    options: UnsignObjectOptions<T> = {},
  ): { value: T; timestamp: number } {
    const { value, timestamp } = this.unsignTimestamped(signed, options.maxAge);
    return { value: this.decodeObject(value, options), timestamp };
  }

  protected override unsignValue(signed: string, maxAge?: number): string {
    return this.unsignTimestamped(signed, maxAge).value;
  }
}

function formatAge(age: number): string {
  return Number.isInteger(age) ? String(age) : age.toFixed(6).replace(/0+$/, '');
}

export interface DumpsOptions {
  key: Secret;
  salt?: string;
  compress?: boolean;
  serialize?: (value: unknown) => string;
  now?: () => number;
}

/** django.core.signing.dumps */
export function dumps(value: unknown, options: DumpsOptions): string {
  const signer = new TimestampSigner({
    key: options.key,
    salt: options.salt ?? 'django.core.signing',
    now: options.now,
  });
  return signer.signObject(value, { compress: options.compress, serialize: options.serialize });
}

export interface LoadsOptions<T> {
  key: Secret;
  fallbackKeys?: readonly Secret[];
  salt?: string;
  maxAge?: number;
  parse?: (text: string) => T;
  now?: () => number;
}

/** django.core.signing.loads */
export function loads<T = unknown>(signed: string, options: LoadsOptions<T>): T {
  const signer = new TimestampSigner({
    key: options.key,
    fallbackKeys: options.fallbackKeys,
    salt: options.salt ?? 'django.core.signing',
    now: options.now,
  });
  return signer.unsignObject(signed, { parse: options.parse, maxAge: options.maxAge });
}

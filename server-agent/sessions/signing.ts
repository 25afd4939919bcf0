/**
 * django.core.signing, byte-compatible: salted HMAC (key = H(salt + secret)), Signer,
 * TimestampSigner with base62 seconds, and dumps/loads with optional zlib compression.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { deflateSync, inflateSync } from 'node:zlib';
import { BadSignature, SignatureExpired } from './errors.js';

export type Secret = string | Uint8Array;
export type Algorithm = 'sha1' | 'sha256' | 'sha512';

const toBytes = (value: Secret): Buffer =>
  typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value);

/**
 * Derived keys depend only on (algorithm, salt, secret), which a process reuses for every session:
 * remembering them saves one hash per sign and per verify. Bounded, since secrets rarely change.
 */
const derivedKeys = new Map<string, Buffer>();
const MAX_DERIVED_KEYS = 64;

function derivedKey(keySalt: Secret, secret: Secret, algorithm: Algorithm): Buffer {
  const text = (part: Secret) =>
    typeof part === 'string' ? `s:${part}` : `b:${toBytes(part).toString('hex')}`;
  const id = `${algorithm}\0${text(keySalt)}\0${text(secret)}`;
  let key = derivedKeys.get(id);
  if (!key) {
    key = createHash(algorithm)
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
  return createHmac(algorithm, derivedKey(keySalt, secret, algorithm))
    .update(toBytes(value))
    .digest();
}

export const b64Encode = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');
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

export interface SignerOptions {
  key: Secret;
  fallbackKeys?: readonly Secret[];
  salt?: string;
  sep?: string;
  algorithm?: Algorithm;
}

export class Signer {
  readonly key: Secret;
  readonly fallbackKeys: readonly Secret[];
  readonly salt: string;
  readonly sep: string;
  readonly algorithm: Algorithm;

  constructor(options: SignerOptions, defaultSalt = 'django.core.signing.Signer') {
    this.key = options.key;
    this.fallbackKeys = options.fallbackKeys ?? [];
    this.salt = options.salt || defaultSalt;
    this.sep = options.sep ?? ':';
    this.algorithm = options.algorithm ?? 'sha256';
    if (/^[A-z0-9\-_=]*$/.test(this.sep)) {
      throw new RangeError(
        `Unsafe Signer separator: ${JSON.stringify(this.sep)} (cannot be empty or consist of only A-z0-9-_=)`,
      );
    }
  }

  signature(value: string, key: Secret = this.key): string {
    return b64Encode(saltedHmac(`${this.salt}signer`, value, key, this.algorithm));
  }

  sign(value: string): string {
    return `${value}${this.sep}${this.signature(value)}`;
  }

  unsign(signed: string): string {
    const at = signed.lastIndexOf(this.sep);
    if (at < 0) throw new BadSignature(`No "${this.sep}" found in value`);
    const value = signed.slice(0, at);
    const given = Buffer.from(signed.slice(at + this.sep.length), 'utf8');
    for (const key of [this.key, ...this.fallbackKeys]) {
      const expected = Buffer.from(this.signature(value, key), 'utf8');
      // Length first: timingSafeEqual throws on unequal lengths, and a wrong length is just "no".
      if (expected.length === given.length && timingSafeEqual(expected, given)) return value;
    }
    throw new BadSignature(`Signature "${given.toString('utf8')}" does not match`);
  }

  signObject(
    value: unknown,
    options: { compress?: boolean; serialize?: (value: unknown) => string } = {},
  ): string {
    const json = Buffer.from((options.serialize ?? JSON.stringify)(value), 'latin1');
    let data: Buffer = json;
    let prefix = '';
    if (options.compress) {
      const compressed = deflateSync(json);
      if (compressed.length < json.length - 1) {
        data = compressed;
        prefix = '.';
      }
    }
    return this.sign(prefix + b64Encode(data));
  }

  unsignObject<T = unknown>(
    signed: string,
    options: { parse?: (text: string) => T; maxAge?: number } = {},
  ): T {
    let payload = this.unsignValue(signed, options.maxAge);
    const compressed = payload.startsWith('.');
    if (compressed) payload = payload.slice(1);
    let data = b64Decode(payload);
    if (compressed) data = inflateSync(data, { maxOutputLength: 16 * 1024 * 1024 });
    const text = data.toString('latin1');
    return options.parse ? options.parse(text) : (JSON.parse(text) as T);
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

  timestamp(): string {
    return b62Encode(Math.floor(this.nowMs() / 1000));
  }

  override sign(value: string): string {
    return super.sign(`${value}${this.sep}${this.timestamp()}`);
  }

  /** maxAge in seconds; an age exactly equal to maxAge passes, as in Django. */
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

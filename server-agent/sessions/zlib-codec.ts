/**
 * The zlib half of django.core.signing.dumps/loads: compress only when that saves more than one
 * byte (Django's rule), and inflate with a hard output cap (a signed zlib bomb stays refused).
 */
import { constants, createInflate, deflateSync, type Inflate, inflateSync } from 'node:zlib';
import { compressSmallLength, smallOutput, TOO_LARGE } from './zlib-deflate.js';

/** Inflated session payloads above this are refused (a zlib bomb signed with the secret key). */
export const MAX_INFLATED_BYTES = 16 * 1024 * 1024;

/** Base64 text up to this many characters is decoded into one kept buffer, not a new one. */
const SCRATCH_CHARS = 64 * 1024;
const scratch = Buffer.alloc((SCRATCH_CHARS / 4) * 3 + 3);

/**
 * The JSON text of a Django payload (signing.loads after the signature): "." + base64(zlib) or
 * base64 alone, decoded as latin-1 (Django's b64_decode, zlib.decompress, then .decode('latin-1')).
 */
export function payloadText(payload: string): string {
  const compressed = payload.charCodeAt(0) === 0x2e; // "."
  const text = compressed ? payload.slice(1) : payload;
  const bytes =
    // Stryker disable next-line EqualityOperator: at exactly SCRATCH_CHARS a fresh Buffer decodes the same bytes
    text.length <= SCRATCH_CHARS
      ? scratch.subarray(0, scratch.write(text, 0, 'base64url'))
      : Buffer.from(text, 'base64url');
  return compressed ? inflateCappedLatin1(bytes) : bytes.toString('latin1');
}

/** A compressed payload that inflates past MAX_INFLATED_BYTES. */
export class PayloadTooLarge extends RangeError {
  constructor() {
    super(`The session payload inflates past the ${MAX_INFLATED_BYTES / 1024 / 1024} MiB limit`);
    this.name = 'PayloadTooLarge';
  }
}

/**
 * Django's payload for these JSON bytes: "." + base64(zlib.compress(json)) when that is shorter
 * than json.length - 1 bytes, else base64(json). Up to 16 KiB (nearly every session) the
 * compressed bytes are Python's own; above, node:zlib's, which Django reads alike but which can
 * differ from what Django itself would write.
 */
export function djangoPayload(json: Buffer): string {
  const small = compressSmallLength(json, json.length - 1);
  if (small !== TOO_LARGE) {
    if (small === 0) return json.toString('base64url');
    return `.${smallOutput().toString('base64url', 0, small)}`;
  }
  const compressed = deflateSync(json);
  return compressed.length < json.length - 1
    ? `.${compressed.toString('base64url')}`
    : json.toString('base64url');
}

/** JSON text up to this many characters is written into one kept buffer before deflating. */
const JSON_SCRATCH_CHARS = 16 * 1024;
const jsonScratch = Buffer.alloc(JSON_SCRATCH_CHARS);

/** djangoPayload of JSON text (latin-1 bytes, as Django's JSONSerializer output is ASCII). */
export function djangoPayloadOfText(json: string): string {
  // Stryker disable next-line EqualityOperator: at exactly JSON_SCRATCH_CHARS both paths write the same bytes
  if (json.length > JSON_SCRATCH_CHARS) return djangoPayload(Buffer.from(json, 'latin1'));
  // Stryker disable next-line StringLiteral: '' is utf8, the same bytes for the ASCII JSON (ensure_ascii)
  return djangoPayload(jsonScratch.subarray(0, jsonScratch.write(json, 0, 'latin1')));
}

/**
 * node:zlib's Inflate keeps its native stream in `_handle` with `writeSync` and the result counts
 * in `_writeState` (the same calls inflateSync makes). Reusing one stream saves creating a stream,
 * a handle and a 32 KiB window per decode (about three quarters of inflateSync's cost for a small
 * session). These are not public API: if a Node version changes them, inflateSync takes over.
 */
interface NativeZlibHandle {
  writeSync(
    flush: number,
    input: Uint8Array,
    inOff: number,
    inLen: number,
    out: Uint8Array,
    outOff: number,
    outLen: number,
  ): void;
  reset(): void;
}
interface ReusableInflate {
  stream: Inflate;
  handle: NativeZlibHandle;
  state: Uint32Array;
}

const CHUNK = 64 * 1024;
let reusable: ReusableInflate | null | undefined;
let outBuffer: Buffer | null = null;

function openReusable(): ReusableInflate | null {
  const stream = createInflate();
  // Errors arrive through the stream too (after the throw below); nothing must go unhandled.
  stream.on('error', () => {});
  const internals = stream as unknown as { _handle?: Partial<NativeZlibHandle>; _writeState?: unknown };
  const handle = internals._handle;
  const state = internals._writeState;
  // Stryker disable next-line all: Node 20/22/24 all have these; a check removed or inverted changes nothing there
  if (typeof handle?.writeSync !== 'function' || typeof handle.reset !== 'function') return null;
  // Stryker disable next-line all: as above, the fallback below is for a Node without them
  if (!(state instanceof Uint32Array) || state.length < 2) return null;
  return { stream, handle: handle as NativeZlibHandle, state };
}

/** zlib.decompress(data) with the output capped at MAX_INFLATED_BYTES; throws on bad data. */
export function inflateCapped(data: Uint8Array): Buffer {
  const out = inflateShared(data);
  // A view of the shared chunk is copied; a result of several chunks is already the caller's.
  return out.buffer === outBuffer?.buffer ? Buffer.from(out) : out;
}

/** inflateCapped's bytes as latin-1 text (what Django's loads reads), without the copy. */
export function inflateCappedLatin1(data: Uint8Array): string {
  return inflateShared(data).toString('latin1');
}

/** The inflated bytes, possibly a view of the shared output chunk (read it before the next call). */
function inflateShared(data: Uint8Array): Buffer {
  if (reusable === undefined) reusable = openReusable();
  // Stryker disable all: the inflateSync fallback, unreachable on Node 20/22/24 (see openReusable)
  if (reusable === null) {
    try {
      return inflateSync(data, { maxOutputLength: MAX_INFLATED_BYTES });
    } catch (error) {
      throw (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' ? new PayloadTooLarge() : error;
    }
  }
  // Stryker restore all
  const { stream, handle, state } = reusable;
  outBuffer ??= Buffer.allocUnsafe(CHUNK);
  let out = outBuffer;
  let inOff = 0;
  let inLen = data.length;
  let chunks: Buffer[] | null = null;
  let total = 0;
  try {
    for (;;) {
      handle.writeSync(constants.Z_FINISH, data, inOff, inLen, out, 0, out.length);
      // A zlib error destroys the stream (synchronously, from the native callback).
      if (stream.destroyed) throw new Error('zlib: the compressed session payload is invalid');
      const availOut = state[0]!;
      const availIn = state[1]!;
      const produced = out.length - availOut;
      total += produced;
      if (total > MAX_INFLATED_BYTES) throw new PayloadTooLarge();
      if (availOut !== 0) {
        // Done: the stream ended with room to spare (inflateSync's own stop condition).
        handle.reset();
        if (chunks === null) return out.subarray(0, produced);
        chunks.push(out.subarray(0, produced));
        return Buffer.concat(chunks, total);
      }
      chunks ??= [];
      chunks.push(out);
      out = Buffer.allocUnsafe(CHUNK);
      inOff += inLen - availIn;
      inLen = availIn;
    }
  } catch (error) {
    // Whatever state the stream is in now, never reuse it.
    stream.destroy();
    reusable = undefined;
    throw error;
  }
}

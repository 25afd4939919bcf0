/**
 * Issue 13 item 1: the codec's kept buffers (the JSON scratch before deflate, the base64 scratch
 * and the shared inflate chunk after) never leak one call's bytes into another's result, and each
 * fast path gives what the plain Buffer path gives, below and above the scratch sizes.
 */
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  djangoPayload,
  djangoPayloadOfText,
  inflateCapped,
  inflateCappedLatin1,
  payloadText,
} from '../../server-agent/sessions/zlib-codec.js';
import { compressSmall, compressSmallView } from '../../server-agent/sessions/zlib-deflate.js';

/** Session-like JSON of about `size` characters, compressible but not trivially. */
function json(size: number, seed: number): string {
  const parts: string[] = [];
  // The running length, not parts.join() per step: that was quadratic, 30 s at 200,000 characters.
  for (let i = 0, length = -1; length < size; i++) {
    parts.push(`"k${(i * seed) % 97}":"v${i * 7919 + seed}"`);
    length += parts.at(-1)!.length + 1;
  }
  return `{${parts.join(',')}}`;
}

/** Django's loads half, the plain way: base64url, zlib, latin-1. */
function plainText(payload: string): string {
  const compressed = payload.startsWith('.');
  const bytes = Buffer.from(compressed ? payload.slice(1) : payload, 'base64url');
  return (compressed ? inflateCapped(bytes) : bytes).toString('latin1');
}

describe('issue 13 item 1: kept buffers in the codec', () => {
  it('an inflateCapped result stays intact after later calls reuse the shared chunk', () => {
    const first = json(300, 3);
    const second = json(300, 5);
    const a = inflateCapped(deflateSync(first));
    const b = inflateCapped(deflateSync(second));
    expect(a.toString('latin1')).toBe(first);
    expect(b.toString('latin1')).toBe(second);
    expect(inflateCappedLatin1(deflateSync(first))).toBe(first);
  });

  it.each([20, 300, 5_000, 16 * 1024, 16 * 1024 + 1, 70_000, 200_000])(
    'djangoPayloadOfText and payloadText agree with the Buffer path at %i characters',
    (size) => {
      const text = json(size, size % 89);
      const payload = djangoPayloadOfText(text);
      expect(payload).toBe(djangoPayload(Buffer.from(text, 'latin1')));
      expect(payloadText(payload)).toBe(text);
      expect(payloadText(payload)).toBe(plainText(payload));
      // The uncompressed form (what Django writes when compression saves nothing) too.
      const raw = Buffer.from(text, 'latin1').toString('base64url');
      expect(payloadText(raw)).toBe(text);
    },
  );

  it('payloads decoded one after another never mix (long one, then short one)', () => {
    const long = json(60_000, 7);
    const short = json(40, 11);
    const longPayload = djangoPayloadOfText(long);
    const shortPayload = djangoPayloadOfText(short);
    expect(payloadText(longPayload)).toBe(long);
    expect(payloadText(shortPayload)).toBe(short);
    expect(payloadText(longPayload)).toBe(long);
  });

  it('compressSmall copies; compressSmallView is overwritten by the next call', () => {
    const a = Buffer.from(json(400, 13), 'latin1');
    const b = Buffer.from(json(400, 17), 'latin1');
    const kept = compressSmall(a, a.length - 1)!;
    const view = compressSmallView(a, a.length - 1)!;
    const viewCopy = Buffer.from(view);
    compressSmallView(b, b.length - 1);
    expect(Buffer.from(kept).equals(viewCopy)).toBe(true);
    expect(inflateCapped(kept).equals(a)).toBe(true);
  });
});

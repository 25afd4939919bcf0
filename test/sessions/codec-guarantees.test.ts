/**
 * Issue 13 "Bad input": the fast codec keeps every guarantee. Tampered or truncated data decodes to
 * {} with the security log line; a real zlib bomb (valid JSON, validly signed, inflating past
 * 16 MiB) is refused under the same cap; the reused inflate stream survives every failure.
 */
import { deflateSync } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createClock } from '../../server-agent/sessions/clock.js';
import { createCodec, SESSION_KEY_SALT } from '../../server-agent/sessions/codec.js';
import { type LogRecord, setLogSink } from '../../server-agent/sessions/log.js';
import { TimestampSigner } from '../../server-agent/sessions/signing.js';
import {
  inflateCapped,
  MAX_INFLATED_BYTES,
  PayloadTooLarge,
} from '../../server-agent/sessions/zlib-codec.js';

const KEY = 'codec-guarantees-secret-key-0123456789';
const clock = createClock(() => 1_700_000_000_000);
const codec = createCodec(KEY, [], clock);
/** A codec that signed nothing: what it decodes goes the whole way, never through a memo. */
const reader = createCodec(KEY, [], clock);
const signer = new TimestampSigner({ key: KEY, salt: SESSION_KEY_SALT, now: () => 1_700_000_000_000 });
/** A validly signed compressed payload of exactly these bytes. */
const signedCompressed = (bytes: Buffer) => signer.sign(`.${deflateSync(bytes).toString('base64url')}`);

/** A codec on a clock the test moves (`clock.now += ms`). */
function movingCodec() {
  const time = { now: 1_700_000_000_000 };
  return {
    codec: createCodec(
      KEY,
      [],
      createClock(() => time.now),
    ),
    clock: time,
  };
}

let lines: LogRecord[] = [];
let restore = setLogSink((record) => lines.push(record));
afterEach(() => {
  lines = [];
});
afterEach(() => {
  restore();
  restore = setLogSink((record) => lines.push(record));
});

describe('issue 13 bad input: the optimized codec keeps its guarantees', () => {
  const data = new Map<string, unknown>([
    ['user', 'ada'],
    ['cart', Array.from({ length: 20 }, (_, i) => ({ sku: `A-${i}`, qty: i }))],
  ]);

  it('a real zlib bomb (valid JSON past 16 MiB) decodes to {} with a security log line', () => {
    const json = Buffer.concat([
      Buffer.from('{"a":"'),
      Buffer.alloc(MAX_INFLATED_BYTES, 0x78),
      Buffer.from('"}'),
    ]);
    const result = codec.decodeDetailed(signedCompressed(json));
    expect(result.data).toEqual(new Map());
    expect(result.problem).toBe('corrupt');
    expect(lines.map((line) => line.message).join('\n')).toMatch(/inflates past the 16 MiB limit/);
    // The same payload one step under the cap is data, not a bomb: the cap is what refuses it.
    const under = Buffer.concat([
      Buffer.from('{"a":"'),
      Buffer.alloc(MAX_INFLATED_BYTES - 8, 0x78),
      Buffer.from('"}'),
    ]);
    expect((codec.decode(signedCompressed(under)).get('a') as string).length).toBe(MAX_INFLATED_BYTES - 8);
  }, 30_000);

  it('inflateCapped allows exactly the cap and refuses one byte more', () => {
    expect(inflateCapped(deflateSync(Buffer.alloc(MAX_INFLATED_BYTES, 1))).length).toBe(MAX_INFLATED_BYTES);
    expect(() => inflateCapped(deflateSync(Buffer.alloc(MAX_INFLATED_BYTES + 1, 1)))).toThrow(
      PayloadTooLarge,
    );
  }, 30_000);

  it('tampered, truncated and broken-zlib payloads decode to {}; good ones keep decoding after them', () => {
    const good = codec.encode(data as never);
    expect(good.startsWith('.')).toBe(true);
    const [payload, stamp, signature] = good.split(':') as [string, string, string];
    const truncatedZlib = signer.sign(
      `.${deflateSync(
        Buffer.from(JSON.stringify({ a: Array.from({ length: 200 }, (_, i) => (i * 7919) % 1000) })),
      )
        .subarray(0, 40)
        .toString('base64url')}`,
    );
    const notZlib = signer.sign(`.${Buffer.from('not zlib at all').toString('base64url')}`);
    const cases: [string, string][] = [
      [`${payload.slice(0, -2)}:${stamp}:${signature}`, 'invalid-signature'],
      [`${payload}:${stamp}:${signature.slice(0, -1)}`, 'invalid-signature'],
      [good.slice(0, 30), 'invalid-signature'],
      [truncatedZlib, 'corrupt'],
      [notZlib, 'corrupt'],
      [signer.sign('.'), 'corrupt'],
    ];
    for (const [bad, problem] of cases) {
      lines = [];
      const result = codec.decodeDetailed(bad);
      expect(result.data, bad).toEqual(new Map());
      expect(result.problem, bad).toBe(problem);
      if (problem === 'invalid-signature')
        expect(lines.some((l) => l.message === 'Session data corrupted')).toBe(true);
      expect(reader.decode(good)).toEqual(data); // the reused inflate stream survived
      expect(codec.decode(good)).toEqual(data);
    }
  });

  it('a payload larger than one 64 KiB inflate chunk round-trips (multi-chunk path)', () => {
    const big = new Map<string, unknown>([['blob', Array.from({ length: 30_000 }, (_, i) => i % 97)]]);
    const encoded = codec.encode(big as never);
    expect(encoded.startsWith('.')).toBe(true);
    expect(codec.decode(encoded)).toEqual(big);
    expect(reader.decode(encoded)).toEqual(big);
  });

  it('the remembered payload never outlives a change: same data gives the same payload, new data a new one', () => {
    const { codec: moving, clock: time } = movingCodec();
    const first = moving.encode(data as never);
    time.now += 5_000;
    const again = moving.encode(data as never);
    expect(again.split(':')[0]).toBe(first.split(':')[0]);
    expect(again).not.toBe(first); // a fresh timestamp and signature every time
    const changed = new Map(data);
    changed.set('user', 'grace');
    const third = moving.encode(changed as never);
    expect(moving.decode(third)).toEqual(changed);
    expect(moving.decode(moving.encode(data as never))).toEqual(data);
  });

  describe('the memo of texts this codec signed', () => {
    const wholeWay = () => vi.spyOn(TimestampSigner.prototype, 'unsignObject');

    it('gives what the whole way gives, as a new Map each time, without verifying again', () => {
      const memo = createCodec(KEY, [], clock);
      const text = memo.encode(data as never);
      const spy = wholeWay();
      try {
        const first = memo.decode(text);
        first.set('user', 'changed by the caller');
        expect(memo.decode(text)).toEqual(data);
        expect(spy).not.toHaveBeenCalled();
        expect(reader.decode(text)).toEqual(data);
        expect(spy).toHaveBeenCalledTimes(1);
      } finally {
        spy.mockRestore();
      }
    });

    it('tampered copies of a remembered text still decode to {} with the security log line', () => {
      const memo = createCodec(KEY, [], clock);
      const text = memo.encode(data as never);
      const [payload, stamp, signature] = text.split(':') as [string, string, string];
      const flip = (part: string) => `${part.slice(0, -1)}${part.endsWith('A') ? 'B' : 'A'}`;
      for (const bad of [
        `${flip(payload)}:${stamp}:${signature}`,
        `${payload}:${stamp}:${flip(signature)}`,
        `${text} `,
      ]) {
        lines = [];
        expect(memo.decodeDetailed(bad)).toEqual({ data: new Map(), problem: 'invalid-signature' });
        expect(lines.some((l) => l.message === 'Session data corrupted')).toBe(true);
      }
      expect(memo.decode(text)).toEqual(data);
    });

    it('is bounded: the oldest of 257 texts and a session over 4,096 characters of JSON go the whole way', () => {
      const { codec: memo, clock: time } = movingCodec();
      const texts: string[] = [];
      for (let i = 0; i < 257; i++) {
        time.now += 1000; // a new timestamp: a new text each time
        texts.push(memo.encode(new Map([['i', i]]) as never));
      }
      const big = new Map<string, unknown>([['blob', 'x'.repeat(5000)]]);
      const bigText = memo.encode(big as never);
      const spy = wholeWay();
      try {
        expect(memo.decode(texts[256] as string)).toEqual(new Map([['i', 256]]));
        expect(memo.decode(texts[2] as string)).toEqual(new Map([['i', 2]]));
        expect(spy).not.toHaveBeenCalled();
        expect(memo.decode(texts[0] as string)).toEqual(new Map([['i', 0]]));
        expect(spy).toHaveBeenCalledTimes(1);
        expect(memo.decode(bigText)).toEqual(big);
        expect(spy).toHaveBeenCalledTimes(2);
      } finally {
        spy.mockRestore();
      }
    });
  });
});

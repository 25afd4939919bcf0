/**
 * Fuzz: stored payloads through the codec (ND-2, CR-5, CR-8). Arbitrary text, validly signed
 * garbage (random bytes, invalid UTF-8, broken zlib), hostile keys (`__proto__`, `constructor`,
 * `prototype`), 10,000-deep nesting and 10 MB strings: decode gives data or `{}` and a defined
 * problem, never a crash, and Object.prototype stays as it was.
 */
import { deflateSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClock } from '../../server-agent/sessions/clock.js';
import { createCodec, SESSION_KEY_SALT } from '../../server-agent/sessions/codec.js';
import { SessionValueError } from '../../server-agent/sessions/errors.js';
import {
  type JsonValue,
  pythonJsonSerializer,
  type SessionData,
} from '../../server-agent/sessions/serializer.js';
import { b64Encode, TimestampSigner } from '../../server-agent/sessions/signing.js';
import {
  inflateCapped,
  MAX_INFLATED_BYTES,
  PayloadTooLarge,
} from '../../server-agent/sessions/zlib-codec.js';
import { captureLogs } from '../helpers/log-capture.js';
import { FUZZ_RUNS, FUZZ_TIMEOUT_MS, fuzzParameters } from './runs.js';

const KEY = 'fuzz-payload-secret-0123456789abcdef';
const codec = createCodec(KEY, [], createClock());
/**
 * Decodes with a codec that never signed anything: every text goes the whole way (HMAC, base64,
 * inflate, parse), not through `codec`'s memo of the texts it signed (codec.ts).
 */
const reader = createCodec(KEY, [], createClock());
const signer = new TimestampSigner({ key: KEY, salt: SESSION_KEY_SALT });
const HOSTILE_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'save',
  'get',
  'polluted',
  '',
];
const prototypeShape = () => Object.getOwnPropertyNames(Object.prototype).sort().join();
let shape = '';
let logs: ReturnType<typeof captureLogs>;

beforeAll(() => {
  shape = prototypeShape();
  logs = captureLogs(); // decode failures log on the security logger; keep the output readable
});
afterAll(() => {
  logs.stop();
  expect(prototypeShape()).toBe(shape);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

/** Sign arbitrary bytes as a session payload, so the signature passes and the parser gets them. */
function signedBytes(bytes: Uint8Array, compressed: boolean): string {
  const body = compressed ? deflateSync(bytes) : Buffer.from(bytes);
  return signer.sign(`${compressed ? '.' : ''}${b64Encode(body)}`);
}

/** decode's contract: a Map, empty whenever a problem is reported. Plain checks: expect() is slow at 10^5. */
function expectDefined(text: string): SessionData {
  const result = reader.decodeDetailed(text);
  if (!(result.data instanceof Map)) throw new Error('decode did not return a Map');
  if (result.problem && result.data.size !== 0)
    throw new Error(`decode reported ${result.problem} but returned data`);
  return result.data;
}

/** Same keys in the same order with the same values, at every depth (JSON text compares both). */
const sameData = (a: SessionData, b: SessionData) => JSON.stringify([...a]) === JSON.stringify([...b]);

const hostileJson: fc.Arbitrary<JsonValue> = fc.letrec<{ value: JsonValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.jsonValue({ maxDepth: 0 }) as fc.Arbitrary<JsonValue>,
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.oneof(fc.constantFrom(...HOSTILE_KEYS), fc.string({ maxLength: 6 })), tie('value'), {
      maxKeys: 4,
    }),
  ),
})).value;

describe('fuzz: stored payloads', () => {
  it(
    'CR-8: arbitrary text decodes to {} with a defined problem, never throws',
    () => {
      fc.assert(
        fc.property(
          fc.oneof(fc.string({ maxLength: 80 }), fc.string({ maxLength: 80, unit: 'binary' })),
          (text) => expectDefined(text).size === 0,
        ),
        fuzzParameters('payload: arbitrary text'),
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    'CR-8: validly signed garbage (random bytes, invalid UTF-8, compressed or not) gives data or {}',
    () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 64 }), fc.boolean(), (bytes, compressed) => {
          expectDefined(signedBytes(bytes, compressed));
        }),
        fuzzParameters('payload: signed garbage'),
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    'ND-2: hostile keys round-trip through the stored JSON as plain data and never reach a prototype',
    () => {
      fc.assert(
        fc.property(
          fc.dictionary(fc.constantFrom(...HOSTILE_KEYS), hostileJson, { maxKeys: 5 }),
          (object) => {
            const data: SessionData = new Map(Object.entries(object));
            const back = pythonJsonSerializer.loads(pythonJsonSerializer.dumps(data));
            return sameData(back, data);
          },
        ),
        fuzzParameters('payload: hostile keys (serializer)'),
      );
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    'ND-2: hostile keys round-trip through the full codec (sign, compress, verify, inflate, parse)',
    () => {
      fc.assert(
        fc.property(
          fc.dictionary(fc.constantFrom(...HOSTILE_KEYS), hostileJson, { maxKeys: 5 }),
          (object) => {
            const data: SessionData = new Map(Object.entries(object));
            const text = codec.encode(data);
            // The whole way, and from the memo of what `codec` signed: the same data both ways.
            return sameData(expectDefined(text), data) && sameData(codec.decode(text), data);
          },
        ),
        fuzzParameters('payload: hostile keys (codec)', Math.ceil(FUZZ_RUNS / 10)),
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it('ND-2: a stored {"__proto__": {"polluted": 1}, "constructor": {"prototype": …}} stays data', () => {
    const text = '{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":2}},"save":1}';
    const data = expectDefined(signedBytes(Buffer.from(text, 'latin1'), false));
    expect(data.get('__proto__')).toEqual({ polluted: 1 });
    expect(Object.getPrototypeOf(data.get('__proto__'))).not.toHaveProperty('polluted');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('10,000-deep nesting: decode gives data or {} (no stack overflow escapes); encode gives data or a defined error', () => {
    const deep = `{"a":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
    expectDefined(signedBytes(Buffer.from(deep, 'latin1'), true));
    let nested: JsonValue = [];
    for (let i = 0; i < 10_000; i++) nested = [nested];
    try {
      expectDefined(codec.encode(new Map([['deep', nested]])));
    } catch (error) {
      expect(error).toBeInstanceOf(SessionValueError);
    }
  });

  it('10 MB strings: unsigned garbage is refused at once; a signed 10 MB value round-trips', () => {
    const huge = 'x'.repeat(10 * 1024 * 1024);
    expect(expectDefined(huge).size).toBe(0);
    const back = expectDefined(codec.encode(new Map([['big', huge]])));
    expect((back.get('big') as string).length).toBe(huge.length);
  });

  it('CR-8: a real zlib bomb (valid JSON once inflated, > 16 MiB) is refused with {} and a security log line', () => {
    // {"a":"AAAA…"} of 17 MiB deflates to ~17 KB: without the cap it would parse as one key.
    const bombOf = (mib: number) => Buffer.from(`{"a":"${'A'.repeat(mib * 1024 * 1024)}"}`, 'latin1');
    const bomb = signedBytes(bombOf(17), true);
    expect(bomb.length).toBeLessThan(32 * 1024);
    const before = logs.records.length;
    const result = codec.decodeDetailed(bomb);
    expect(result.problem).toBe('corrupt');
    expect(result.data.size).toBe(0);
    const logged = logs.records.slice(before);
    expect(logged).toContainEqual(
      expect.objectContaining({ namespace: 'sessionscope:security:SuspiciousSession', level: 'warn' }),
    );
    expect(logged.some((r) => /16 MiB/.test(r.message))).toBe(true);
    // The same construction under the cap decodes: it is the cap that refuses the bomb, not its shape.
    const under = codec.decodeDetailed(signedBytes(bombOf(15), true));
    expect(under.problem).toBeNull();
    expect((under.data.get('a') as string).length).toBe(15 * 1024 * 1024);
  });

  it('CR-8: a bad signature logs "Session data corrupted" on the security logger; signed garbage is corrupt without that line', () => {
    const token = codec.encode(new Map([['a', 1]]));
    const before = logs.records.length;
    expect(codec.decodeDetailed(`${token.slice(0, -2)}xx`)).toEqual({
      data: new Map(),
      problem: 'invalid-signature',
    });
    expect(logs.records.slice(before)).toEqual([
      expect.objectContaining({
        namespace: 'sessionscope:security:SuspiciousSession',
        level: 'warn',
        message: 'Session data corrupted',
      }),
    ]);
    const after = logs.records.length;
    expect(codec.decodeDetailed(signedBytes(Buffer.from('not json'), false)).problem).toBe('corrupt');
    expect(logs.records.slice(after)).toEqual([]);
  });

  it('CR-8: the inflate cap is exactly 16 MiB, refused with PayloadTooLarge naming the limit', () => {
    expect(MAX_INFLATED_BYTES).toBe(16 * 1024 * 1024);
    expect(inflateCapped(deflateSync(Buffer.alloc(MAX_INFLATED_BYTES, 0x41)))).toHaveLength(
      MAX_INFLATED_BYTES,
    );
    let error: unknown;
    try {
      inflateCapped(deflateSync(Buffer.alloc(MAX_INFLATED_BYTES + 1, 0x41)));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(PayloadTooLarge);
    expect(error).toMatchObject({
      name: 'PayloadTooLarge',
      message: 'The session payload inflates past the 16 MiB limit',
    });
    expect(() => inflateCapped(Buffer.from('not zlib'))).toThrow();
    expect(inflateCapped(deflateSync(Buffer.from('{"a":1}'))).toString()).toBe('{"a":1}');
  });
});

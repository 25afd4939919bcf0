/**
 * Fuzz: the restricted unpickler (issue 14 item 3). Random opcode streams mixing the allowed
 * opcodes, the refused ones and absurd lengths; mutated real pickles; and round trips. Every
 * input either decodes or is refused with PickleRefused (never another exception, which would be
 * a 500, nor a hang or a stack overflow), and any stream holding a refused opcode is refused.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PickleRefused, pickle, unpickle } from '../../server-agent/sessions/stores/pickle.js';
import { decodeSessionValue } from '../../server-agent/sessions/stores/session-pickle.js';
import { HOSTILE } from '../stores/pickle-hostile.js';
import { fromTagged, taggedValue } from '../stores/pickle-tags.js';
import { FUZZ_RUNS, FUZZ_TIMEOUT_MS, fuzzParameters } from './runs.js';

type Token = { bytes: number[]; forbidden: boolean };
const allowed = (...bytes: number[]): Token => ({ bytes, forbidden: false });
const u32 = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
const u64 = (n: bigint) => Array.from({ length: 8 }, (_, k) => Number((n >> BigInt(8 * k)) & 0xffn));
const text = (s: string) => [...Buffer.from(s)];
/**
 * Token boundaries must stay opcode boundaries (else a refused opcode could hide inside another's
 * argument): a length is either that of the payload that follows, or far beyond the whole stream.
 */
const HUGE = fc.constantFrom(0xffffffff, 0x7fffffff, 2 ** 31, 65_536);
const HUGE64 = fc.oneof(
  fc.bigInt({ min: 65_536n, max: 2n ** 64n - 1n }),
  fc.constantFrom(2n ** 63n, 2n ** 64n - 1n),
);

const token: fc.Arbitrary<Token> = fc.oneof(
  // data opcodes, with arguments
  fc.constantFrom(
    allowed(0x4e),
    allowed(0x88),
    allowed(0x89),
    allowed(0x5d),
    allowed(0x29),
    allowed(0x7d),
    allowed(0x28),
    allowed(0x61),
    allowed(0x65),
    allowed(0x73),
    allowed(0x75),
    allowed(0x74),
    allowed(0x85),
    allowed(0x86),
    allowed(0x87),
    allowed(0x6c),
    allowed(0x64),
    allowed(0x30),
    allowed(0x31),
    allowed(0x32),
    allowed(0x94),
    allowed(0x2e),
  ),
  fc.nat(255).map((n) => allowed(0x4b, n)),
  fc.nat(0xffff).map((n) => allowed(0x4d, n & 0xff, n >> 8)),
  fc.integer().map((n) => allowed(0x4a, ...u32(n))),
  fc.uint8Array({ maxLength: 80 }).map((b) => allowed(0x8a, b.length, ...b)),
  fc.uint8Array({ maxLength: 80 }).map((b) => allowed(0x8b, ...u32(b.length), ...b)),
  HUGE.map((n) => allowed(0x8b, ...u32(n))),
  fc.double().map((v) => {
    const b = Buffer.alloc(8);
    b.writeDoubleBE(v);
    return allowed(0x47, ...b);
  }),
  fc.string({ maxLength: 20 }).map((s) => allowed(0x8c, Buffer.byteLength(s), ...text(s))),
  fc.string({ maxLength: 8 }).map((s) => allowed(0x58, ...u32(Buffer.byteLength(s)), ...text(s))),
  HUGE.map((n) => allowed(0x58, ...u32(n))),
  fc.string({ maxLength: 8 }).map((s) => allowed(0x8d, ...u64(BigInt(Buffer.byteLength(s))), ...text(s))),
  HUGE64.map((n) => allowed(0x8d, ...u64(n))),
  fc.uint8Array({ maxLength: 20 }).map((b) => allowed(0x43, b.length, ...b)),
  fc.uint8Array({ maxLength: 20 }).map((b) => allowed(0x42, ...u32(b.length), ...b)),
  HUGE.map((n) => allowed(0x42, ...u32(n))),
  HUGE64.map((n) => allowed(0x8e, ...u64(n))),
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((n) => allowed(0x95, ...u64(n))),
  fc.nat(255).map((n) => allowed(0x68, n)),
  fc.nat(255).map((n) => allowed(0x71, n)),
  fc.oneof(fc.nat(300), fc.constant(0xffffffff)).map((n) => allowed(0x6a, ...u32(n))),
  fc.oneof(fc.nat(300), fc.constant(0xffffffff)).map((n) => allowed(0x72, ...u32(n))),
  // the datetime family: allowed names, our own constructors check the arguments
  fc
    .constantFrom(
      'datetime\ndatetime',
      'datetime\ntimezone',
      'datetime\ntimedelta',
      'datetime\ndate',
      'pytz\n_UTC',
    )
    .map((name) => {
      const [module, qual] = name.split('\n') as [string, string];
      return allowed(0x8c, module.length, ...text(module), 0x8c, qual.length, ...text(qual), 0x93);
    }),
  fc.constant(allowed(0x52)),
  // refused: every code-running or non-data opcode, and globals outside the allowlist
  fc
    .constantFrom(
      0x62,
      0x69,
      0x6f,
      0x81,
      0x92,
      0x82,
      0x83,
      0x84,
      0x50,
      0x51,
      0x8f,
      0x90,
      0x91,
      0x96,
      0x97,
      0x98,
      0x49,
      0x4c,
      0x46,
      0x53,
      0x56,
      0x70,
      0x67,
    )
    .map((op) => ({ bytes: [op], forbidden: true })),
  fc
    .constantFrom(
      'os\nsystem',
      'posix\nsystem',
      'builtins\neval',
      'builtins\ngetattr',
      'subprocess\nPopen',
      'datetime\nsys',
    )
    .map((name) => {
      const [module, qual] = name.split('\n') as [string, string];
      return {
        bytes: [0x8c, module.length, ...text(module), 0x8c, qual.length, ...text(qual), 0x93],
        forbidden: true,
      };
    }),
  fc.constant<Token>({ bytes: [0x63, ...text('os\nsystem\n')], forbidden: true }),
);

/** unpickle, with any exception other than PickleRefused failing the property. */
function attempt(input: Uint8Array): { refused: boolean } {
  try {
    unpickle(input);
    return { refused: false };
  } catch (error) {
    if (!(error instanceof PickleRefused)) throw error;
    return { refused: true };
  }
}

describe('fuzz: restricted unpickler', () => {
  it(
    'I14.3 random opcode streams: decoded or refused with PickleRefused; any refused opcode means refused',
    () => {
      fc.assert(
        fc.property(fc.array(token, { maxLength: 40 }), fc.boolean(), (tokens, withStop) => {
          const body = tokens.flatMap((t) => t.bytes);
          const input = Uint8Array.from([0x80, 0x05, ...body, ...(withStop ? [0x2e] : [])]);
          const { refused } = attempt(input);
          if (tokens.some((t) => t.forbidden)) expect(refused).toBe(true);
        }),
        fuzzParameters('unpickle opcode streams'),
      );
    },
    // Each case builds and decodes a whole stream: 10^6 took 465 s on the loaded 2-core machine.
    FUZZ_TIMEOUT_MS * 4,
  );

  it(
    'I14.3 mutated real pickles: decoded or refused; a decoded one always maps onto session data',
    () => {
      const mutation = fc.record({
        at: fc.nat(),
        to: fc.nat(255),
        kind: fc.constantFrom('flip', 'insert', 'delete', 'truncate'),
      });
      fc.assert(
        fc.property(taggedValue, fc.array(mutation, { minLength: 1, maxLength: 3 }), (value, mutations) => {
          const bytes = [...pickle(new Map([['v', fromTagged(value)]]) as never)];
          for (const m of mutations) {
            if (bytes.length === 0) break;
            const at = m.at % bytes.length;
            if (m.kind === 'flip') bytes[at] = m.to;
            else if (m.kind === 'insert') bytes.splice(at, 0, m.to);
            else if (m.kind === 'delete') bytes.splice(at, 1);
            else bytes.length = at;
          }
          const input = Uint8Array.from(bytes);
          attempt(input);
          const decoded = decodeSessionValue(input); // never throws
          expect(decoded.data).toBeInstanceOf(Map);
        }),
        fuzzParameters('unpickle mutated pickles', Math.ceil(FUZZ_RUNS / 10)),
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    'I14.3 round trip: unpickle(pickle(v)) pickles to the same bytes',
    () => {
      fc.assert(
        fc.property(taggedValue, (value) => {
          const once = pickle(fromTagged(value));
          expect(pickle(unpickle(once) as never).equals(once)).toBe(true);
        }),
        fuzzParameters('pickle round trip', Math.ceil(FUZZ_RUNS / 10)),
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it('I14.3 hostile seeds (os.system reducers, deep nesting, huge lengths) refused without memory blow-up', () => {
    const before = process.memoryUsage().rss;
    for (let round = 0; round < 5; round++)
      for (const text of Object.values(HOSTILE))
        expect(attempt(Uint8Array.from(Buffer.from(text, 'hex'))).refused).toBe(true);
    // Claimed lengths of gigabytes are checked before any slice: growth stays far below them.
    expect(process.memoryUsage().rss - before).toBeLessThan(256 * 1024 * 1024);
  });
});

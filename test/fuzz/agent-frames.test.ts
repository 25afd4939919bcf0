/**
 * Fuzz: what reaches the agent from the network. Client frames (`parseClientFrame`): random text,
 * random JSON and near-valid commands never throw and either parse to a typed message or a nack.
 * The handshake guards (`checkHost`, `checkToken`): malformed input is refused, never thrown, and
 * only loopback names, IP literals and the exact token pass (AG-3, AG-5).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkHost, checkToken, parseHostHeader } from '../../server-agent/agent/guard.js';
import { COMMAND_OPS } from '../../server-agent/agent/protocol.js';
import { parseClientFrame } from '../../server-agent/agent/validate.js';
import { FUZZ_TIMEOUT_MS, fuzzParameters } from './runs.js';

const TYPES = ['hello', 'subscribe', 'unsubscribe', 'command', 'ping', '__proto__', 'constructor', ''];
const FIELDS = [
  'v',
  'type',
  'id',
  'op',
  'handle',
  'key',
  'path',
  'value',
  'seconds',
  'to',
  'expiry',
  'cursor',
  'limit',
  'query',
  'protocol',
  'client',
  'sinceSeq',
  'revision',
  '__proto__',
];

const nearFrame = fc
  .record({
    v: fc.oneof(fc.constant(1), fc.jsonValue({ maxDepth: 0 })),
    type: fc.constantFrom(...TYPES),
    id: fc.oneof(fc.nat(), fc.integer(), fc.double(), fc.string({ maxLength: 3 })),
    op: fc.oneof(fc.constantFrom(...COMMAND_OPS), fc.string({ maxLength: 8 })),
    extra: fc.dictionary(fc.constantFrom(...FIELDS), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }),
  })
  .map(({ extra, ...frame }) => JSON.stringify({ ...frame, ...extra }));

function acceptedHost(host: string): boolean {
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host.startsWith('[') ||
    /^(\d{1,3})(\.\d{1,3}){3}$/.test(host)
  );
}

describe('fuzz: agent frames and handshake guards', () => {
  it(
    'client frames: random text and near-valid JSON never throw; ok frames carry v=1 and a known type',
    () => {
      const known = new Set(['hello', 'subscribe', 'unsubscribe', 'command']);
      fc.assert(
        fc.property(fc.oneof(nearFrame, fc.string({ maxLength: 60 }), fc.json({ maxDepth: 3 })), (text) => {
          const parsed = parseClientFrame(text);
          if (parsed.ok) return parsed.message.v === 1 && known.has(parsed.message.type);
          return typeof parsed.message === 'string' && parsed.message.length > 0;
        }),
        fuzzParameters('agent: client frames'),
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    'AG-3: Host headers never throw; only localhost, *.localhost and IP literals pass',
    () => {
      const hostish = fc.oneof(
        fc.string({ maxLength: 40 }),
        fc.string({ maxLength: 40, unit: 'binary' }),
        fc
          .tuple(
            fc.constantFrom(
              'localhost',
              '127.0.0.1',
              '[::1]',
              'evil.example',
              'localhost6',
              '127.1',
              '0177.0.0.1',
              '2130706433',
              '10.0.2.555',
              'a.localhost',
              '[',
              '::::',
            ),
            fc.constantFrom('', ':1', ':65535', ':65536', ':x', '.', '..', '\r\n', '\u0000'),
          )
          .map(([a, b]) => a + b),
      );
      fc.assert(
        fc.property(hostish, (header) => {
          const verdict = checkHost(header);
          if (!verdict.ok) return verdict.code === 'host';
          const host = parseHostHeader(header);
          return host !== null && acceptedHost(host);
        }),
        fuzzParameters('agent: Host guard'),
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    'AG-5: only the exact token passes (shorter, longer, flipped, empty, multi-byte all refused)',
    () => {
      const expected = 'Zq3r9Jm2xV8kL0pT4wN6yB1cD5fH7gS2';
      fc.assert(
        fc.property(
          fc.oneof(
            fc.string({ maxLength: 40 }),
            fc.constant(expected.slice(0, -1)),
            fc.constant(`${expected}x`),
            fc
              .nat({ max: 31 })
              .map((i) => expected.slice(0, i) + (expected[i] === 'a' ? 'b' : 'a') + expected.slice(i + 1)),
          ),
          (presented) => {
            const verdict = checkToken(presented, expected);
            return verdict.ok === (presented === expected);
          },
        ),
        fuzzParameters('agent: token guard'),
      );
      expect(checkToken(expected, expected).ok).toBe(true);
      expect(checkToken(null, expected).ok).toBe(false);
    },
    FUZZ_TIMEOUT_MS,
  );
});

describe('fuzz regressions', () => {
  it('a frame whose type or op is an object with a "toString": null key is a nack, not an exception', () => {
    for (const frame of [
      '{"v":1,"type":{"toString":null}}',
      '{"v":1,"type":"command","id":1,"op":{"toString":null}}',
      '{"v":1,"type":"hello","protocol":{"min":1,"max":1},"client":"cli","clientVersion":{"toString":null}}',
    ]) {
      expect(() => parseClientFrame(frame)).not.toThrow();
    }
    expect(parseClientFrame('{"v":1,"type":{"toString":null}}').ok).toBe(false);
  });
});

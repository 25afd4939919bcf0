/**
 * Issue 14 item 3: the restricted unpickler and the pickler for Django's cache values. Golden
 * vectors are CPython's own bytes (pickle-golden.ts); the live checks run /usr/bin/python3.
 */
import { existsSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PickleRefused, PyTuple, pickle, unpickle } from '../../server-agent/sessions/stores/pickle.js';
import {
  decodeDjangoCacheValue,
  decodeSessionValue,
  encodeDjangoCacheValue,
  encodeSessionValue,
} from '../../server-agent/sessions/stores/session-pickle.js';
import { captureLogs } from '../helpers/log-capture.js';
import { IN_CI } from '../helpers/services.js';
import { DJANGO32_EXPIRY, GOLDEN } from './pickle-golden.js';
import { HOSTILE } from './pickle-hostile.js';
import { fromTagged, pythonLoads, pythonPickles, type Tagged, taggedValue } from './pickle-tags.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const bytes = (text: string) => Uint8Array.from(Buffer.from(text, 'hex'));
const python = existsSync('/usr/bin/python3');
if (!python && IN_CI) throw new Error('/usr/bin/python3 is needed for the pickle tests');

describe('pickle: golden vectors from CPython', () => {
  for (const [name, { value, hex: expected }] of Object.entries(GOLDEN)) {
    it(`I14.3 writes what pickle.dumps writes: ${name}`, () => {
      expect(hex(pickle(fromTagged(value), 5))).toBe(expected);
      const p4 = `${expected.slice(0, 2)}04${expected.slice(4)}`;
      expect(hex(pickle(fromTagged(value), 4))).toBe(p4);
    });
    it(`I14.3 reads it back to the same value: ${name}`, () => {
      expect(hex(pickle(unpickle(bytes(expected)) as never, 5))).toBe(expected);
    });
  }

  it("I14.3 reads Django 3.2's set_expiry(timedelta) value (a pytz.utc datetime) as its isoformat()", () => {
    const { data, problem } = decodeSessionValue(bytes(DJANGO32_EXPIRY));
    expect(problem).toBeNull();
    expect(Object.fromEntries(data)).toEqual({ _session_expiry: '2030-01-02T03:04:05.000006+00:00', n: 1 });
  });

  it('I14.3 writes an ISO `_session_expiry` back as an aware datetime (timezone.utc) Django can use', () => {
    const written = encodeSessionValue(new Map([['_session_expiry', '2030-01-02T03:04:05.123456+00:00']]), 5);
    // The same bytes CPython writes for {'_session_expiry': datetime(…, tzinfo=timezone.utc)}.
    expect(hex(written)).toBe(
      hex(
        pickle(
          new Map([
            ['_session_expiry', fromTagged({ t: 'datetime', v: [2030, 1, 2, 3, 4, 5, 123456], tz: 0 })],
          ]),
        ),
      ),
    );
    const back = decodeSessionValue(written);
    expect(back.data.get('_session_expiry')).toBe('2030-01-02T03:04:05.123456+00:00');
  });

  it('I14.3 maps Python-only types onto JSON values (tuple → array, bytes → latin-1, int keys → text)', () => {
    const value = new Map<unknown, never>([
      ['t', new PyTuple([1, 2]) as never],
      ['b', Uint8Array.from([0, 255]) as never],
      ['d', new Map([[1, 'one'] as never, [null, 'none'] as never]) as never],
      ['big', (2n ** 70n) as never],
    ]);
    const { data } = decodeSessionValue(pickle(value as never));
    expect(Object.fromEntries(data)).toEqual({
      t: [1, 2],
      b: '\u0000\u00ff',
      d: { 1: 'one', null: 'none' },
      big: 2 ** 70,
    });
  });

  it('I14.3 integers are stored raw, as django-redis and RedisCache do (int(value) first, then pickle)', () => {
    expect(encodeDjangoCacheValue(42, 5).toString()).toBe('42');
    expect(encodeDjangoCacheValue(-7, 5).toString()).toBe('-7');
    expect(hex(encodeDjangoCacheValue(true, 5))).toBe('800588'.replace('88', '882e'));
    expect(decodeDjangoCacheValue(Buffer.from(' 1_000\n'))).toEqual({ kind: 'int', value: 1000 });
    expect(decodeDjangoCacheValue(pickle(1.5))).toEqual({ kind: 'pickle', value: 1.5 });
  });
});

describe.skipIf(!python)('pickle: live against /usr/bin/python3', () => {
  const s = (v: string): Tagged => ({ t: 'str', v });
  const i = (v: number): Tagged => ({ t: 'int', v: String(v) });
  const range = (n: number) => [...Array(n).keys()];
  const big: Record<string, Tagged> = {
    'list of 1000': { t: 'list', v: range(1000).map(i) },
    'list of 1001': { t: 'list', v: range(1001).map(i) },
    'list of 2000': { t: 'list', v: range(2000).map(i) },
    'dict of 1000 (an empty batch follows)': { t: 'dict', v: range(1000).map((k) => [s(`k${k}`), i(k)]) },
    'dict of 1001': { t: 'dict', v: range(1001).map((k) => [s(`k${k}`), i(k)]) },
    'frames over 64 KiB': { t: 'list', v: range(200).map((k) => s(`${k}`.padEnd(1000, 'x'))) },
    'a 100 KB str outside frames': { t: 'list', v: [s('a'.repeat(100_000)), s('b'), i(3)] },
    'a str of exactly 64 KiB': { t: 'list', v: [s('a'.repeat(65_536)), s('c'.repeat(65_535)), s('b')] },
    'a 70 KB bytes': { t: 'list', v: [{ t: 'bytes', v: 'ab'.repeat(70_000) }, s('b')] },
    'memo past 256 (LONG_BINGET)': {
      t: 'list',
      v: [...range(300).map((k) => s(`s${k}`)), ...range(300).map((k) => s(`s${k}`))],
    },
  };
  for (const protocol of [4, 5] as const) {
    it(`I14.3 byte-identical to pickle.dumps(value, ${protocol}): batches, frames, large payloads`, () => {
      const expected = pythonPickles(Object.values(big), protocol);
      Object.values(big).forEach((value, n) => {
        expect(hex(pickle(fromTagged(value), protocol))).toBe(expected[n]);
      });
    });
  }

  it('I14.3 byte-identical to pickle.dumps on 400 random values, and CPython reads ours back', () => {
    const values = fc.sample(taggedValue, { numRuns: 400 });
    const expected = pythonPickles(values);
    const ours = values.map((value) => pickle(fromTagged(value)));
    values.forEach((value, n) => {
      expect(hex(ours[n] as Uint8Array), JSON.stringify(value).slice(0, 300)).toBe(expected[n]);
      expect(hex(pickle(unpickle(bytes(expected[n] as string)) as never))).toBe(expected[n]);
    });
    expect(pythonLoads(ours).filter((v) => 'error' in v)).toEqual([]);
  });
});

describe('pickle: hostile input is refused before anything is built from it', () => {
  for (const [name, text] of Object.entries(HOSTILE)) {
    it(`I14.3 refuses ${name}`, () => {
      const started = performance.now();
      expect(() => unpickle(bytes(text))).toThrow(PickleRefused);
      expect(performance.now() - started).toBeLessThan(2000);
    });
  }

  it('I14.3 a refused pickle in the cache decodes to {} with the security log line, as a tampered db row does', () => {
    const logs = captureLogs();
    try {
      const result = decodeSessionValue(
        bytes(HOSTILE['os.system reducer, protocol 4 (STACK_GLOBAL)'] as string),
      );
      expect(result).toEqual({ data: new Map(), problem: 'corrupt' });
      const line = logs.records.find((r) => r.namespace === 'sessionscope:security:SuspiciousSession');
      expect(line?.message).toMatch(/Session data corrupted .*global "posix\.system" is not allowed/);
    } finally {
      logs.stop();
    }
  });

  it('I14.3 a refused global is named in printable ASCII only, shortened (no log injection)', () => {
    const name = `evil\n[sessionscope] notice: forged line ${'é'.repeat(100)}`;
    const module = Buffer.from(name);
    const input = Buffer.concat([
      Buffer.from([0x80, 0x05, 0x8c, module.length]),
      module,
      Buffer.from([0x8c, 1, 0x78, 0x93, 0x2e]),
    ]);
    try {
      unpickle(input);
      expect.unreachable();
    } catch (error) {
      const reason = (error as PickleRefused).reason;
      expect(reason).toMatch(/^global "evil\?\[sessionscope\] notice: forged line \?+" is not allowed$/);
    }
  });

  it('I14.3 the only globals read are the datetime family, built by our own code', () => {
    const value = unpickle(bytes(GOLDEN['aware datetimes (timezone.utc, shared)']?.hex as string));
    expect(value).toBeInstanceOf(Map);
    const { data } = decodeSessionValue(
      bytes(GOLDEN['aware datetimes (timezone.utc, shared)']?.hex as string),
    );
    expect(Object.fromEntries(data)).toEqual({
      _session_expiry: '2030-01-02T03:04:05.123456+00:00',
      at: '2030-01-02T03:04:05+00:00',
    });
  });
});

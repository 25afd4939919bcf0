/**
 * AG-7 at the source: the redactor's options and default patterns, and previews (whole values,
 * outlines, drill-down paths) that never carry a value under a secret-looking key, at any depth.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PREVIEW_LIMITS,
  eventPreview,
  jsonBytes,
  preview,
  valueAt,
} from '../../server-agent/agent/preview.js';
import type { JsonValue } from '../../server-agent/agent/protocol.js';
import { createRedactor, DEFAULT_REDACT_PATTERNS } from '../../server-agent/agent/redact.js';

const redact = createRedactor(undefined);
const limits = DEFAULT_PREVIEW_LIMITS;

describe('AG-7 redactor', () => {
  it.each([
    'password',
    'Passwd',
    'passphrase',
    'pass',
    'client_secret',
    'auth_token',
    'csrftoken',
    'xsrf',
    'api_key',
    'api-key',
    'api key',
    'apikey',
    'private_key',
    'privatekey',
    'aws_credentials',
    'signature',
    'cookie_jar',
    '_auth_user_hash',
  ])('the default list redacts %s', (key) => {
    expect(redact(key)).toBe(true);
  });

  it.each(['user', 'name', 'cart', 'color', 'count', '_auth_user_id', 'x_auth_user_hash', 'api'])(
    'the default list shows %s',
    (key) => {
      expect(redact(key)).toBe(false);
    },
  );

  it('true is the default list; false redacts nothing; a list or function replaces it', () => {
    expect(createRedactor(true)('password')).toBe(true);
    expect(createRedactor(true)('user')).toBe(false);
    expect(createRedactor(true).describe).toEqual(DEFAULT_REDACT_PATTERNS.map((p) => p.source));
    expect(createRedactor(undefined).describe).toEqual(DEFAULT_REDACT_PATTERNS.map((p) => p.source));
    const off = createRedactor(false);
    expect(off('password')).toBe(false);
    expect(off.describe).toEqual([]);
    const custom = createRedactor([/^pin$/]);
    expect(custom('pin')).toBe(true);
    expect(custom('password')).toBe(false);
    expect(custom.describe).toEqual(['^pin$']);
    const asked: string[] = [];
    const fn = createRedactor((key) => {
      asked.push(key);
      return key.startsWith('s_');
    });
    expect(fn('s_x')).toBe(true);
    expect(fn('x')).toBe(false);
    expect(fn('s_x')).toBe(true);
    expect(asked).toEqual(['s_x', 'x', 's_x']);
    expect(fn.describe).toEqual(['(custom function)']);
  });

  it('a global pattern gives the same answer every time (lastIndex is reset)', () => {
    const sticky = createRedactor([/pin/g]);
    for (const key of ['pin', 'pin', 'xpin', 'pin2', 'pin', 'nope']) expect(sticky(key)).toBe(key !== 'nope');
    const again = createRedactor([/pin/g]);
    expect([again('my_pin'), again('pin'), again('pin_code')]).toEqual([true, true, true]);
  });

  it('answers stay right past the memo size (1,000 keys)', () => {
    const many = createRedactor(undefined);
    for (let i = 0; i < 2500; i++) {
      expect(many(`k${i}`)).toBe(false);
      expect(many(`token${i}`)).toBe(true);
    }
    expect(many('password')).toBe(true);
  });
});

describe('AG-7 previews', () => {
  it('jsonBytes counts UTF-8 JSON bytes; undefined and cycles count 0', () => {
    expect(jsonBytes(undefined)).toBe(0);
    expect(jsonBytes('é')).toBe(4);
    expect(jsonBytes({ a: [1, null] })).toBe(14);
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(jsonBytes(cycle as never)).toBe(0);
  });

  it('small scalars are whole; a secret scalar is redacted with its size', () => {
    expect(preview(1, 'n', redact, limits)).toEqual({ t: 'value', value: 1 });
    expect(preview(null, 'n', redact, limits)).toEqual({ t: 'value', value: null });
    expect(preview(false, 'n', redact, limits)).toEqual({ t: 'value', value: false });
    expect(preview('blue', 'color', redact, limits)).toEqual({ t: 'value', value: 'blue' });
    expect(preview('hunter2', 'password', redact, limits)).toEqual({ t: 'redacted', bytes: 9 });
    expect(preview(1234, 'pin_token', redact, limits)).toEqual({ t: 'redacted', bytes: 4 });
    expect(preview(null, 'password', redact, limits)).toEqual({ t: 'redacted', bytes: 4 });
    expect(preview({ a: 1 }, 'password', redact, limits)).toEqual({ t: 'redacted', bytes: 7 });
  });

  it('strings: whole up to inlineBytes of JSON, then a head of headChars', () => {
    const small = { inlineBytes: 20, maxItems: 2, headChars: 3 };
    expect(preview('a'.repeat(18), 's', redact, small)).toEqual({ t: 'value', value: 'a'.repeat(18) });
    expect(preview('a'.repeat(19), 's', redact, small)).toEqual({
      t: 'string',
      bytes: 21,
      length: 19,
      head: 'aaa',
    });
    // Escapes count: 4 characters of \u0001 are 26 JSON bytes, over the limit.
    expect(preview('\u0001'.repeat(4), 's', redact, small)).toMatchObject({ t: 'string', bytes: 26 });
    expect(preview('\u0001'.repeat(3), 's', redact, small)).toEqual({
      t: 'value',
      value: '\u0001'.repeat(3),
    });
  });

  it('a small object is whole unless a secret hides inside it, at any depth', () => {
    expect(preview({ a: 1, b: [true] }, 'x', redact, limits)).toEqual({
      t: 'value',
      value: { a: 1, b: [true] },
    });
    const nested = preview({ name: 'ada', profile: { password: 'hunter2' } }, 'user', redact, limits);
    expect(JSON.stringify(nested)).not.toContain('hunter2');
    expect(nested).toEqual({
      t: 'object',
      bytes: 47,
      length: 2,
      entries: [
        ['name', { t: 'value', value: 'ada' }],
        ['profile', { t: 'more', type: 'object', bytes: 22, length: 1 }],
      ],
    });
    const inArray = preview([{ ok: 1 }, { token: 'x9' }], 'list', redact, limits);
    expect(JSON.stringify(inArray)).not.toContain('x9');
    expect(inArray).toEqual({
      t: 'array',
      bytes: 25,
      length: 2,
      items: [
        { t: 'value', value: { ok: 1 } },
        { t: 'more', type: 'object', bytes: 14, length: 1 },
      ],
    });
  });

  it('only object keys are names: array indexes and string positions never count as keys', () => {
    // A redactor for numeric keys tells indexes (not keys) from keys named "0".
    const numeric = createRedactor((key) => /^\d+$/.test(key));
    expect(preview(['abc', { a: 1 }], 'list', numeric, limits)).toEqual({
      t: 'value',
      value: ['abc', { a: 1 }],
    });
    const long = 'z'.repeat(700);
    expect(preview(long, 'text', numeric, limits)).toEqual({ t: 'value', value: long });
    expect(preview({ a: [long] }, 'o', numeric, limits)).toEqual({ t: 'value', value: { a: [long] } });
    expect(JSON.stringify(preview({ '0': 'zero' }, 'o', numeric, limits))).not.toContain('zero');
  });

  it('deep secrets are found (no depth shortcut up to the guard)', () => {
    let value: JsonValue = { password: 'hunter2' };
    for (let i = 0; i < 60; i++) value = { a: value };
    expect(JSON.stringify(preview(value, 'root', redact, limits))).not.toContain('hunter2');
    let list: JsonValue = [{ secret: 's3' }];
    for (let i = 0; i < 60; i++) list = [list];
    expect(JSON.stringify(preview(list, 'root', redact, limits))).not.toContain('s3');
  });

  it('large values become bounded outlines: maxItems children, one level, children inline up to 512 bytes', () => {
    const big: Record<string, JsonValue> = {};
    for (let i = 0; i < 60; i++) big[`k${i}`] = i;
    big.blob = 'x'.repeat(5000);
    big.obj = { deep: 'x'.repeat(600) };
    const shown = preview(big, 'big', redact, limits);
    expect(shown).toMatchObject({ t: 'object', length: 62 });
    expect(shown.t === 'object' && shown.entries).toHaveLength(50);
    const withinLimits = preview(big, 'big', redact, { ...limits, maxItems: 70 });
    const entries = withinLimits.t === 'object' ? Object.fromEntries(withinLimits.entries) : {};
    expect(entries.k0).toEqual({ t: 'value', value: 0 });
    expect(entries.blob).toMatchObject({ t: 'string', length: 5000, head: 'x'.repeat(500) });
    expect(entries.obj).toEqual({ t: 'more', type: 'object', bytes: 611, length: 1 });
    const array = preview(
      Array.from({ length: 80 }, (_, i) => 'y'.repeat(60) + i),
      'a',
      redact,
      limits,
    );
    expect(array).toMatchObject({ t: 'array', length: 80 });
    expect(array.t === 'array' && array.items).toHaveLength(50);
    const nestedArray = preview([['z'.repeat(5000)]], 'a', redact, limits);
    expect(nestedArray).toMatchObject({ t: 'array', items: [{ t: 'more', type: 'array', length: 1 }] });
    // A child string between 512 and 4096 bytes is outlined inside an outline (children get 512).
    const mid = preview({ s: 'm'.repeat(600), pad: 'p'.repeat(4000) }, 'o', redact, limits);
    expect(mid.t === 'object' && mid.entries[0]?.[1]).toMatchObject({ t: 'string', length: 600 });
  });

  it('eventPreview: undefined stays undefined, anything else is a preview', () => {
    expect(eventPreview(undefined, 'password', redact, limits)).toBeUndefined();
    expect(eventPreview('hunter2', 'password', redact, limits)).toEqual({ t: 'redacted', bytes: 9 });
    expect(eventPreview(3, 'n', redact, limits)).toEqual({ t: 'value', value: 3 });
  });
});

describe('AG-7 drill-down paths', () => {
  const data = new Map<string, JsonValue>([
    ['cart', [{ sku: 'a' }, { sku: 'b' }]],
    ['credentials', { pin: '4321' }],
    ['profile', { name: 'ada', token: 't0k', inner: { x: 1 } }],
    ['nothing', null],
    ['digits', { '0': 'zero' }],
  ]);

  it('follows object keys and in-range integer indexes, reporting the last key', () => {
    expect(valueAt(data, ['cart', 1, 'sku'], redact)).toEqual({
      found: true,
      value: 'b',
      redacted: false,
      lastKey: 'sku',
    });
    expect(valueAt(data, ['cart', 0], redact)).toEqual({
      found: true,
      value: { sku: 'a' },
      redacted: false,
      lastKey: 'cart',
    });
    expect(valueAt(data, ['profile', 'inner', 'x'], redact)).toMatchObject({
      found: true,
      value: 1,
      lastKey: 'x',
    });
  });

  it('anything else is not found: bad indexes, missing or inherited keys, steps into scalars', () => {
    for (const path of [
      ['cart', 2],
      ['cart', -1],
      ['cart', 0.5],
      ['cart', '0'],
      ['profile', 0],
      ['profile', 'missing'],
      ['profile', 'toString'],
      ['profile', '__proto__'],
      ['profile', 'name', 'length'],
      ['nothing', 'a'],
      ['nothing', 0],
      ['digits', 0],
      ['missing'],
      [0],
      [],
    ] as (string | number)[][]) {
      expect(valueAt(data, path, redact), JSON.stringify(path)).toEqual({ found: false });
    }
  });

  it('a path through or to a secret key is redacted', () => {
    expect(valueAt(data, ['credentials', 'pin'], redact)).toMatchObject({
      found: true,
      redacted: true,
      lastKey: 'pin',
    });
    expect(valueAt(data, ['credentials'], redact)).toMatchObject({ found: true, redacted: true });
    expect(valueAt(data, ['profile', 'token'], redact)).toMatchObject({ found: true, redacted: true });
    expect(valueAt(data, ['profile', 'name'], redact)).toMatchObject({ found: true, redacted: false });
  });
});

/**
 * Preview sizes at their edges: scalars stay whole under any inlineBytes, and a string's shortcut
 * (6 JSON bytes per character at most, plus quotes) never inlines a string whose JSON is over the limit.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_PREVIEW_LIMITS, preview } from '../../server-agent/agent/preview.js';
import { createRedactor } from '../../server-agent/agent/redact.js';

const redact = createRedactor(undefined);
const tiny = { inlineBytes: 1, maxItems: 5, headChars: 2 };

describe('preview limits', () => {
  it('null, numbers and booleans are whole even when inlineBytes is smaller than their JSON', () => {
    for (const value of [null, 123456, -1.5e300, true, false]) {
      expect(preview(value, 'n', redact, tiny), String(value)).toEqual({ t: 'value', value });
    }
    expect(preview([null, 123456], 'list', redact, tiny)).toEqual({
      t: 'array',
      bytes: 13,
      length: 2,
      items: [
        { t: 'value', value: null },
        { t: 'value', value: 123456 },
      ],
    });
  });

  it('a string whose escaped JSON is 4 bytes over inlineBytes is outlined, not inlined', () => {
    // 683 × \u0001 is 683 × 6 + 2 = 4,100 JSON bytes against a limit of 4,096.
    const control = '\u0001'.repeat(683);
    expect(preview(control, 's', redact, DEFAULT_PREVIEW_LIMITS)).toEqual({
      t: 'string',
      bytes: 4100,
      length: 683,
      head: control.slice(0, 500),
    });
  });

  it('a string of exactly inlineBytes JSON bytes is whole, one byte more is outlined', () => {
    const exact = 'x'.repeat(4094);
    expect(preview(exact, 's', redact, DEFAULT_PREVIEW_LIMITS)).toEqual({ t: 'value', value: exact });
    expect(preview(`${exact}x`, 's', redact, DEFAULT_PREVIEW_LIMITS)).toMatchObject({
      t: 'string',
      bytes: 4097,
    });
  });

  it('an object of exactly inlineBytes JSON bytes is whole, one byte more is outlined', () => {
    // {"s":"…"} is 8 bytes around the string.
    const exact = { s: 'x'.repeat(4088) };
    expect(preview(exact, 'o', redact, DEFAULT_PREVIEW_LIMITS)).toEqual({ t: 'value', value: exact });
    expect(preview({ s: 'x'.repeat(4089) }, 'o', redact, DEFAULT_PREVIEW_LIMITS)).toMatchObject({
      t: 'object',
      bytes: 4097,
    });
  });

  it('strings inside a small object are whole and do not stall the secret scan', () => {
    expect(preview({ a: 'xyz', b: ['q', 1, null] }, 'o', redact, DEFAULT_PREVIEW_LIMITS)).toEqual({
      t: 'value',
      value: { a: 'xyz', b: ['q', 1, null] },
    });
  });
});

/**
 * summaryJson writes a sequenced request.summary field by field (the hot path of a streaming agent):
 * it must parse to exactly what JSON.stringify of `{ seq, event }` gives, for every field of the
 * type, for strings that need escaping, and for summaries with only the required fields.
 */
import { describe, expect, it } from 'vitest';
import { itemJson, type SummaryEvent, summaryJson } from '../../server-agent/agent/summary-json.js';

/** Every field of the summary type (a field added to the type and not to the writer fails here first). */
const every: Required<SummaryEvent> = {
  type: 'request.summary',
  at: 1_764_636_000_123,
  requestId: 'r0a1b2c',
  session: 'AbCdEfGhIjKlMnOp',
  proc: 'p1',
  method: 'POST',
  path: '/cart/items',
  status: 409,
  ms: 0.312_345_678,
  cookiePresent: true,
  accessed: true,
  modified: false,
  saved: false,
  notSavedReason: 'conflict',
  loaded: 'hit',
  changed: ['cart', 'lang'],
  flushed: true,
  cycled: true,
  expired: 'lifetime-cap',
  conflict: true,
  interrupted: true,
  cookie: 'deleted',
  events: 9,
};
const { proc: _proc, ...local } = every;

const same = (seq: number, event: SummaryEvent) =>
  expect(JSON.parse(summaryJson(seq, event))).toEqual(JSON.parse(JSON.stringify({ seq, event })));

describe('summaryJson', () => {
  it('writes every field of the summary as JSON.stringify does (proc goes through JSON.stringify)', () => {
    same(7, local);
    expect(JSON.parse(summaryJson(7, local))).toEqual({ seq: 7, event: local });
    expect(itemJson(7, every)).toBe(JSON.stringify({ seq: 7, event: every }));
  });

  it('omits what is absent, as JSON.stringify drops undefined', () => {
    const bare: SummaryEvent = {
      type: 'request.summary',
      at: 1,
      method: 'GET',
      path: '/',
      status: 200,
      ms: 0,
      cookiePresent: false,
      accessed: false,
      modified: false,
      saved: false,
      events: 2,
    };
    same(1, bare);
    same(2, { ...bare, session: undefined, requestId: undefined, changed: [] });
  });

  it('escapes what JSON escapes: quotes, backslashes, control characters, lone surrogates', () => {
    const nasty = ['"', '\\', '\n\t\u0000\u001f', '\ud800', 'x\udc00y', '😀', '\u2028', '‹h›', "/a?b='c'"];
    for (const value of nasty) {
      same(3, { ...local, path: value, method: value, requestId: value, changed: [value, 'k'] });
    }
  });

  it('writes numbers as JSON does, NaN and Infinity as null', () => {
    for (const ms of [0, -0, 1e21, 1e-7, 123.456, Number.NaN, Number.POSITIVE_INFINITY])
      same(4, { ...local, ms });
  });

  it('summaries from other processes and other events keep JSON.stringify', () => {
    const start = { type: 'request.start', at: 1, method: 'GET', path: '/', cookiePresent: true } as const;
    expect(itemJson(5, start)).toBe(JSON.stringify({ seq: 5, event: start }));
  });
});

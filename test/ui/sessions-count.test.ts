/** U8 All sessions: with a search the count is matches out of the store, and how far the agent searched. */
import { describe, expect, it } from 'vitest';
import { sessionsCount } from '../../extension/ui/SessionsList.js';

const page = (n: number, extra: Partial<Parameters<typeof sessionsCount>[0]>) => ({
  items: Array.from({ length: n }, () => ({})),
  total: 2003,
  query: '',
  cursor: null,
  scanned: 0,
  ...extra,
});

describe('U8 All sessions count', () => {
  it('a finished search says "3 of 2,003 sessions match", not the store total alone', () => {
    expect(sessionsCount(page(3, { query: 'alice', scanned: 2003 }))).toBe('3 of 2,003 sessions match');
    expect(sessionsCount(page(1, { query: 'alice', scanned: 2003 }))).toBe('1 of 2,003 sessions matches');
    expect(sessionsCount(page(0, { query: 'zzz', scanned: 2003 }))).toBe('0 of 2,003 sessions match');
  });
  it('a search the agent cut short says how far it got', () => {
    expect(sessionsCount(page(2, { query: 'a', cursor: 'c1', scanned: 1200 }))).toBe(
      '2 matches so far · searched 1,200 of 2,003',
    );
    expect(sessionsCount(page(1, { query: 'a', cursor: 'c1', scanned: 5000, total: null }))).toBe(
      '1 match so far · searched 5,000',
    );
  });
  it('without a search: loaded of total', () => {
    expect(sessionsCount(page(2, { cursor: 'c1' }))).toBe('2 of 2,003 sessions');
  });
});

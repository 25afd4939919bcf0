/** U8 All sessions: with a search the count is the number of matches, not the store's total. */
import { describe, expect, it } from 'vitest';
import { sessionsCount } from '../../extension/ui/SessionsList.js';

describe('U8 All sessions count', () => {
  it('says "1 match", not "1 of 2003", for a search', () => {
    expect(sessionsCount({ items: [{}], total: 2003, query: 'alice', cursor: null })).toBe('1 match');
    expect(sessionsCount({ items: [{}, {}], total: 2003, query: 'a', cursor: 'c1' })).toMatch(
      /^2 matches so far/,
    );
  });
  it('without a search: loaded of total', () => {
    expect(sessionsCount({ items: [{}, {}], total: 2003, query: '', cursor: 'c1' })).toBe(
      '2 of 2003 sessions',
    );
  });
});

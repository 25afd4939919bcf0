/** U1: the one-hop key forward behind out-of-band cycleKey (server-agent/sessions/key-forwards.ts). */
import { describe, expect, it } from 'vitest';
import { KeyForwards, RETIRED_MS } from '../../server-agent/sessions/key-forwards.js';

describe('U1 key forwards', () => {
  it('forwards once, then the old key is retired (no session, no deletion) and later unknown', () => {
    let now = 0;
    const forwards = new KeyForwards(() => now);
    forwards.add('old', 'new', 1000);
    expect(forwards.take('old')).toEqual({ kind: 'forward', to: 'new' });
    expect(forwards.take('old')).toEqual({ kind: 'retired' });
    now += RETIRED_MS + 1;
    expect(forwards.take('old')).toEqual({ kind: 'none' });
    expect(forwards.size).toBe(0);
  });

  it('a forward past its lifetime forwards nothing', () => {
    let now = 0;
    const forwards = new KeyForwards(() => now);
    forwards.add('old', 'new', 1000);
    now = 1001;
    expect(forwards.take('old')).toEqual({ kind: 'none' });
  });

  it('the new key arriving first ends the forward', () => {
    const forwards = new KeyForwards(() => 0);
    forwards.add('old', 'new', 1000);
    expect(forwards.take('new')).toEqual({ kind: 'none' });
    expect(forwards.take('old')).toEqual({ kind: 'none' });
  });

  it('keeps at most 1000 forwards, dropping the oldest', () => {
    const forwards = new KeyForwards(() => 0);
    for (let i = 0; i < 1001; i++) forwards.add(`old${i}`, `new${i}`, 1000);
    expect(forwards.take('old0')).toEqual({ kind: 'none' });
    expect(forwards.take('old1000')).toEqual({ kind: 'forward', to: 'new1000' });
  });
});

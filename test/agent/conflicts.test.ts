/**
 * The in-process lost-update tracker on its own (the HTTP test in stream.test.ts meets the store's
 * compare-and-swap first on SQLite, so this is where the tracker's own rules are held): overlapping
 * saves name the keys the later one reverts, a request's own saves never conflict with each other,
 * a conflict the store reported is not reported twice, and saves far back still count.
 */
import { describe, expect, it } from 'vitest';
import { ConflictTracker } from '../../server-agent/agent/conflicts.js';
import { type SessionEvent, SessionEvents } from '../../server-agent/sessions/events.js';

type Conflict = Extract<SessionEvent, { type: 'session.conflict' }>;

function setup() {
  const events = new SessionEvents();
  const conflicts: Conflict[] = [];
  events.on('session.conflict', (event) => conflicts.push(event));
  const tracker = new ConflictTracker(events);
  const at = 1;
  return {
    conflicts,
    load: (requestId: string, session = 'h1') =>
      tracker.observe({ type: 'session.loaded', at, requestId, session, outcome: 'hit', keys: 1, ms: 0 }),
    set: (requestId: string, key: string, session = 'h1') =>
      tracker.observe({ type: 'session.modified', at, requestId, session, key, op: 'set' }),
    save: (requestId: string, session = 'h1') =>
      tracker.observe({
        type: 'session.saved',
        at,
        requestId,
        session,
        ms: 0,
        bytes: 1,
        mustCreate: false,
        keys: [],
        expiresAt: 0,
      }),
    storeSaw: (requestId: string) =>
      tracker.observe({
        type: 'session.conflict',
        at,
        requestId,
        session: 'h1',
        overwrittenKeys: ['x'],
        detectedBy: 'store',
      }),
    end: (requestId: string) =>
      tracker.observe({
        type: 'request.end',
        at,
        requestId,
        method: 'GET',
        path: '/',
        status: 200,
        ms: 0,
        accessed: true,
        modified: true,
        saved: true,
      }),
  };
}

describe('ConflictTracker', () => {
  it('names the keys an earlier overlapping save wrote, once each, for the later saver only', () => {
    const t = setup();
    t.load('a');
    t.load('b');
    t.set('a', 'cart');
    t.set('a', 'cart');
    t.set('a', 'lang');
    t.save('a');
    t.end('a');
    t.set('b', 'theme');
    t.save('b');
    t.end('b');
    expect(t.conflicts).toHaveLength(1);
    expect(t.conflicts[0]).toMatchObject({
      requestId: 'b',
      session: 'h1',
      overwrittenKeys: ['cart', 'lang'],
    });
  });

  it('sequential requests, a request saving twice and other sessions do not conflict', () => {
    const t = setup();
    t.load('a');
    t.set('a', 'k');
    t.save('a');
    t.set('a', 'k');
    t.save('a');
    t.end('a');
    t.load('b');
    t.load('c', 'h2');
    t.set('b', 'k');
    t.save('b');
    t.set('c', 'k', 'h2');
    t.save('c', 'h2');
    expect(t.conflicts).toEqual([]);
  });

  it('a save after the request has saved once only counts saves made since its own', () => {
    const t = setup();
    t.load('a');
    t.load('b');
    t.set('b', 'one');
    t.save('b');
    t.set('a', 'two');
    t.save('a'); // reverts 'one'
    t.set('b', 'three');
    t.save('b'); // b loaded before a's save: reverts 'two' (not 'one', its own)
    expect(t.conflicts.map((c) => [c.requestId, c.overwrittenKeys])).toEqual([
      ['a', ['one']],
      ['b', ['two']],
    ]);
  });

  it('a conflict the store already reported is not reported again', () => {
    const t = setup();
    t.load('a');
    t.load('b');
    t.set('a', 'cart');
    t.save('a');
    t.storeSaw('b');
    t.save('b');
    expect(t.conflicts).toEqual([]);
  });

  it('an overlapping save many saves back still counts (the history keeps at least 32)', () => {
    const t = setup();
    t.load('slow');
    t.load('early');
    t.set('early', 'early-key');
    t.save('early');
    for (let i = 0; i < 30; i++) {
      t.load(`r${i}`);
      t.save(`r${i}`);
      t.end(`r${i}`);
    }
    t.save('slow');
    expect(t.conflicts).toHaveLength(1);
    expect(t.conflicts[0]?.overwrittenKeys).toEqual(['early-key']);
  });

  it('saves are remembered while another request on the session is in flight, and only then', () => {
    const t = setup();
    // Alone on the session: nothing of a's save outlives a.
    t.load('a');
    t.set('a', 'alone');
    t.save('a');
    t.end('a');
    t.load('b');
    t.load('c');
    t.set('b', 'cart');
    t.save('b');
    t.end('b');
    // c loaded before b's save, so it reverts 'cart', never 'alone' (saved before c loaded).
    t.save('c');
    t.end('c');
    // Every request ended: a new one overlaps nothing, though the session was saved just before.
    t.load('d');
    t.set('d', 'k');
    t.save('d');
    t.end('d');
    expect(t.conflicts.map((c) => [c.requestId, c.overwrittenKeys])).toEqual([['c', ['cart']]]);
  });

  it('a request that loads twice counts once, so its end lets the saves go', () => {
    const t = setup();
    t.load('a');
    t.load('a');
    t.set('a', 'x');
    t.save('a');
    t.end('a');
    t.load('b');
    t.load('c');
    t.set('b', 'y');
    t.save('b');
    t.end('b');
    t.save('c');
    expect(t.conflicts.map((c) => [c.requestId, c.overwrittenKeys])).toEqual([['c', ['y']]]);
  });
});

/**
 * Session handles come from prepared HMAC pads (hmac-pads.ts) instead of a createHmac per key: the
 * handle must stay the same HMAC, which shared handles (agent bus) make checkable against
 * createHmac; and the handle cache gives the same handle and resolves it back.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SessionHandles } from '../../server-agent/sessions/handles.js';

describe('SessionHandles', () => {
  it('shared handles are base64url(HMAC-SHA256(salt, key))[0:16] with the salt from SECRET_KEY and scope', () => {
    const handles = new SessionHandles();
    handles.share('secret', 'scope-1');
    const salt = createHmac('sha256', 'secret').update('sessionscope.agent.handles:scope-1').digest();
    for (const key of ['abc', 'k'.repeat(32), 'ключ', 'x'.repeat(5000)]) {
      const expected = createHmac('sha256', salt).update(key).digest('base64url').slice(0, 16);
      expect(handles.handleFor(key)).toBe(expected);
      expect(handles.handleFor(key)).toBe(expected);
      expect(handles.keyFor(expected)).toBe(key);
    }
  });

  it('two processes sharing a scope agree; another scope or a random salt does not', () => {
    const a = new SessionHandles();
    const b = new SessionHandles();
    a.share('secret', 's');
    b.share('secret', 's');
    expect(a.handleFor('key')).toBe(b.handleFor('key'));
    const other = new SessionHandles();
    other.share('secret', 't');
    expect(other.handleFor('key')).not.toBe(a.handleFor('key'));
    expect(new SessionHandles().handleFor('key')).not.toBe(a.handleFor('key'));
  });

  it('remembers the last 10,000 keys: the oldest is forgotten first, a share() forgets all', () => {
    const handles = new SessionHandles();
    const keys = Array.from({ length: 10_001 }, (_, i) => `key-${i}`);
    const issued = keys.map((key) => handles.handleFor(key));
    expect(handles.keyFor(issued[0] as string)).toBeNull();
    expect(handles.keyFor(issued[1] as string)).toBe('key-1');
    expect(handles.keyFor(issued[10_000] as string)).toBe('key-10000');
    handles.handleFor('key-10001'); // pushes out key-1 next, not an entry issued later
    expect(handles.keyFor(issued[1] as string)).toBeNull();
    expect(handles.keyFor(issued[2] as string)).toBe('key-2');
    handles.share('secret', 'scope');
    expect(handles.keyFor(issued[2] as string)).toBeNull();
    const fresh = handles.handleFor('after');
    expect(handles.keyFor(fresh)).toBe('after');
  });
});

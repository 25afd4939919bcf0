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
});

import { describe, expect, it } from 'vitest';
import { CookieTooLarge } from '../../server-agent/sessions/errors.js';
import { createSessionManager } from '../../server-agent/sessions/manager.js';
import { describeStore } from '../conformance/describe-store.js';

const SECRET_KEY = 'test-secret-key';
const AT = 1_700_000_000_000;
const make = (extra: Record<string, unknown> = {}) =>
  createSessionManager({ SECRET_KEY, SESSION_ENGINE: 'signed_cookies', ...extra });

describeStore('signed_cookies', {
  make: () => make(),
  // Django's CookieSessionTests skips these three for the same reasons.
  skip: {
    save: 'exists() is always false: the cookie is the record, there is nothing on the server to find (Django skips it too)',
    cycle:
      'previously signed cookies cannot be invalidated, so the old key cannot be shown gone (Django skips it too)',
    session_save_does_not_resurrect_session_logged_out_in_other_context:
      'the session lives in the client; there is no server record a logout could delete (Django skips it too)',
    session_load_does_not_create_record:
      'there is no external store to create records in, and Django keeps the bad key until the next save replaces it (Django skips it too)',
    clear_expired: 'nothing is stored on the server, so there is nothing to clear or to find afterwards',
    list_pages_sessions: 'the sessions live in the browsers: there is no server-side record to enumerate',
  },
});

describe('signed cookie tokens (reference §5.6 vectors)', () => {
  it.each([
    [{}, 'e30:1r31eq:MuZY3XwpXtpo9d2rDMDjBM5_gvXgPIn_QRJ0tDjGDHg'],
    [{ hello: 'world' }, 'eyJoZWxsbyI6IndvcmxkIn0:1r31eq:jERI9h2W1-Gr9r6DJAFrZAFKcbIVVuZAgVg3Ti1YeaA'],
  ])("save(%j) writes Django's token byte for byte", async (data, token) => {
    const sessions = make();
    sessions.clock.freeze(AT);
    const s = sessions.open();
    await s.update(data);
    await s.save();
    expect(s.sessionKey).toBe(token);
  });

  it("reads the token Django's test suite key produces", async () => {
    const sessions = make({ SECRET_KEY: 'django_tests_secret_key' });
    sessions.clock.freeze(AT + 1000);
    const s = sessions.open('eyJoZWxsbyI6IndvcmxkIn0:1r31eq:D7br0mU4xl7_pVmn8oQP-46zTk7_-k7T0N1hmLtBPNc');
    expect(await s.get('hello')).toBe('world');
  });

  it('a token is valid for exactly SESSION_COOKIE_AGE seconds on the session clock', async () => {
    const sessions = make();
    sessions.clock.freeze(AT + 1_209_600_000);
    const token = 'eyJoZWxsbyI6IndvcmxkIn0:1r31eq:jERI9h2W1-Gr9r6DJAFrZAFKcbIVVuZAgVg3Ti1YeaA';
    expect(await sessions.open(token).get('hello')).toBe('world');
    sessions.clock.freeze(AT + 1_209_601_000);
    const late = sessions.open(token);
    expect(await late.get('hello')).toBeUndefined();
    expect(late.modified).toBe(true); // Django: the stale cookie is replaced by a fresh empty one
    expect(await sessions.store.load(token)).toMatchObject({
      outcome: 'expired',
      reason: 'signature-too-old',
    });
  });

  it('enforces a shorter set_expiry on the server, which Django does not (#19201)', async () => {
    const sessions = make();
    sessions.clock.freeze(AT);
    const s = sessions.open();
    await s.set('a', 1);
    await s.setExpiry(60);
    await s.save();
    sessions.clock.freeze(AT + 59_000);
    expect(await sessions.open(s.sessionKey).get('a')).toBe(1);
    sessions.clock.freeze(AT + 61_000);
    expect(await sessions.open(s.sessionKey).get('a')).toBeUndefined();
  });

  it('a tampered token loads as an empty session', async () => {
    const sessions = make();
    sessions.clock.freeze(AT);
    const forged = 'eyJoZWxsbyI6ImFkbWluIn0:1r31eq:jERI9h2W1-Gr9r6DJAFrZAFKcbIVVuZAgVg3Ti1YeaA';
    expect(await sessions.open(forged).items()).toEqual([]);
    expect(await sessions.store.load(forged)).toEqual({ outcome: 'invalid-signature' });
  });

  it('a session whose cookie would pass 4096 bytes fails at save with CookieTooLarge, naming the fix', async () => {
    const sessions = make();
    const s = sessions.open();
    // Random text: zlib cannot shrink it below the limit.
    await s.set('blob', Array.from({ length: 800 }, () => Math.random().toString(36).slice(2, 12)).join(''));
    const error = await s.save().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CookieTooLarge);
    expect((error as CookieTooLarge).bytes).toBeGreaterThan(4096);
    expect((error as Error).message).toMatch(/sessionid.*4096.*server-side SESSION_ENGINE/);
  });

  it('accepts a session right at the limit (name + "=" + value = 4096 bytes)', async () => {
    const sessions = make();
    const s = sessions.open();
    // Find the largest incompressible value that fits, then check one more byte does not.
    const unit = Array.from({ length: 600 }, () => Math.random().toString(36).slice(2, 12)).join('');
    let lo = 0;
    let hi = unit.length;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      await s.set('v', unit.slice(0, mid));
      const ok = await s.save().then(
        () => true,
        () => false,
      );
      if (ok) lo = mid;
      else hi = mid - 1;
    }
    await s.set('v', unit.slice(0, lo));
    await s.save();
    const bytes = 'sessionid='.length + (s.sessionKey ?? '').length;
    expect(bytes).toBeLessThanOrEqual(4096);
    expect(bytes).toBeGreaterThan(4090);
  });

  it('a value JSON cannot carry fails at set(), or at save when mutated later, and the last good token is unchanged', async () => {
    const sessions = make();
    const s = sessions.open();
    await s.set('ok', 1);
    await s.save();
    const token = s.sessionKey;
    await expect(s.set('bad', new Date() as never)).rejects.toMatchObject({
      code: 'SESSION_VALUE_NOT_SERIALIZABLE',
    });
    const box: Record<string, unknown> = {};
    await s.set('bad', box as never);
    box.when = new Date();
    await expect(s.save()).rejects.toMatchObject({ code: 'SESSION_VALUE_NOT_SERIALIZABLE' });
    expect(s.sessionKey).toBe(token);
    expect(await sessions.open(token).items()).toEqual([['ok', 1]]);
  });

  it('replay: an old token keeps working after logout until it ages out (documented limitation)', async () => {
    const sessions = make();
    sessions.clock.freeze(AT);
    const s = sessions.open();
    await s.set('user', 42);
    await s.save();
    const stolen = s.sessionKey;
    await s.flush();
    expect(s.sessionKey).toBeNull();
    expect(await sessions.open(stolen).get('user')).toBe(42);
  });
});

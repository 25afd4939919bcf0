/**
 * U1's development warning names what the handler called and forgot to await, never the calls
 * Session makes inside it (get() and set() load the stored session, flush() deletes it): advice to
 * `await req.session.load(…)` sent people looking for a load() their handler did not contain.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createMiddlewareCore } from '../../server-agent/http/middleware.js';
import { createSessionManager, type SessionManager } from '../../server-agent/sessions/manager.js';
import { PendingOps } from '../../server-agent/sessions/pending-ops.js';
import type { Session } from '../../server-agent/sessions/session.js';
import { captureLogs } from '../helpers/log-capture.js';

const open: SessionManager[] = [];
const stops: (() => void)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) stop();
  for (const sessions of open.splice(0)) await sessions.close();
});

/** The warning a request logs when the handler fires `call` on a stored session without awaiting it. */
async function warningFor(call: (session: Session) => unknown): Promise<string[]> {
  const capture = captureLogs();
  stops.push(capture.stop);
  const sessions = createSessionManager({ SECRET_KEY: 'pending-ops-secret-key', SESSION_ENGINE: 'cache' });
  open.push(sessions);
  const seed = sessions.open();
  await seed.set('user', 'ada');
  await seed.save();
  const core = createMiddlewareCore(sessions);
  const state = core.begin({ method: 'GET', url: '/page', cookieHeader: `sessionid=${seed.sessionKey}` });
  void call(state.session);
  await core.finish(state, { status: 200, vary: undefined });
  return capture.records.filter((r) => r.message.includes('was not awaited')).map((r) => r.message);
}

const advice = (calls: string, first: string) =>
  `GET /page: ${calls} was not awaited and was still running when the response started. sessionscope waited for it so nothing is lost, but the handler should \`await req.session.${first}(…)\` before responding.`;

describe('U1 names the method the handler called', () => {
  it.each([
    ['get', (s: Session) => s.get('user')],
    ['set', (s: Session) => s.set('cart', 1)],
    ['flush', (s: Session) => s.flush()],
    ['save', (s: Session) => s.save()],
  ])('an unawaited %s() is named alone (not the load() or delete() it makes)', async (name, call) => {
    expect(await warningFor(call)).toEqual([advice(`req.session.${name}()`, name)]);
  });

  it('the first unawaited call is the one the advice names', async () => {
    const messages = await warningFor((s) => {
      void s.get('user');
      void s.set('cart', 1);
    });
    expect(messages).toEqual([advice('req.session.get(), req.session.set()', 'get')]);
  });

  it('a load() the handler itself called is named', async () => {
    expect(await warningFor((s) => s.load())).toEqual([advice('req.session.load()', 'load')]);
  });
});

describe('PendingOps', () => {
  it('counts inner calls but names only the outer ones, and a name leaves with its own call', () => {
    const pending = new PendingOps();
    const outer = pending.start('get');
    const inner = pending.start('load');
    pending.entered();
    pending.entered();
    expect([outer, inner]).toEqual([true, false]);
    expect(pending.count).toBe(2);
    expect(pending.methods).toEqual(['get']);
    // A handler's own load() beside the inner one: ending the inner load keeps the handler's.
    const own = pending.start('load');
    pending.entered();
    pending.end('load', inner);
    expect(pending.methods).toEqual(['get', 'load']);
    pending.end('load', own);
    pending.end('get', outer);
    expect([pending.count, pending.methods]).toEqual([0, []]);
  });
});

describe('untrackedMethod: the middleware’s own save skips the U1 count', () => {
  it('gives the method as it was before tracking, which saves without counting; other names are refused', async () => {
    const { untrackedMethod, pendingOf } = await import('../../server-agent/sessions/pending-ops.js');
    const { Session: SessionClass } = await import('../../server-agent/sessions/session.js');
    const save = untrackedMethod<(this: Session) => Promise<void>>(SessionClass.prototype, 'save');
    expect(save).not.toBe(SessionClass.prototype.save);
    const sessions = createSessionManager({ SECRET_KEY: 'pending-ops-secret-key', SESSION_ENGINE: 'cache' });
    open.push(sessions);
    const session = sessions.open();
    const saving = save.call(session);
    // The tracked save() would have created the session's PendingOps and counted itself in.
    expect(pendingOf(session)).toBeUndefined();
    await saving;
    expect(session.sessionKey).not.toBeNull();
    expect(await sessions.open(session.sessionKey).exists(session.sessionKey)).toBe(true);
    expect(() => untrackedMethod(SessionClass.prototype, 'encode')).toThrow(/encode is not tracked/);
  });
});

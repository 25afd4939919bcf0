/** onStoreUnavailable: 'continue' — a store outage while loading leaves the request without a session. */
import { describe, expect, it } from 'vitest';
import { createMiddlewareCore } from '../../server-agent/http/middleware.js';
import { StoreUnavailable } from '../../server-agent/sessions/errors.js';
import { createSessionManager } from '../../server-agent/sessions/manager.js';
import { captureLogs } from '../helpers/log-capture.js';

const SECRET_KEY = 'outage-secret-key';
const DOWN = { default: { BACKEND: 'redis', LOCATION: 'redis://127.0.0.1:1/0' } };
const cookie = 'sessionid=abcdefgh12345678abcdefgh12345678';

describe('store outage while loading', () => {
  it("'continue': an empty session, not saved, and the visitor's cookie is left alone", async () => {
    const logs = captureLogs();
    const sessions = createSessionManager({
      SECRET_KEY,
      SESSION_ENGINE: 'cache',
      CACHES: DOWN,
      SESSION_ON_STORE_UNAVAILABLE: 'continue',
    });
    try {
      const core = createMiddlewareCore(sessions);
      const state = core.begin({ method: 'GET', url: '/', cookieHeader: cookie });
      expect(await state.session.get('user')).toBeUndefined();
      expect(state.session.storeUnavailable).toBe(true);
      await state.session.set('visited', true);
      const result = await core.finish(state, { status: 200, vary: undefined });
      expect(result.setCookie).toEqual([]);
      expect(result.replaceWith).toBeUndefined();
      expect(result.vary).toBe('Cookie');
    } finally {
      await sessions.close();
      logs.stop();
    }
  });

  it("'fail' (the default): the app's session access fails with StoreUnavailable (503)", async () => {
    const logs = captureLogs();
    const sessions = createSessionManager({ SECRET_KEY, SESSION_ENGINE: 'cache', CACHES: DOWN });
    try {
      const state = createMiddlewareCore(sessions).begin({ method: 'GET', url: '/', cookieHeader: cookie });
      const error = await state.session.get('user').then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(StoreUnavailable);
      expect((error as StoreUnavailable).status).toBe(503);
    } finally {
      await sessions.close();
      logs.stop();
    }
  });
});

/**
 * Rows 17–19 of Django's scenario table need the signed_cookies engine: exact tokens under
 * SECRET_KEY `test-secret-key` with the clock frozen at 1700000000.
 */
import { describe, expect, it } from 'vitest';
import { expectDeletion, type Start, TWO_WEEKS_LATER } from './adapter-suite.js';

export function describeSignedCookies(start: Start): void {
  const settings = { SESSION_ENGINE: 'signed_cookies' };
  describe('signed_cookies rows (§3.4 17–19)', () => {
    // No probe-and-skip: an engine that fails to register or to start must fail these rows.
    it('17: a write sets the exact Django token', async () => {
      const app = await start(settings, () => ({
        '/write': async (session) => {
          await session.set('hello', 'world');
          return {};
        },
      }));
      const cookie = (await app.get('/write')).cookie();
      expect(cookie?.value).toBe(
        'eyJoZWxsbyI6IndvcmxkIn0:1r31eq:jERI9h2W1-Gr9r6DJAFrZAFKcbIVVuZAgVg3Ti1YeaA',
      );
      expect(cookie?.attributes).toEqual({
        expires: TWO_WEEKS_LATER,
        httponly: true,
        'max-age': '1209600',
        path: '/',
        samesite: 'Lax',
      });
    });

    it('18: a garbage cookie that is read is replaced by the signed {} token', async () => {
      const app = await start(settings, () => ({
        '/read': async (session) => ({ body: String(await session.get('x', 'none')) }),
      }));
      const reply = await app.get('/read', 'sessionid=garbage-value');
      expect(reply.body).toBe('none');
      expect(reply.cookie()?.value).toBe('e30:1r31eq:MuZY3XwpXtpo9d2rDMDjBM5_gvXgPIn_QRJ0tDjGDHg');
    });

    it('19: flush() of a valid signed cookie deletes it', async () => {
      const app = await start(settings, () => ({
        '/write': async (session) => {
          await session.set('hello', 'world');
          return {};
        },
        '/flush': async (session) => {
          await session.flush();
          return {};
        },
      }));
      const token = (await app.get('/write')).cookie()?.value as string;
      expectDeletion(await app.get('/flush', `sessionid=${token}`));
    });
  });
}

/**
 * Bad input of issue 2 over real HTTP: tampered, truncated, malformed and duplicated cookies,
 * oversized headers and values JSON cannot carry. None may crash the server or write anything.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { JsonValue } from '../../server-agent/sessions/serializer.js';
import { countStoreOps, sendRaw } from '../helpers/http.js';
import { expectDeletion, type Harness, type Start } from './adapter-suite.js';
import type { Routes } from './routes.js';

const routes = (): Routes => ({
  '/read': async (session) => ({ body: String(await session.get('seeded', 'none')) }),
  '/write': async (session) => {
    await session.set('written', true);
    return {};
  },
});

export function describeBadInput(start: Start): void {
  describe('bad input', () => {
    let restoreLog: (() => void) | undefined;
    afterEach(() => restoreLog?.());

    const alive = async (app: Harness) => expect([200, 404]).toContain((await app.get('/read')).status);

    it('a tampered key is a miss: deleted, never adopted, nothing created', async () => {
      const app = await start({}, routes);
      const key = await app.seed();
      const tampered = `${key.slice(0, -1)}${key.endsWith('a') ? 'b' : 'a'}`;
      const ops = countStoreOps(app.sessions.store);
      const reply = await app.get('/read', `sessionid=${tampered}`);
      expect(reply.body).toBe('none');
      expectDeletion(reply);
      expect(ops.save).toBe(0);
      expect(await app.sessions.store.exists(tampered)).toBe(false);
    });

    it('a truncated key reads nothing and a write under it mints a new key', async () => {
      const app = await start({}, routes);
      const key = await app.seed();
      expect((await app.get('/read', `sessionid=${key.slice(0, 12)}`)).body).toBe('none');
      const written = (await app.get('/write', `sessionid=${key.slice(0, 12)}`)).cookie()?.value;
      expect(written).toMatch(/^[a-z0-9]{32}$/);
      expect(written).not.toBe(key.slice(0, 12));
    });

    it.each([
      '../../etc/passwd',
      '..%2F..%2Fetc%2Fpasswd',
      'ABCDEFGHIJKL',
      'abc def ghi jkl',
      '%00%00%00%00%00%00%00%00',
    ])('a malformed key %j never reaches the store', async (bad) => {
      const app = await start({}, routes);
      const ops = countStoreOps(app.sessions.store);
      const reply = await app.get('/read', `sessionid=${bad}`);
      expect(reply.status).toBe(200);
      expect(reply.body).toBe('none');
      expect(ops.load + ops.save).toBe(0);
    });

    it('control characters in the Cookie header do not crash the server', async () => {
      const app = await start({}, routes);
      const port = new URL(app.url).port;
      const reply = await sendRaw(
        app.url,
        `GET /read HTTP/1.1\nHost: 127.0.0.1:${port}\nCookie: sessionid=abc\x01\x7fdefghijk`,
      );
      expect([200, 400]).toContain(reply.status);
      await alive(app);
    });

    it('with duplicate cookie names the first one wins (documented rule)', async () => {
      const app = await start({}, routes);
      const first = await app.seed({ seeded: 'first' });
      const second = await app.seed({ seeded: 'second' });
      expect((await app.get('/read', `sessionid=${first}; other=1; sessionid=${second}`)).body).toBe('first');
    });

    it('an oversized Cookie header is refused with 431 and the server keeps serving', async () => {
      const app = await start({}, routes);
      const port = new URL(app.url).port;
      const reply = await sendRaw(
        app.url,
        `GET /read HTTP/1.1\nHost: 127.0.0.1:${port}\nCookie: sessionid=${'a'.repeat(20_000)}`,
      );
      expect(reply.status).toBe(431);
      await alive(app);
    });

    it('a session cookie over 4096 bytes is ignored without a store read', async () => {
      const app = await start({}, routes);
      const ops = countStoreOps(app.sessions.store);
      const reply = await app.get('/read', `sessionid=${'a'.repeat(5000)}`);
      expect(reply.body).toBe('none');
      expect(ops.load).toBe(0);
    });

    it.each<[string, () => unknown]>([
      ['Date', () => new Date(0)],
      ['BigInt', () => 10n],
      ['function', () => () => 1],
      [
        'cycle',
        () => {
          const cyclic: Record<string, unknown> = {};
          cyclic.self = cyclic;
          return cyclic;
        },
      ],
    ])(
      'U3 a %s value is refused at set(): the handler gets an error naming the key and the fix; it is never stored',
      async (_type, make) => {
        const app = await start({}, () => ({
          '/bad': async (session) => {
            await session.set('fine', 1);
            try {
              await session.set('badValue', make() as JsonValue);
            } catch (error) {
              return { status: 422, body: (error as Error).message };
            }
            return { body: 'should not be seen' };
          },
        }));
        const key = await app.seed();
        const reply = await app.get('/bad', `sessionid=${key}`);
        expect(reply.status).toBe(422);
        expect(reply.body).toMatch(/"badValue" holds .*JSON cannot carry.*(;|\. Store)/);
        const stored = await app.sessions.store.load(key);
        expect(stored.outcome === 'hit' && [...stored.data.keys()]).toEqual(['seeded', 'fine']);
        const fresh = await app.get('/bad');
        expect(fresh.status).toBe(422);
        await alive(app);
      },
    );
  });
}

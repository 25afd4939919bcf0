/** `npm start -- --engine …`: the shop logs a visitor in on every engine (real Redis and PostgreSQL). */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { engineSettings } from '../../examples/shop/engines.js';
import { startShop } from '../../examples/shop/server.js';
import { send } from '../helpers/http.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'shop-engine-'));
// Own Redis database, PostgreSQL schema and files, so other suites' cleanups never race this one.
const redisCache = {
  default: { BACKEND: 'redis', LOCATION: 'redis://127.0.0.1:6379/11', KEY_PREFIX: `shop${process.pid}` },
};
const overrides: Record<string, () => Record<string, unknown>> = {
  db: () => ({ DATABASE_URL: ':memory:' }),
  redis: () => ({ CACHES: redisCache }),
  postgres: () => ({ DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test?schema=sessionscope_shop_test' }),
  file: () => ({ SESSION_FILE_PATH: tmp() }),
  cached_db: () => ({ DATABASE_URL: join(tmp(), 'shop.sqlite3'), CACHES: redisCache }),
};

describe('demo shop engines', () => {
  it.each(['db', 'redis', 'postgres', 'file', 'signed_cookies', 'cached_db'])(
    '--engine %s: log in and see the user',
    async (engine) => {
      const shop = await startShop({
        engine,
        port: 0,
        agent: false,
        settings: { SECRET_KEY: 'test-secret-key', ...overrides[engine]?.() },
      });
      try {
        const url = (path: string) => new URL(path, shop.url).href;
        const first = await send(url('/login'));
        const anonymous = first.cookie()?.value as string;
        expect(anonymous).toBeTruthy();
        const login = await send(url('/login'), {
          method: 'POST',
          cookie: `sessionid=${anonymous}`,
          body: 'username=grace',
        });
        expect(login.status).toBe(303);
        const key = login.cookie()?.value as string;
        expect(key).not.toBe(anonymous);
        expect((await send(url('/'), { cookie: `sessionid=${key}` })).body).toContain(
          '<strong id="user">grace</strong>',
        );
        await send(url('/logout'), { method: 'POST', cookie: `sessionid=${key}`, body: '' });
      } finally {
        await shop.close();
      }
    },
  );

  it('names the choices for an unknown engine', () => {
    expect(() => engineSettings('mongo')).toThrow(
      /Unknown --engine "mongo". Choose one of: db, sqlite, redis, postgres/,
    );
  });
});

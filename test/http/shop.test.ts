/** The demo shop over real HTTP: login (key cycled) → cart → remember me → logout, like a browser. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningShop, startShop } from '../../examples/shop/server.js';
import { type Reply, send } from '../helpers/http.js';

describe('demo shop (examples/shop)', () => {
  let shop: RunningShop;
  let key: string | undefined;

  beforeAll(async () => {
    shop = await startShop({
      port: 0,
      settings: { SECRET_KEY: 'test-secret-key', DATABASE_URL: ':memory:' },
      agent: false,
    });
  });
  afterAll(() => shop.close());

  /** A one-cookie browser: keeps sessionid, forgets it on a deletion cookie. */
  async function browse(path: string, form?: Record<string, string>): Promise<Reply> {
    const reply = await send(new URL(path, shop.url).href, {
      method: form ? 'POST' : 'GET',
      cookie: key ? `sessionid=${key}` : undefined,
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    const cookie = reply.cookie();
    if (cookie) key = cookie.value || undefined;
    return reply;
  }

  it('refuses a login from a browser that kept no test cookie', async () => {
    const reply = await send(new URL('/login', shop.url).href, { method: 'POST', body: 'username=eve' });
    expect(reply.status).toBe(400);
    expect(reply.body).toContain('enable cookies');
  });

  it('walks login → cart → remember me → logout', async () => {
    const home = await browse('/');
    expect(home.body).toContain('Log in');
    expect(home.cookies).toEqual([]);
    const form = await browse('/login');
    expect(form.body).toContain('action="/login"');
    const anonymousKey = key;
    expect(anonymousKey).toMatch(/^[a-z0-9]{32}$/);

    const login = await browse('/login', { username: 'ada' });
    expect(login.status).toBe(303);
    expect(key).toMatch(/^[a-z0-9]{32}$/);
    expect(key).not.toBe(anonymousKey);
    expect(await shop.sessions.store.exists(anonymousKey as string)).toBe(false);
    const welcome = await browse('/');
    expect(welcome.body).toContain('<strong id="user">ada</strong>');
    expect(welcome.body).toContain('Welcome, ada.');

    await browse('/cart', { item: 'tea' });
    await browse('/cart', { item: 'tea' });
    await browse('/cart', { item: 'mug' });
    const cart = await browse('/');
    expect(cart.body).toContain('2 × Green tea');
    expect(cart.body).toContain('1 × Enamel mug');

    const remember = await browse('/remember', { remember: 'yes' });
    expect(remember.cookie()?.attributes['max-age']).toBe('2592000');
    const remembered = await browse('/');
    const expiry = /<strong id="expiry">([^<]+)<\/strong>/.exec(remembered.body)?.[1] ?? '';
    const days = (Date.parse(expiry) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);

    const forget = await browse('/remember', { remember: 'no' });
    expect(forget.cookie()?.attributes['max-age']).toBeUndefined();
    expect((await browse('/')).body).toContain('when the browser closes');

    const stream = await browse('/stream');
    expect(stream.body).toContain('Streamed page (visit 1)');
    expect(stream.body).toContain('Back to the shop');

    const loggedInKey = key as string;
    const logout = await browse('/logout', {});
    expect(logout.status).toBe(303);
    expect(logout.cookie()?.value).toBe('');
    expect(key).toBeUndefined();
    expect(await shop.sessions.store.exists(loggedInKey)).toBe(false);
    expect((await browse('/')).body).toContain('Log in');
  });

  it('attaches the inspector agent to the same server and gives its URL', async () => {
    const withAgent = await startShop({
      port: 0,
      settings: { SECRET_KEY: 'test-secret-key', DATABASE_URL: ':memory:' },
    });
    try {
      const inspector = new URL(withAgent.inspectorUrl as string);
      expect(inspector.pathname).toBe('/__sessionscope/');
      expect(inspector.port).toBe(new URL(withAgent.url).port);
      expect(inspector.hash).toMatch(/^#token=[A-Za-z0-9_-]{22,}$/);
      expect((await send(new URL('/healthz', withAgent.url).href)).body).toBe('ok');
    } finally {
      await withAgent.close();
    }
  });

  it('answers a health check without creating a session', async () => {
    const reply = await send(new URL('/healthz', shop.url).href);
    expect(reply.body).toBe('ok');
    expect(reply.cookies).toEqual([]);
  });
});

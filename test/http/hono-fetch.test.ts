/** Hono without Node's HTTP server: web-standard Request in, Response out (as on Bun, Deno, Workers). */
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createSessions } from '../../server-agent/create.js';
import { honoSessions } from '../../server-agent/http/hono.js';
import { parseSetCookie } from '../helpers/http.js';

describe('honoSessions on app.request()', () => {
  const sessions = createSessions({ SECRET_KEY: 'test-secret-key', DATABASE_URL: ':memory:' });

  it('sets, reads back and redirects with the session cookie on plain Request/Response', async () => {
    const app = new Hono();
    app.use(honoSessions(sessions));
    app.post('/login', async (c) => {
      await c.get('session').set('user', 'ada');
      return c.redirect('/home', 303);
    });
    app.get('/home', async (c) => c.text(`user=${String(await c.get('session').get('user'))}`));

    const login = await app.request('/login', { method: 'POST' });
    expect(login.status).toBe(303);
    const cookie = parseSetCookie(login.headers.getSetCookie()[0] ?? '');
    expect(cookie.value).toMatch(/^[a-z0-9]{32}$/);
    expect(login.headers.get('vary')).toBe('Cookie');
    const home = await app.request('/home', { headers: { cookie: `sessionid=${cookie.value}` } });
    expect(await home.text()).toBe('user=ada');
    await sessions.close();
  });
});

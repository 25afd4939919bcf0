/**
 * The shop: an Express 5 app using the whole session API. Login checks the test cookie and cycles
 * the key, the cart lives in the session, "remember me" switches setExpiry between 30 days and
 * browser close, logout flushes, every POST redirects, and /stream streams its page.
 */
import express, { type Request } from 'express';
import type { Sessions } from '../../server-agent/create.js';
import type { Session } from '../../server-agent/sessions/session.js';
import { escapeHtml, homePage, layout, loginPage, PRODUCTS } from './views.js';

const THIRTY_DAYS = 30 * 24 * 3600;

const sessionOf = (req: Request): Session => req.session;

export function createShopApp(sessions: Sessions, engine: string): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(sessions.middleware());
  app.use(express.urlencoded({ extended: false, limit: '4kb' }));

  app.get('/', async (req, res) => {
    const session = sessionOf(req);
    const user = (await session.get<string>('user')) ?? null;
    const browserClose = await session.getExpireAtBrowserClose();
    const expiry = browserClose ? 'when the browser closes' : (await session.getExpiryDate()).toUTCString();
    const notice = await session.pop<string>('notice', '');
    res.type('html').send(
      homePage({
        user,
        cart: ((await session.get('cart')) as Record<string, number> | undefined) ?? {},
        remembered: (await session.get('remember')) === true,
        expiry,
        engine,
        notice: notice || undefined,
      }),
    );
  });

  // Django's login view sets the test cookie on GET and checks it on POST. Only this page starts a
  // session for an anonymous visitor: the home page reads the session but never creates one.
  app.get('/login', async (req, res) => {
    await sessionOf(req).setTestCookie();
    res.type('html').send(loginPage());
  });

  app.post('/login', async (req, res) => {
    const session = sessionOf(req);
    const username = String(req.body?.username ?? '')
      .trim()
      .slice(0, 40);
    if (!(await session.testCookieWorked())) {
      res
        .status(400)
        .type('html')
        .send(layout('Cookies needed', '<p>Please enable cookies and <a href="/">try again</a>.</p>'));
      return;
    }
    if (!username) return void res.redirect(303, '/');
    await session.deleteTestCookie();
    // A new key on login defeats session fixation; the cart survives the cycle.
    await session.cycleKey();
    await session.set('user', username);
    await session.set('notice', `Welcome, ${username}.`);
    res.redirect(303, '/');
  });

  app.post('/cart', async (req, res) => {
    const session = sessionOf(req);
    const item = String(req.body?.item ?? '');
    if (PRODUCTS[item]) {
      const cart = ((await session.get('cart')) as Record<string, number> | undefined) ?? {};
      await session.set('cart', { ...cart, [item]: (cart[item] ?? 0) + 1 });
    }
    res.redirect(303, '/');
  });

  app.post('/remember', async (req, res) => {
    const session = sessionOf(req);
    const remember = req.body?.remember === 'yes';
    await session.setExpiry(remember ? THIRTY_DAYS : 0);
    await session.set('remember', remember);
    res.redirect(303, '/');
  });

  app.post('/logout', async (req, res) => {
    await sessionOf(req).flush();
    res.redirect(303, '/');
  });

  app.get('/stream', async (req, res) => {
    const session = sessionOf(req);
    const visits = ((await session.get<number>('streamVisits')) ?? 0) + 1;
    await session.set('streamVisits', visits);
    res.type('html');
    res.write(`<!doctype html><title>Streamed</title><h1>Streamed page (visit ${visits})</h1><ul>`);
    for (const id of Object.keys(PRODUCTS)) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      res.write(`<li>${escapeHtml(PRODUCTS[id]?.name)}</li>`);
    }
    res.end('</ul><p><a href="/">Back to the shop</a></p>');
  });

  app.get('/healthz', (_req, res) => {
    res.type('text').send('ok');
  });

  return app;
}

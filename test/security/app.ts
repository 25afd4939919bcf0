/** A small Express app for the security tests: read, write, login (rotate), logout, 5xx after a write. */
import { createServer } from 'node:http';
import express, { type Request } from 'express';
import type { Session } from '../../server-agent/sessions/session.js';
import { createSessions, type Sessions } from '../../server-agent/create.js';
import type { SessionManagerOptions } from '../../server-agent/sessions/manager.js';
import { type Listening, listen } from '../helpers/http.js';

export const SECRET_KEY = 'security-tests-secret-0123456789abcdefgh';

export interface SecurityApp {
  sessions: Sessions;
  http: Listening;
  /** Resolves the pending /slow request's save. */
  release: (() => void) | null;
  close(): Promise<void>;
}

export async function startSecurityApp(options: SessionManagerOptions = {}): Promise<SecurityApp> {
  const sessions = createSessions({ SECRET_KEY, DATABASE_URL: ':memory:', ...options });
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  const state: SecurityApp = {
    sessions,
    http: undefined as unknown as Listening,
    release: null,
    async close() {
      await state.http.close();
      await sessions.close();
    },
  };
  app.use(sessions.middleware());
  app.all('/get', async (req, res) => {
    res.send(JSON.stringify((await sessionOf(req).get('user')) ?? null));
  });
  app.get('/set', async (req, res) => {
    await sessionOf(req).set('user', String(req.query.v ?? 'alice'));
    res.send('ok');
  });
  app.get('/login', async (req, res) => {
    await sessionOf(req).cycleKey();
    await sessionOf(req).set('auth', true);
    res.send('ok');
  });
  app.get('/logout', async (req, res) => {
    await sessionOf(req).flush();
    res.send('bye');
  });
  app.get('/slow', async (req, res) => {
    await sessionOf(req).set('cart', [1]);
    await new Promise<void>((resolve) => {
      state.release = resolve;
    });
    res.send('ok');
  });
  app.get('/fail', async (req, res) => {
    await sessionOf(req).set('user', 'mallory');
    res.status(Number(req.query.status ?? 500)).send('failed');
  });
  state.http = await listen(createServer(app));
  return state;
}

function sessionOf(req: Request): Session {
  if (!req.session) throw new Error('the session middleware did not run');
  return req.session;
}

/**
 * The small Express app the fault tests drive: /write increments a counter in the session (with an
 * optional hook between load and save), /read reads it, /plain never touches the session.
 */
import { createServer } from 'node:http';
import express, { type Request } from 'express';
import type { Session } from '../../server-agent/sessions/session.js';
import { createSessions, type Sessions } from '../../server-agent/create.js';
import type { SessionManagerOptions } from '../../server-agent/sessions/manager.js';
import { type Listening, listen, send } from '../helpers/http.js';

export interface FaultApp {
  sessions: Sessions;
  http: Listening;
  /** Runs between the session's load and its save inside /write, once. */
  betweenLoadAndSave: (() => Promise<void>) | null;
  close(): Promise<void>;
}

export async function startFaultApp(options: SessionManagerOptions): Promise<FaultApp> {
  const sessions = createSessions({ SECRET_KEY: 'fault-app-secret-0123456789abcdefgh', ...options });
  const app = express();
  const state: FaultApp = {
    sessions,
    http: undefined as unknown as Listening,
    betweenLoadAndSave: null,
    async close() {
      await state.http.close();
      await sessions.close();
    },
  };
  app.use(sessions.middleware());
  app.get('/write', async (req, res) => {
    const n = Number(await sessionOf(req).get('n', 0));
    const hook = state.betweenLoadAndSave;
    state.betweenLoadAndSave = null;
    if (hook) await hook();
    await sessionOf(req).set('n', n + 1);
    res.send(String(n + 1));
  });
  app.get('/read', async (req, res) => {
    res.send(String(await sessionOf(req).get('n', 0)));
  });
  app.get('/plain', (_req, res) => {
    res.send('ok');
  });
  state.http = await listen(createServer(app));
  return state;
}

export async function timed(
  url: string,
  cookie?: string,
): Promise<{ status: number; ms: number; cookie: string | undefined; body: string }> {
  const started = performance.now();
  const reply = await send(url, cookie === undefined ? {} : { cookie });
  const set = reply.cookie('sessionid');
  return {
    status: reply.status,
    ms: performance.now() - started,
    cookie: set?.value ? `sessionid=${set.value}` : cookie,
    body: reply.body,
  };
}

function sessionOf(req: Request): Session {
  if (!req.session) throw new Error('the session middleware did not run');
  return req.session;
}

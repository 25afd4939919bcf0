/**
 * ND-3 (CVE-2025-7339): the node:http response patching keeps the session cookie and the app's
 * cookies whatever form the app writes its headers in. node:http and Express share this code.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createSessions, type Sessions } from '../../server-agent/create.js';
import type { Session } from '../../server-agent/sessions/session.js';
import { type Listening, listen, send } from '../helpers/http.js';

type Write = (res: ServerResponse) => void;

describe('node:http response forms (ND-3)', () => {
  let server: Listening | undefined;
  let sessions: Sessions | undefined;
  afterEach(async () => {
    await server?.close();
    await sessions?.close();
  });

  async function serve(write: Write) {
    sessions = createSessions({ SECRET_KEY: 'test-secret-key', DATABASE_URL: ':memory:' });
    const middleware = sessions.middleware();
    server = await listen(
      createServer((req: IncomingMessage, res) =>
        middleware(req, res, () => {
          void (req.session as Session).set('hello', 'world').then(() => write(res));
        }),
      ),
    );
    return send(server.url);
  }

  const names = (reply: Awaited<ReturnType<typeof serve>>) => reply.cookies.map((c) => c.name).sort();

  it("array-form writeHead(200, [['set-cookie', 'a=1']])", async () => {
    const reply = await serve((res) => {
      res.writeHead(200, [['set-cookie', 'a=1']] as unknown as Record<string, string>);
      res.end('ok');
    });
    expect(names(reply)).toEqual(['a', 'sessionid']);
  });

  it('flat raw-form writeHead(200, [name, value, …]) with two cookies', async () => {
    const reply = await serve((res) => {
      res.writeHead(200, ['set-cookie', 'a=1', 'content-type', 'text/plain', 'set-cookie', 'b=2']);
      res.end('ok');
    });
    expect(names(reply)).toEqual(['a', 'b', 'sessionid']);
    expect(reply.headers.get('content-type')).toBe('text/plain');
  });

  it("res.setHeader('Set-Cookie', [...]) then writeHead with an object", async () => {
    const reply = await serve((res) => {
      res.setHeader('Set-Cookie', ['a=1', 'b=2']);
      res.writeHead(201, 'Made', { 'set-cookie': 'c=3', 'x-app': 'yes' });
      res.end('ok');
    });
    expect(reply.status).toBe(201);
    expect(names(reply)).toEqual(['a', 'b', 'c', 'sessionid']);
    expect(reply.headers.get('x-app')).toBe('yes');
  });

  it('res.end(null) and flushHeaders() still carry the session cookie', async () => {
    const ended = await serve((res) => res.end(null));
    expect(names(ended)).toEqual(['sessionid']);
    const flushed = await serve((res) => {
      res.flushHeaders();
      res.end('late body');
    });
    expect(names(flushed)).toEqual(['sessionid']);
    expect(flushed.body).toBe('late body');
  });

  it('refuses a second installation on the same request with a clear error', async () => {
    sessions = createSessions({ SECRET_KEY: 'test-secret-key', DATABASE_URL: ':memory:' });
    const middleware = sessions.middleware();
    let failure: unknown;
    server = await listen(
      createServer((req, res) =>
        middleware(req, res, () =>
          middleware(req, res, (error) => {
            failure = error;
            res.end('done');
          }),
        ),
      ),
    );
    await send(server.url);
    expect(String(failure)).toMatch(/installed twice/);
  });
});

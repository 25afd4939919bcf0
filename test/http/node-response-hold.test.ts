/**
 * Where the response hold sits (http/node.ts). With nothing in front of it, the interceptors live on
 * ServerResponse.prototype and the holds in a WeakMap, so the middleware adds no property to an
 * Express request or response (each one costs microseconds once Express has set the object's
 * prototype). These pin what must not change with that: a mounted sub-app (which sets the
 * prototype again) still holds the response until the save, wrappers installed before the
 * middleware still see the session cookie, wrappers installed after it still run, and responses
 * that no middleware holds pass straight through.
 */
import { createServer, type ServerResponse } from 'node:http';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { createSessions, type Sessions } from '../../server-agent/create.js';
import { type Listening, listen, send } from '../helpers/http.js';

type Express = ReturnType<typeof express>;

describe('the response hold (node:http and Express)', () => {
  let server: Listening | undefined;
  let other: Listening | undefined;
  let sessions: Sessions | undefined;
  afterEach(async () => {
    await server?.close();
    await other?.close();
    await sessions?.close();
    server = other = sessions = undefined;
  });

  function newSessions(): Sessions {
    sessions = createSessions({ SECRET_KEY: 'test-secret-key', DATABASE_URL: ':memory:' });
    return sessions;
  }

  function routes(app: Express): void {
    app.get('/set', async (req, res) => {
      await req.session.set('colour', 'blue');
      res.send('set');
    });
    app.get('/get', async (req, res) => {
      res.send(String(await req.session.get('colour', 'none')));
    });
  }

  it('a mounted sub-app, which gives the response its own prototype again, still waits for the save', async () => {
    const app = express();
    app.use(newSessions().middleware());
    const sub = express();
    routes(sub);
    app.use('/sub', sub);
    server = await listen(createServer(app));
    const first = await send(`${server.url}/sub/set`);
    const cookie = first.cookie('sessionid');
    expect(cookie?.value).toMatch(/^[a-z0-9]{32}$/);
    // Read back at once: the write was stored before the response that carried its cookie left.
    const second = await send(`${server.url}/sub/get`, { cookie: `sessionid=${cookie?.value}` });
    expect(second.body).toBe('blue');
  });

  it("a wrapper installed before the middleware sees the session's Set-Cookie when headers go", async () => {
    const app = express();
    let seen: unknown;
    app.use((_req, res, next) => {
      // on-headers' shape: wrap writeHead on this response, look at the headers, call through.
      const writeHead = res.writeHead;
      res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
        seen = this.getHeader('set-cookie');
        return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
      } as typeof res.writeHead;
      next();
    });
    app.use(newSessions().middleware());
    routes(app);
    server = await listen(createServer(app));
    const reply = await send(`${server.url}/set`);
    expect(reply.cookie('sessionid')).toBeDefined();
    expect(String(seen)).toMatch(/^sessionid=[a-z0-9]{32};/);
  });

  it('a wrapper installed after the middleware runs, and the cookie still goes out', async () => {
    const app = express();
    app.use(newSessions().middleware());
    let wrapped = 0;
    app.use((_req, res, next) => {
      const end = res.end;
      res.end = function (this: ServerResponse, ...args: unknown[]) {
        wrapped++;
        return (end as (...a: unknown[]) => ServerResponse).apply(this, args);
      } as typeof res.end;
      next();
    });
    routes(app);
    server = await listen(createServer(app));
    const reply = await send(`${server.url}/set`);
    expect(reply.body).toBe('set');
    expect(reply.cookie('sessionid')).toBeDefined();
    expect(wrapped).toBe(1);
  });

  it('adds no own property to an Express request or response', async () => {
    const app = express();
    let before: string[] = [];
    let after: string[] = [];
    const own = (...objects: object[]) =>
      objects.flatMap((o) => Reflect.ownKeys(o).map((key) => String(key))).sort();
    app.use((req, res, next) => {
      before = own(req, res);
      next();
    });
    app.use(newSessions().middleware());
    app.use((req, res, next) => {
      after = own(req, res);
      next();
    });
    app.get('/', async (req, res) => {
      await req.session.set('k', 1);
      res.send('ok');
    });
    server = await listen(createServer(app));
    const reply = await send(server.url);
    expect(reply.cookie('sessionid')).toBeDefined();
    expect(before.length).toBeGreaterThan(0);
    expect(after).toEqual(before);
  });

  it('a response nothing holds passes straight through the prototype interceptors', async () => {
    // Any middleware created in this process puts the interceptors on ServerResponse.prototype.
    const app = express();
    app.use(newSessions().middleware());
    routes(app);
    server = await listen(createServer(app));
    await send(`${server.url}/set`);
    let ended = false;
    other = await listen(
      createServer((_req, res) => {
        res.writeHead(202, 'Taken', { 'x-plain': 'yes' });
        res.write('one ');
        res.end('two', () => {
          ended = true;
        });
      }),
    );
    const reply = await send(other.url);
    expect(reply.status).toBe(202);
    expect(reply.headers.get('x-plain')).toBe('yes');
    expect(reply.body).toBe('one two');
    expect(reply.cookies).toEqual([]);
    expect(ended).toBe(true);
  });
});

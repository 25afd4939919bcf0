/** One app per adapter, each serving the suite's neutral routes in its framework's own idiom. */
import { createServer, type ServerResponse } from 'node:http';
import express from 'express';
import type { Sessions } from '../../server-agent/create.js';
import type { Session } from '../../server-agent/sessions/session.js';
import { dispatch, type MakeServer, nextTurn, type RouteReply, type Routes } from './routes.js';

async function writeNode(res: ServerResponse, reply: RouteReply): Promise<void> {
  if (reply.setCookie) res.setHeader('set-cookie', reply.setCookie);
  if (reply.vary) res.setHeader('vary', reply.vary);
  if (reply.cacheControl) res.setHeader('cache-control', reply.cacheControl);
  if (reply.redirect) {
    res.writeHead(302, { location: reply.redirect });
    res.end();
    return;
  }
  res.statusCode = reply.status ?? 200;
  if (reply.chunks) {
    res.setHeader('content-type', 'text/plain');
    for (const chunk of reply.chunks) {
      res.write(chunk);
      await nextTurn();
    }
    res.end();
    return;
  }
  res.end(reply.body ?? 'ok');
}

export const makeNodeServer: MakeServer = (sessions: Sessions, routes: Routes) => {
  const middleware = sessions.middleware();
  return createServer((req, res) => {
    middleware(req, res, (error) => {
      if (error) {
        res.statusCode = 500;
        res.end(String(error));
        return;
      }
      dispatch(routes, req.session as Session, req.method ?? 'GET', req.url ?? '/')
        .then((reply) => writeNode(res, reply))
        .catch(() => {
          res.statusCode = 500;
          res.end('handler failed');
        });
    });
  });
};

export const makeExpressServer: MakeServer = (sessions: Sessions, routes: Routes) => {
  const app = express();
  app.use(sessions.middleware());
  app.use((req, res, next) => {
    dispatch(routes, req.session as Session, req.method, req.originalUrl)
      .then((reply) => {
        if (reply.setCookie) res.append('Set-Cookie', reply.setCookie);
        if (reply.vary) res.vary(reply.vary);
        if (reply.cacheControl) res.set('Cache-Control', reply.cacheControl);
        if (reply.redirect) return res.redirect(302, reply.redirect);
        res.status(reply.status ?? 200);
        if (!reply.chunks) return void res.send(reply.body ?? 'ok');
        return streamChunks(res, reply.chunks);
      })
      .catch(next);
  });
  return createServer(app);
};

async function streamChunks(res: ServerResponse, chunks: string[]): Promise<void> {
  res.setHeader('content-type', 'text/plain');
  for (const chunk of chunks) {
    res.write(chunk);
    await nextTurn();
  }
  res.end();
}

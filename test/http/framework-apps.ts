/** Koa, Fastify and Hono apps serving the suite's neutral routes, each in its own idiom. */
import { createServer, type Server } from 'node:http';
import { Readable } from 'node:stream';
import { getRequestListener } from '@hono/node-server';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { stream } from 'hono/streaming';
import Koa from 'koa';
import type { Sessions } from '../../server-agent/create.js';
import { fastifySessions } from '../../server-agent/http/fastify.js';
import { honoSessions } from '../../server-agent/http/hono.js';
import { koaSessions } from '../../server-agent/http/koa.js';
import { dispatch, type MakeServer, nextTurn, type Routes } from './routes.js';

async function* slowly(chunks: string[]): AsyncGenerator<string> {
  for (const chunk of chunks) {
    yield chunk;
    await nextTurn();
  }
}

export const makeKoaServer: MakeServer = (sessions: Sessions, routes: Routes) => {
  const app = new Koa();
  app.silent = true;
  app.use(koaSessions(sessions));
  app.use(async (ctx) => {
    const reply = await dispatch(routes, ctx.session, ctx.method, ctx.url);
    if (reply.setCookie) ctx.append('Set-Cookie', reply.setCookie);
    if (reply.vary) ctx.vary(reply.vary);
    if (reply.cacheControl) ctx.set('Cache-Control', reply.cacheControl);
    if (reply.redirect) return ctx.redirect(reply.redirect);
    ctx.status = reply.status ?? 200;
    ctx.body = reply.chunks ? Readable.from(slowly(reply.chunks)) : (reply.body ?? 'ok');
  });
  return createServer(app.callback());
};

export const makeFastifyServer: MakeServer = async (sessions: Sessions, routes: Routes) => {
  let server: Server | undefined;
  const app = Fastify({
    serverFactory: (handler) => {
      server = createServer(handler);
      return server;
    },
  });
  await app.register(fastifySessions(sessions));
  app.all('/*', async (request, reply) => {
    const answer = await dispatch(routes, request.session, request.method, request.url);
    for (const cookie of answer.setCookie ?? []) reply.header('set-cookie', cookie);
    if (answer.vary) reply.header('vary', answer.vary);
    if (answer.cacheControl) reply.header('cache-control', answer.cacheControl);
    if (answer.redirect) return reply.redirect(answer.redirect, 302);
    reply.code(answer.status ?? 200).type('text/plain');
    return answer.chunks ? Readable.from(slowly(answer.chunks)) : (answer.body ?? 'ok');
  });
  await app.ready();
  return server as Server;
};

export const makeHonoServer: MakeServer = (sessions: Sessions, routes: Routes) => {
  const app = new Hono();
  // Hono's default handler logs the suite's deliberate throw to stderr; answer the same 500 quietly.
  app.onError((_error, c) => c.text('Internal Server Error', 500));
  app.use(honoSessions(sessions));
  app.all('*', async (c) => {
    const reply = await dispatch(routes, c.get('session'), c.req.method, c.req.url);
    for (const cookie of reply.setCookie ?? []) c.header('set-cookie', cookie, { append: true });
    if (reply.vary) c.header('vary', reply.vary);
    if (reply.cacheControl) c.header('Cache-Control', reply.cacheControl);
    if (reply.redirect) return c.redirect(reply.redirect, 302);
    c.status((reply.status ?? 200) as 200);
    const chunks = reply.chunks;
    if (chunks) {
      return stream(c, async (out) => {
        for await (const chunk of slowly(chunks)) await out.write(chunk);
      });
    }
    return c.text(reply.body ?? 'ok');
  });
  return createServer(getRequestListener(app.fetch));
};

/**
 * The consumer apps of the smoke test, as a user would write them against the installed package.
 * Every app has the same three routes (POST /login?user=…, GET /, POST /logout), attaches the
 * agent to its own server and prints one JSON line with its port and the agent's URLs.
 */

/** Printed by every app once it listens. */
const READY = `console.log(JSON.stringify({ port: server.address().port, inspector: agent.url, ws: agent.wsUrl, token: agent.token, engine: sessions.store.engine }))`;
const READY_TS = READY.replace('server.address().port', '(server.address() as { port: number }).port');

export const EXPRESS_ESM = `import { createServer } from 'node:http';
import express from 'express';
import { attachAgent, createSessions } from 'sessionscope';

const sessions = createSessions({ SECRET_KEY: process.env.SECRET_KEY });
const app = express();
app.use(sessions.middleware());
app.post('/login', async (req, res) => {
  await req.session.cycleKey();
  await req.session.set('user', String(req.query.user ?? 'ada'));
  res.redirect('/');
});
app.get('/', async (req, res) => {
  res.type('text').send(\`user=\${(await req.session.get('user')) ?? ''}\`);
});
app.post('/logout', async (req, res) => {
  await req.session.flush();
  res.redirect('/');
});
const server = createServer(app);
const agent = attachAgent(server, sessions, { announce: false });
server.listen(0, () => ${READY});
`;

export const EXPRESS_CJS = EXPRESS_ESM.replace(
  /^import \{ createServer \} from 'node:http';\nimport express from 'express';\nimport \{ attachAgent, createSessions \} from 'sessionscope';/,
  `'use strict';
const { createServer } = require('node:http');
const express = require('express');
const { attachAgent, createSessions } = require('sessionscope');`,
);

/** Strict TypeScript: req.session is typed by the package's own declarations. */
export const EXPRESS_TS = `import { createServer } from 'node:http';
import express from 'express';
import { attachAgent, createSessions, type Session } from 'sessionscope';

const sessions = createSessions({ SECRET_KEY: process.env.SECRET_KEY });
const app = express();
app.use(sessions.middleware());
app.post('/login', async (req, res) => {
  const session: Session = req.session;
  await session.cycleKey();
  await session.set('user', String(req.query.user ?? 'ada'));
  res.redirect('/');
});
app.get('/', async (req, res) => {
  res.type('text').send(\`user=\${String((await req.session.get('user')) ?? '')}\`);
});
app.post('/logout', async (req, res) => {
  await req.session.flush();
  res.redirect('/');
});
const server = createServer(app);
const agent = attachAgent(server, sessions, { announce: false });
server.listen(0, () => ${READY_TS});
`;

export const FASTIFY_TS = `import Fastify from 'fastify';
import { attachAgent, createSessions } from 'sessionscope';
import { fastifySessions } from 'sessionscope/fastify';

const sessions = createSessions({ SECRET_KEY: process.env.SECRET_KEY });
const app = Fastify();
await app.register(fastifySessions(sessions));
app.post('/login', async (request, reply) => {
  await request.session.cycleKey();
  await request.session.set('user', String((request.query as { user?: string }).user ?? 'ada'));
  return reply.redirect('/');
});
app.get('/', async (request) => \`user=\${String((await request.session.get('user')) ?? '')}\`);
app.post('/logout', async (request, reply) => {
  await request.session.flush();
  return reply.redirect('/');
});
await app.ready();
const server = app.server;
const agent = attachAgent(server, sessions, { announce: false });
await app.listen({ port: 0, host: '127.0.0.1' });
${READY_TS};
`;

export const KOA_TS = `import { createServer } from 'node:http';
import Koa from 'koa';
import { attachAgent, createSessions } from 'sessionscope';
import { koaSessions } from 'sessionscope/koa';

const sessions = createSessions({ SECRET_KEY: process.env.SECRET_KEY });
const app = new Koa();
app.use(koaSessions(sessions));
app.use(async (ctx) => {
  if (ctx.method === 'POST' && ctx.path === '/login') {
    await ctx.session.cycleKey();
    await ctx.session.set('user', String(ctx.query.user ?? 'ada'));
    return ctx.redirect('/');
  }
  if (ctx.method === 'POST' && ctx.path === '/logout') {
    await ctx.session.flush();
    return ctx.redirect('/');
  }
  ctx.body = \`user=\${String((await ctx.session.get('user')) ?? '')}\`;
});
const server = createServer(app.callback());
const agent = attachAgent(server, sessions, { announce: false });
server.listen(0, () => ${READY_TS});
`;

export const HONO_TS = `import { createServer } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { attachAgent, createSessions } from 'sessionscope';
import { honoSessions } from 'sessionscope/hono';

const sessions = createSessions({ SECRET_KEY: process.env.SECRET_KEY });
const app = new Hono();
app.use(honoSessions(sessions));
app.post('/login', async (c) => {
  await c.get('session').cycleKey();
  await c.get('session').set('user', c.req.query('user') ?? 'ada');
  return c.redirect('/');
});
app.get('/', async (c) => c.text(\`user=\${String((await c.get('session').get('user')) ?? '')}\`));
app.post('/logout', async (c) => {
  await c.get('session').flush();
  return c.redirect('/');
});
const server = createServer(getRequestListener(app.fetch));
const agent = attachAgent(server, sessions, { announce: false });
server.listen(0, () => ${READY_TS});
`;

/** The same adapters imported from the package root (framework-free types) must type-check too. */
export const ROOT_ENTRY_TS: Record<'fastify' | 'koa' | 'hono', string> = {
  fastify: `import Fastify from 'fastify';
import { createSessions, fastifySessions } from 'sessionscope';
export const app = Fastify();
await app.register(fastifySessions(createSessions({})));
`,
  koa: `import Koa from 'koa';
import { createSessions, koaSessions } from 'sessionscope';
export const app = new Koa().use(koaSessions(createSessions({})));
`,
  hono: `import { Hono } from 'hono';
import { createSessions, honoSessions } from 'sessionscope';
export const app = new Hono().use(honoSessions(createSessions({})));
`,
};

/** node:http only, default engine: what Node 22/24 run with nothing but the tarball installed. */
export const BARE_NODE = `import { createServer } from 'node:http';
import { createSessions } from 'sessionscope';

const sessions = createSessions({ SECRET_KEY: process.env.SECRET_KEY });
const middleware = sessions.middleware();
const server = createServer((req, res) =>
  middleware(req, res, async () => {
    const url = new URL(req.url, 'http://localhost');
    if (req.method === 'POST' && url.pathname === '/login') {
      await req.session.cycleKey();
      await req.session.set('user', url.searchParams.get('user') ?? 'ada');
      return res.writeHead(302, { location: '/' }).end();
    }
    if (req.method === 'POST' && url.pathname === '/logout') {
      await req.session.flush();
      return res.writeHead(302, { location: '/' }).end();
    }
    res.end(\`user=\${(await req.session.get('user')) ?? ''}\`);
  }),
);
const agent = { url: '', wsUrl: '', token: '' };
server.listen(0, () => ${READY});
`;

/** Bad input at createSessions: each prints { code, message } (or "created" when nothing failed). */
export const BAD_INPUT = `const { createSessions } = require('sessionscope');
const cases = {
  defaultEngine: {},
  postgres: { DATABASE_URL: 'postgres://127.0.0.1:1/none' },
  redis: { SESSION_ENGINE: 'cache', CACHES: { default: { BACKEND: 'django.core.cache.backends.redis.RedisCache', LOCATION: 'redis://127.0.0.1:1' } } },
  unknownEngine: { SESSION_ENGINE: 'mongo' },
};
const out = {};
for (const [name, settings] of Object.entries(cases)) {
  try {
    const sessions = createSessions({ SECRET_KEY: 'k'.repeat(50), ...settings });
    out[name] = 'created';
    sessions.close();
  } catch (error) {
    out[name] = { code: error.code, message: error.message, name: error.constructor.name };
  }
}
console.log(JSON.stringify(out));
`;

export const TSCONFIG = `${JSON.stringify(
  {
    compilerOptions: {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      skipLibCheck: false,
      noUncheckedIndexedAccess: true,
      outDir: 'out',
      types: ['node'],
    },
    include: ['*.ts', 'readme/*.ts'],
  },
  null,
  2,
)}\n`;

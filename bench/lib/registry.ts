/** Every benchmark app by a stable id, so a child process can build the same app (child.ts). */
import { type BenchApp, sessionscopeExpress, sessionscopeFastify, sessionscopeKoa } from './apps.js';
import { redisFloorApp, sqliteFloorApp } from './floors.js';
import { cookieSessionApp, expressSessionApp, fastifySessionApp, koaSessionApp } from './peer-apps.js';

export const APPS: Record<string, () => BenchApp> = {
  ...Object.fromEntries(
    ['memory', 'sqlite', 'redis', 'postgres', 'file', 'signed_cookies', 'redis-scale', 'postgres-scale'].map(
      (engine) => [`sessionscope/Express/${engine}`, () => sessionscopeExpress(engine)],
    ),
  ),
  'sessionscope/Koa/memory': () => sessionscopeKoa('memory'),
  'sessionscope/Koa/signed_cookies': () => sessionscopeKoa('signed_cookies'),
  'sessionscope/Fastify/memory': () => sessionscopeFastify('memory'),
  'express-session/memory': () => expressSessionApp('memory', 'express-session + MemoryStore'),
  'express-session/sqlite': () =>
    expressSessionApp('sqlite', 'express-session + better-sqlite3-session-store'),
  'express-session/connect-sqlite3': () =>
    expressSessionApp('sqlite', 'express-session + connect-sqlite3', 'connect-sqlite3'),
  'express-session/redis': () => expressSessionApp('redis', 'express-session + connect-redis'),
  'express-session/postgres': () => expressSessionApp('postgres', 'express-session + connect-pg-simple'),
  'express-session/file': () => expressSessionApp('file', 'express-session + session-file-store'),
  'cookie-session': () => cookieSessionApp(),
  'koa-session/signed_cookies': () => koaSessionApp('signed_cookies'),
  'koa-session/memory': () => koaSessionApp('memory'),
  '@fastify/session/memory': () => fastifySessionApp(),
  'floor/redis': () => redisFloorApp(),
  'floor/sqlite': () => sqliteFloorApp(),
};

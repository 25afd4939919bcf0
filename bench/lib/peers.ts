/**
 * Peer libraries loaded without their type declarations (they retype req.session / ctx.session
 * globally and would clash with sessionscope's), behind small local interfaces.
 */
import { createRequire } from 'node:module';
import type { RequestHandler } from 'express';

const require = createRequire(import.meta.url);

export type PeerSession = Record<string, unknown> & { n?: number };
export interface PeerStore {
  get(...args: unknown[]): unknown;
  set(...args: unknown[]): unknown;
  destroy(...args: unknown[]): unknown;
  touch?(...args: unknown[]): unknown;
}
type StoreClass = new (options?: Record<string, unknown>) => PeerStore;

interface ExpressSessionModule {
  (options: Record<string, unknown>): RequestHandler;
  Store: StoreClass;
  MemoryStore: StoreClass;
}

export const expressSession = require('express-session') as ExpressSessionModule;
export const RedisStore = (require('connect-redis') as { RedisStore: StoreClass }).RedisStore;
export const PgStore = (require('connect-pg-simple') as (session: ExpressSessionModule) => StoreClass)(
  expressSession,
);
export const SqliteStore = (
  require('better-sqlite3-session-store') as (session: ExpressSessionModule) => StoreClass
)(expressSession);
export const ConnectSqlite3Store = (
  require('connect-sqlite3') as (session: ExpressSessionModule) => StoreClass
)(expressSession);
export const FileStore = (require('session-file-store') as (session: ExpressSessionModule) => StoreClass)(
  expressSession,
);
export const cookieSession = require('cookie-session') as (
  options: Record<string, unknown>,
) => RequestHandler;
export const koaSession = (
  require('koa-session') as { createSession: (options: Record<string, unknown>, app: unknown) => unknown }
).createSession;
export const fastifyCookie = require('@fastify/cookie') as unknown;
export const fastifySession = require('@fastify/session') as unknown & { MemoryStore: StoreClass };

/** Counts calls to a peer store's methods (each one is a store round trip). */
export function countPeerOps(store: PeerStore): { total(): number } {
  let total = 0;
  const target = store as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const name of ['get', 'set', 'destroy', 'touch']) {
    const original = target[name];
    if (typeof original !== 'function') continue;
    target[name] = (...args: unknown[]) => {
      total++;
      return original.apply(store, args);
    };
  }
  return { total: () => total };
}

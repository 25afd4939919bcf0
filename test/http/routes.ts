/**
 * Framework-neutral routes for the shared adapter suite. Each adapter's app (apps.ts) turns a
 * RouteReply into its own response idiom, so one suite exercises every adapter the same way.
 */
import type { Server } from 'node:http';
import type { Sessions } from '../../server-agent/create.js';
import type { Session } from '../../server-agent/sessions/session.js';

export interface RouteReply {
  status?: number;
  body?: string;
  /** The app's own Set-Cookie headers, set the framework's usual way. */
  setCookie?: string[];
  /** The app's own Vary header. */
  vary?: string;
  /** The app's own Cache-Control header, set the framework's usual way. */
  cacheControl?: string;
  /** 302 to this location. */
  redirect?: string;
  /** Streamed body: each chunk written separately, with a turn of the event loop in between. */
  chunks?: string[];
}

export interface RouteRequest {
  method: string;
  url: URL;
}

export type Route = (session: Session, request: RouteRequest) => Promise<RouteReply> | RouteReply;
export type Routes = Record<string, Route>;
export type MakeServer = (sessions: Sessions, routes: Routes) => Server | Promise<Server>;

/** Looks the path up; unknown paths answer 404 without touching the session. */
export async function dispatch(
  routes: Routes,
  session: Session,
  method: string,
  rawUrl: string,
): Promise<RouteReply> {
  const url = new URL(rawUrl, 'http://localhost');
  const route = routes[url.pathname];
  if (!route) return { status: 404, body: 'not found' };
  return route(session, { method, url });
}

export const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** What the middleware core (middleware.ts) takes from an adapter and gives back to it. */
import type { Session } from '../sessions/session.js';

export interface RequestInfo {
  method: string;
  url: string;
  cookieHeader: string | undefined;
  /** The request came over https (http/secure.ts); decides Secure under SESSION_COOKIE_SECURE: 'auto'. */
  secure?: boolean;
}

export interface RequestState {
  session: Session;
  cookiePresent: boolean;
  /** The cookie's key was cycled out of band: this response must carry the new key's cookie. */
  forwarded: boolean;
  /** The cookie's key was forwarded already: no session, but do not delete the (new) cookie. */
  retired: boolean;
  /** Handle of the key the cookie carried (only while a client listens): a deletion names its session. */
  cookieHandle: string | undefined;
  requestId: string | undefined;
  method: string;
  path: string;
  secure: boolean;
  started: number;
  finished: boolean;
}

export interface ResponseInfo {
  status: number;
  vary: string | number | readonly string[] | undefined;
  /** The app's Cache-Control, for the development warning about `public` responses with a cookie. */
  cacheControl?: string | number | readonly string[] | undefined;
}

export interface FinishResult {
  /** Set-Cookie headers to append (never replacing the app's own). */
  setCookie: string[];
  /** The new Vary value, when it changed. */
  vary?: string;
  /** Replace the app's response: 400 for SessionInterrupted, 503 for an unavailable store, 500 otherwise. */
  replaceWith?: { status: number; body: string };
  requestIdHeader?: string;
}

/** Messages between extension pages and the background cookie relay (Firefox gives DevTools pages no `cookies`). */
import type { BrowserCookie, CookieLookup } from './types.js';

export interface ReadCookieRequest {
  type: 'sessionscope:readCookie';
  url: string;
  name: string;
}

export interface CookieChangedNotice {
  type: 'sessionscope:cookieChanged';
  name: string;
  domain: string;
  removed: boolean;
}

/** Name of the long-lived port a panel opens to receive cookie change notices. */
export const COOKIE_PORT = 'sessionscope:cookies';

export type ReadCookieResponse = CookieLookup;

export function isReadCookieRequest(message: unknown): message is ReadCookieRequest {
  const m = message as Partial<ReadCookieRequest> | null;
  return m?.type === 'sessionscope:readCookie' && typeof m.url === 'string' && typeof m.name === 'string';
}

export function isCookieChangedNotice(message: unknown): message is CookieChangedNotice {
  return (message as Partial<CookieChangedNotice> | null)?.type === 'sessionscope:cookieChanged';
}

/** The https twin of an origin's host pattern: Secure cookies hide without it (devtools.md §3.3). */
export function hostPatterns(url: string): string[] {
  const { hostname } = new URL(url);
  return [`http://${hostname}/*`, `https://${hostname}/*`];
}

export type { BrowserCookie };

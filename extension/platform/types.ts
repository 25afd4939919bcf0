/**
 * Everything the UI needs from the browser, behind one interface. The DevTools panel gets the
 * extension implementation (cookie jar through the background relay, the inspected tab, network
 * events); the companion inspector gets the null one, so neither webextension-polyfill nor
 * `chrome.*` is ever touched outside an extension.
 */

/** A cookie as the browser's cookies API reports it (Chrome and Firefox agree on these fields). */
export interface BrowserCookie {
  name: string;
  value: string;
  domain: string;
  hostOnly: boolean;
  path: string;
  secure: boolean;
  httpOnly: boolean;
  sameSite: 'no_restriction' | 'lax' | 'strict' | 'unspecified';
  session: boolean;
  /** Seconds since the epoch; absent for session cookies. */
  expirationDate?: number;
  storeId: string;
  partitionKey?: { topLevelSite?: string; hasCrossSiteAncestor?: boolean };
}

/** A cookie to write into the jar (the cookies API's set details, minus `url`). */
export interface CookieWrite {
  name: string;
  /** null removes the cookie. */
  value: string | null;
  path?: string;
  /** Leave out for a host-only cookie. */
  domain?: string;
  secure?: boolean;
  httpOnly?: boolean;
  sameSite?: BrowserCookie['sameSite'];
  /** Seconds since the epoch; leave out for a browser-session cookie. */
  expirationDate?: number;
  partitionKey?: { topLevelSite?: string; hasCrossSiteAncestor?: boolean };
}

/** What the panel could learn about the session cookie in the inspected tab. */
export type CookieLookup =
  | { status: 'found'; cookie: BrowserCookie }
  | { status: 'absent' }
  /** Not visible to the extension: e.g. a Secure cookie without the https host permission. */
  | { status: 'no-permission'; origin: string }
  /** No cookie jar at all (companion inspector). */
  | { status: 'unavailable' };

export interface FinishedRequest {
  url: string;
  method: string;
  status: number;
  /** Lower-cased response header names. */
  responseHeaders: Record<string, string>;
}

export interface KeyValueStorage {
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<void>;
  remove(key: string): Promise<void>;
}

export interface Platform {
  readonly kind: 'extension' | 'standalone';
  /** Origin of the page being debugged: the inspected tab, or the inspector's own origin. */
  inspectedOrigin(): Promise<string | null>;
  /** Reads one cookie from the browser's jar for `url`, partitioned cookies included. */
  readCookie(url: string, name: string): Promise<CookieLookup>;
  /**
   * Writes or removes a cookie in the browser's jar for `url` (extension only; the inspector answers
   * with the reason it cannot).
   */
  writeCookie(url: string, cookie: CookieWrite): Promise<{ ok: true } | { ok: false; error: string }>;
  /** Calls back whenever a cookie with that name changes for the inspected site. */
  onCookieChanged(name: string, listener: () => void): () => void;
  /** Asks the user for host access to a custom development origin (extension only). */
  requestHostAccess(origin: string): Promise<boolean>;
  /** Whether the extension may send requests to `origin` (the inspector: always, it is same-origin). */
  hasHostAccess(origin: string): Promise<boolean>;
  /** Network requests finished in the inspected tab (DevTools only). */
  onRequestFinished(listener: (request: FinishedRequest) => void): () => void;
  /** The inspected tab navigated (used by "preserve log"). */
  onNavigated(listener: (url: string) => void): () => void;
  /** Persistent settings: pairing tokens per origin, filter, preserve flag. */
  readonly storage: KeyValueStorage;
  /** DevTools theme when known, else the OS preference. */
  theme(): 'light' | 'dark';
  /** Calls back when that theme changes (DevTools' theme setting, or the OS preference). */
  onThemeChanged(listener: (theme: 'light' | 'dark') => void): () => void;
}

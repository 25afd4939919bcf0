/**
 * Background service worker: relays cookie reads and change notices to DevTools pages. Chrome lets
 * extension pages call `cookies` themselves, Firefox does not, so one relay serves both. No state is
 * kept here: an MV3 worker may be stopped whenever it is idle.
 */
import browser, { type Cookies, type Runtime } from 'webextension-polyfill';
import {
  COOKIE_PORT,
  type CookieChangedNotice,
  hostPatterns,
  isReadCookieRequest,
  isWriteCookieRequest,
  type ReadCookieResponse,
  type WriteCookieRequest,
  type WriteCookieResponse,
} from './platform/relay.js';
import type { BrowserCookie } from './platform/types.js';

function toBrowserCookie(cookie: Cookies.Cookie): BrowserCookie {
  return {
    name: cookie.name,
    value: cookie.value,
    domain: cookie.domain,
    hostOnly: cookie.hostOnly,
    path: cookie.path,
    secure: cookie.secure,
    httpOnly: cookie.httpOnly,
    sameSite: cookie.sameSite,
    session: cookie.session,
    ...(cookie.expirationDate === undefined ? {} : { expirationDate: cookie.expirationDate }),
    storeId: cookie.storeId,
    ...(cookie.partitionKey ? { partitionKey: { ...cookie.partitionKey } } : {}),
  };
}

async function readCookie(url: string, name: string): Promise<ReadCookieResponse> {
  const origins = hostPatterns(url);
  const granted = await browser.permissions.contains({ origins });
  // `partitionKey: {}` returns partitioned and unpartitioned cookies alike (devtools.md §3.3).
  const cookies = await browser.cookies.getAll({ url, name, partitionKey: {} });
  const found = cookies[0];
  if (found) return { status: 'found', cookie: toBrowserCookie(found) };
  // Without both host permissions a Secure cookie is silently left out: say so instead of "no session".
  return granted ? { status: 'absent' } : { status: 'no-permission', origin: new URL(url).origin };
}

async function writeCookie({ url, cookie }: WriteCookieRequest): Promise<WriteCookieResponse> {
  try {
    const partition = cookie.partitionKey ? { partitionKey: cookie.partitionKey } : {};
    if (cookie.value === null) {
      await browser.cookies.remove({ url, name: cookie.name, ...partition });
      return { ok: true };
    }
    const written = await browser.cookies.set({
      url,
      name: cookie.name,
      value: cookie.value,
      ...(cookie.path === undefined ? {} : { path: cookie.path }),
      ...(cookie.domain === undefined ? {} : { domain: cookie.domain }),
      ...(cookie.secure === undefined ? {} : { secure: cookie.secure }),
      ...(cookie.httpOnly === undefined ? {} : { httpOnly: cookie.httpOnly }),
      ...(cookie.sameSite === undefined ? {} : { sameSite: cookie.sameSite }),
      ...(cookie.expirationDate === undefined ? {} : { expirationDate: cookie.expirationDate }),
      ...partition,
    });
    // cookies.set resolves with null when the browser refused the cookie (e.g. Secure on http).
    return written
      ? { ok: true }
      : { ok: false, error: 'The browser refused the cookie (check Secure and Domain).' };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

browser.runtime.onMessage.addListener((message: unknown) => {
  if (isReadCookieRequest(message)) return readCookie(message.url, message.name);
  if (isWriteCookieRequest(message)) return writeCookie(message);
  return undefined;
});

const ports = new Set<Runtime.Port>();
browser.runtime.onConnect.addListener((port) => {
  if (port.name !== COOKIE_PORT) return;
  ports.add(port);
  port.onDisconnect.addListener(() => ports.delete(port));
});

browser.cookies.onChanged.addListener(({ cookie, removed }) => {
  const notice: CookieChangedNotice = {
    type: 'sessionscope:cookieChanged',
    name: cookie.name,
    domain: cookie.domain,
    removed,
  };
  for (const port of ports) port.postMessage(notice);
});

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
  type ReadCookieResponse,
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

browser.runtime.onMessage.addListener((message: unknown) => {
  if (!isReadCookieRequest(message)) return undefined;
  return readCookie(message.url, message.name);
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

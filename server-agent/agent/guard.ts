/**
 * Handshake checks as pure functions: peer address, Host (anti DNS rebinding), Origin (anti
 * cross-site WebSocket hijacking) and the token. Every check returns a verdict, never throws, on
 * any header a client can send (Node's inspector needed four CVEs to get this right).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import { TOKEN_PROTOCOL_PREFIX } from './protocol.js';

export type RefusalCode = 'peer' | 'host' | 'origin' | 'token';
export type Verdict = { ok: true } | { ok: false; code: RefusalCode; message: string };

const OK: Verdict = { ok: true };
const refuse = (code: RefusalCode, message: string): Verdict => ({ ok: false, code, message });

/** 127.0.0.0/8, ::1 and IPv4-mapped loopback: the only peers the agent talks to. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (isCanonicalIPv4(v4)) return v4.startsWith('127.');
  return address === '::1' || address === '0:0:0:0:0:0:0:1';
}

export function checkPeer(remoteAddress: string | undefined): Verdict {
  return isLoopbackAddress(remoteAddress)
    ? OK
    : refuse(
        'peer',
        `Connections are accepted from this machine only (loopback); ${String(remoteAddress)} is not loopback.`,
      );
}

/** Four decimal octets 0-255 without leading zeros: refuses 127.1, 0177.0.0.1, 2130706433, 10.0.2.555. */
export function isCanonicalIPv4(text: string): boolean {
  return (
    /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/.test(text) && isIPv4(text)
  );
}

const HOST_CHARS = /^[A-Za-z0-9.\-[\]:]+$/;
const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** The host part of a Host header, lower-cased, or null when the header is malformed. */
export function parseHostHeader(header: string | undefined): string | null {
  if (!header || header.length > 300 || !HOST_CHARS.test(header)) return null;
  let host: string;
  let port: string | undefined;
  if (header.startsWith('[')) {
    const end = header.indexOf(']');
    if (end < 0) return null;
    host = header.slice(0, end + 1);
    const rest = header.slice(end + 1);
    if (rest !== '' && !rest.startsWith(':')) return null;
    port = rest ? rest.slice(1) : undefined;
  } else {
    const parts = header.split(':');
    if (parts.length > 2) return null;
    host = parts[0] ?? '';
    port = parts[1];
  }
  if (port !== undefined && !(/^\d{1,5}$/.test(port) && Number(port) <= 65535)) return null;
  return host.toLowerCase();
}

/** localhost, *.localhost (RFC 6761: always loopback) and canonical IP literals; no other names. */
export function checkHost(header: string | undefined, extraHosts: readonly string[] = []): Verdict {
  const host = parseHostHeader(header);
  const show = JSON.stringify(String(header).slice(0, 80));
  if (host === null) return refuse('host', `Malformed Host header ${show}.`);
  if (host.startsWith('[')) {
    return isIPv6(host.slice(1, -1)) ? OK : refuse('host', `Host ${show} is not a valid IPv6 literal.`);
  }
  if (isCanonicalIPv4(host)) return OK;
  if (/^[\d.]+$/.test(host))
    return refuse('host', `Host ${show} is not a canonical IPv4 address (write it as four decimal octets).`);
  const labels = host.split('.');
  if (!labels.every((label) => LABEL.test(label)))
    return refuse('host', `Host ${show} is not a valid host name.`);
  if (host === 'localhost' || host.endsWith('.localhost')) return OK;
  if (extraHosts.some((allowed) => allowed.toLowerCase() === host)) return OK;
  return refuse(
    'host',
    `Host ${show} is not allowed (DNS rebinding guard). Open the inspector through localhost or 127.0.0.1, or add the name to allowedHosts.`,
  );
}

export interface OriginPolicy {
  /** Exact `chrome-extension://<id>` origins (pinned ids). */
  extensionOrigins: readonly string[];
  /** Firefox gives each install a random UUID origin, so these are trusted on the token alone. */
  allowMozExtension: boolean;
}

/**
 * Missing Origin: a non-browser client (CLI, tests), which still needs the token. The agent's own
 * origin is `http(s)://<the Host the browser used>`; anything else must match exactly.
 */
export function checkOrigin(
  origin: string | undefined,
  hostHeader: string | undefined,
  policy: OriginPolicy,
): Verdict {
  if (origin === undefined) return OK;
  const show = JSON.stringify(origin.slice(0, 120));
  if (hostHeader && (origin === `http://${hostHeader}` || origin === `https://${hostHeader}`)) return OK;
  if (policy.extensionOrigins.includes(origin)) return OK;
  if (policy.allowMozExtension && /^moz-extension:\/\/[0-9a-f-]{36}$/.test(origin)) return OK;
  return refuse(
    'origin',
    `Origin ${show} is not allowed. Only the inspector page served by this agent and the pinned sessionscope extension may connect.`,
  );
}

/** The token from `?token=` or a `sessionscope.token.<token>` Sec-WebSocket-Protocol entry. */
export function presentedToken(url: string | undefined, protocolHeader: string | undefined): string | null {
  if (protocolHeader) {
    for (const entry of protocolHeader.split(',')) {
      const trimmed = entry.trim();
      if (trimmed.startsWith(TOKEN_PROTOCOL_PREFIX)) return trimmed.slice(TOKEN_PROTOCOL_PREFIX.length);
    }
  }
  const query = url?.indexOf('?') ?? -1;
  if (url && query >= 0) {
    try {
      return new URLSearchParams(url.slice(query + 1)).get('token');
    } catch {
      return null;
    }
  }
  return null;
}

/** Constant time once lengths match; the length itself is not secret (it is fixed per process). */
export function checkToken(presented: string | null, expected: string): Verdict {
  if (presented === null)
    return refuse(
      'token',
      'No token: pass the token from the agent’s startup line (?token= or the sessionscope.token.<token> subprotocol).',
    );
  const a = Buffer.from(presented, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    return refuse(
      'token',
      'Wrong token: copy it again from the agent’s startup line (it changed: a restart outside development, or `sessionscope token rotate`).',
    );
  }
  return OK;
}

/** Chrome's extension id for a manifest `key`: sha256 of the DER public key, first 32 hex digits mapped 0-f → a-p. */
export function chromeExtensionId(manifestKeyBase64: string): string {
  const digest = createHash('sha256')
    .update(Buffer.from(manifestKeyBase64, 'base64'))
    .digest('hex')
    .slice(0, 32);
  return [...digest].map((digit) => String.fromCharCode(97 + Number.parseInt(digit, 16))).join('');
}

/** At least 128 bits of base64url: what the Sec-WebSocket-Protocol token syntax allows, too. */
export function isStrongToken(token: string): boolean {
  return /^[A-Za-z0-9_-]{22,256}$/.test(token);
}

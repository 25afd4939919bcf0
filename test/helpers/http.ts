/**
 * Shared HTTP helpers: listen on port 0, send requests (fetch, or a raw socket for bytes fetch
 * refuses to send), read Set-Cookie headers back as name/value/attributes, count store calls.
 */
import type { Server } from 'node:http';
import { connect } from 'node:net';
import type { SessionStore } from '../../server-agent/sessions/store.js';

export interface Listening {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function listen(server: Server): Promise<Listening> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('server did not bind a TCP port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

export interface ParsedCookie {
  name: string;
  value: string;
  /** Attribute names lower-cased; flags map to true. */
  attributes: Record<string, string | true>;
  raw: string;
}

export function parseSetCookie(header: string): ParsedCookie {
  const [pair = '', ...rest] = header.split(/;\s*/);
  const eq = pair.indexOf('=');
  const attributes: Record<string, string | true> = {};
  for (const part of rest) {
    const at = part.indexOf('=');
    if (at === -1) attributes[part.toLowerCase()] = true;
    else attributes[part.slice(0, at).toLowerCase()] = part.slice(at + 1);
  }
  return { name: pair.slice(0, eq), value: pair.slice(eq + 1), attributes, raw: header };
}

export interface Reply {
  status: number;
  headers: Headers;
  body: string;
  cookies: ParsedCookie[];
  /** The Set-Cookie for this name, or undefined. */
  cookie(name?: string): ParsedCookie | undefined;
}

export interface SendOptions {
  method?: string;
  cookie?: string;
  headers?: Record<string, string>;
  body?: string;
}

export async function send(url: string, options: SendOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.cookie !== undefined) headers.cookie = options.cookie;
  if (options.body !== undefined) headers['content-type'] ??= 'application/x-www-form-urlencoded';
  const response = await fetch(url, {
    method: options.method ?? 'GET',
    headers,
    body: options.body,
    redirect: 'manual',
  });
  const body = await response.text();
  const cookies = response.headers.getSetCookie().map(parseSetCookie);
  return {
    status: response.status,
    headers: response.headers,
    body,
    cookies,
    cookie: (name = 'sessionid') => cookies.find((c) => c.name === name),
  };
}

export interface RawReply {
  status: number;
  head: string;
  setCookies: ParsedCookie[];
}

/** Sends bytes as they are (control characters, duplicate headers) over a plain socket. */
export function sendRaw(url: string, requestHead: string): Promise<RawReply> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const head = text.split('\r\n\r\n', 1)[0] ?? '';
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
      const setCookies = head
        .split('\r\n')
        .filter((line) => /^set-cookie:/i.test(line))
        .map((line) => parseSetCookie(line.replace(/^set-cookie:\s*/i, '')));
      resolve({ status, head, setCookies });
    });
    socket.write(`${requestHead.replace(/\r?\n/g, '\r\n').trimEnd()}\r\nConnection: close\r\n\r\n`, 'latin1');
  });
}

export type StoreOp = 'load' | 'exists' | 'save' | 'delete';

/** Wraps a store's methods in place and counts calls; returns the live counters. */
export function countStoreOps(store: SessionStore): Record<StoreOp, number> & { reset(): void } {
  const counts = { load: 0, exists: 0, save: 0, delete: 0 };
  const target = store as unknown as Record<StoreOp, (...args: unknown[]) => Promise<unknown>>;
  for (const op of Object.keys(counts) as StoreOp[]) {
    const original = target[op].bind(store);
    target[op] = (...args: unknown[]) => {
      counts[op]++;
      return original(...args);
    };
  }
  return Object.assign(counts, {
    reset() {
      counts.load = counts.exists = counts.save = counts.delete = 0;
    },
  });
}

/** Tue, 14 Nov 2023 22:13:20 GMT: the moment Django's scenario table was observed at. */
export const FROZEN_MS = 1_700_000_000_000;

/**
 * The companion inspector's files under /__sessionscope/: the Vite build in
 * `<package root>/dist/inspector/`, or a short page saying how to build it. No CORS headers, no
 * JSON endpoints, no state-changing requests: everything else goes over the authenticated socket.
 */
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { INSPECTOR_PATH } from './protocol.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  'cross-origin-resource-policy': 'same-origin',
  'content-security-policy':
    "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
};

const MISSING_BUILD = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>sessionscope inspector</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto">
<h1>sessionscope inspector</h1>
<p>The agent is running, but the inspector page has not been built.</p>
<p>Run <code>npm run build:ui</code> in the sessionscope package, then reload this page
(keep the <code>#token=…</code> part of the address).</p>
</body></html>
`;

export async function serveInspector(
  req: IncomingMessage,
  res: ServerResponse,
  inspectorDir: string,
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', ...SECURITY_HEADERS }).end();
    return;
  }
  const pathname = (req.url ?? '/').split('?', 1)[0] ?? '/';
  let relative: string;
  try {
    relative = decodeURIComponent(pathname.slice(INSPECTOR_PATH.length)) || 'index.html';
  } catch {
    res.writeHead(400, SECURITY_HEADERS).end();
    return;
  }
  const file = normalize(join(inspectorDir, relative));
  if (!file.startsWith(inspectorDir + sep) || relative.includes('\0')) {
    res.writeHead(404, SECURITY_HEADERS).end();
    return;
  }
  try {
    const body = await readFile(file);
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': body.length,
      ...SECURITY_HEADERS,
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  } catch {
    if (relative === 'index.html') {
      res.writeHead(200, { 'content-type': TYPES['.html'], ...SECURITY_HEADERS });
      res.end(MISSING_BUILD);
      return;
    }
    res.writeHead(404, SECURITY_HEADERS).end();
  }
}

/** How the agent shares the app's server with the app's own upgrade listeners (S1). */
import { type IncomingMessage, type Server, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WS_PATH } from './protocol.js';

/**
 * S1: the agent's upgrade path is the agent's alone, and every other upgrade is left as it was.
 * - `/__sessionscope/ws` is routed before any listener runs (server.emit is wrapped), so an app's
 *   own `ws` server ({ server }, with or without a path) never answers it with a 400 or steals it.
 * - Another path goes to the app's own upgrade listeners (ws, Vite HMR, socket.io) when it has any.
 * - With none, Node would have served it as a plain request, because a server without upgrade
 *   listeners does not treat upgrades specially; the agent's listener made Node hand the socket
 *   over instead, and nobody answered it (held forever). So it is served to the app's request
 *   listeners on that socket, and the connection closes after the answer.
 */
export function routeUpgrades(
  server: Server,
  onAgentUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void,
): { restore(): void } {
  let active = true;
  const originalEmit = server.emit;
  const routedEmit = function (this: Server, event: string | symbol, ...args: unknown[]): boolean {
    if (active && event === 'upgrade') {
      const [req, socket, head] = args as [IncomingMessage, Duplex, Buffer];
      if ((req.url ?? '').split('?', 1)[0] === WS_PATH) {
        onAgentUpgrade(req, socket, head);
        return true;
      }
    }
    return originalEmit.apply(this, [event, ...args] as Parameters<Server['emit']>);
  } as Server['emit'];
  server.emit = routedEmit;
  // Node emits 'upgrade' only while someone listens: this listener keeps the agent's path
  // reachable, and answers other paths itself only when it is the only one.
  const fallback = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (active && server.listenerCount('upgrade') === 1) serveAsRequest(server, req, socket, head);
  };
  server.on('upgrade', fallback);
  return {
    restore() {
      active = false;
      server.off('upgrade', fallback);
      // Someone may have wrapped emit after us; then ours stays in their chain, inert.
      if (server.emit === routedEmit) server.emit = originalEmit;
    },
  };
}

/** What Node does with an upgrade when nobody listens for upgrades: a plain request, then close. */
function serveAsRequest(server: Server, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  if (!(socket instanceof Socket) || socket.destroyed) {
    socket.destroy();
    return;
  }
  if (head.length) socket.unshift(head);
  const res = new ServerResponse(req);
  // The socket left Node's HTTP parser with the upgrade, so it cannot serve a next request.
  res.shouldKeepAlive = false;
  res.assignSocket(socket);
  socket.on('error', () => socket.destroy());
  res.once('finish', () => {
    res.detachSocket(socket);
    socket.destroySoon();
    process.nextTick(() => res.emit('close'));
  });
  socket.once('close', () => {
    if (!res.writableFinished) res.emit('close');
  });
  server.emit('request', req, res);
}

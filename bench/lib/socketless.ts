/**
 * One HTTP request without a socket: an IncomingMessage/ServerResponse pair over a stream that
 * drops what it is given, handed to a request listener. The request-path benches use it to measure
 * what a library adds per request without the network or a load generator in the way.
 */
import { IncomingMessage, type RequestListener, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';

class Sink extends Duplex {
  override _read() {}
  override _write(_chunk: unknown, _encoding: unknown, done: () => void) {
    done();
  }
  override _writev(_chunks: unknown, done: () => void) {
    done();
  }
}

/** One GET; resolves with the cookies the response set, as a Cookie header. */
export function socketlessRequest(handler: RequestListener, path: string, cookie?: string): Promise<string> {
  const socket = new Sink() as unknown as Socket;
  const req = new IncomingMessage(socket);
  req.method = 'GET';
  req.url = path;
  req.headers = cookie ? { host: 'x', cookie } : { host: 'x' };
  req.push(null);
  const res = new ServerResponse(req);
  res.assignSocket(socket);
  return new Promise((resolve) => {
    res.on('finish', () => {
      const header = res.getHeader('set-cookie');
      const list = header === undefined ? [] : Array.isArray(header) ? header : [String(header)];
      resolve(list.map((line) => line.split(';')[0]).join('; '));
    });
    handler(req, res);
  });
}

/** Sends a hand-written WebSocket upgrade over TCP, so tests control every header byte. */
import { connect } from 'node:net';

export interface RawUpgrade {
  host?: string;
  origin?: string;
  /** Raw value of Sec-WebSocket-Protocol. */
  protocol?: string;
  path?: string;
  address?: string;
}

/** The response's status code, or 0 when the server closed without an HTTP answer. */
export function rawUpgrade(port: number, request: RawUpgrade): Promise<{ status: number; head: string }> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: request.address ?? '127.0.0.1' });
    let received = '';
    const finish = () => {
      socket.destroy();
      const match = /^HTTP\/1\.1 (\d{3})/.exec(received);
      resolve({ status: match ? Number(match[1]) : 0, head: received.split('\r\n\r\n', 1)[0] ?? '' });
    };
    socket.setTimeout(3000, finish);
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      if (received.includes('\r\n\r\n')) finish();
    });
    socket.on('end', finish);
    socket.on('error', finish);
    socket.on('connect', () => {
      const lines = [
        `GET ${request.path ?? '/__sessionscope/ws'} HTTP/1.1`,
        ...(request.host === undefined ? [] : [`Host: ${request.host}`]),
        'Upgrade: websocket',
        'Connection: Upgrade',
        'Sec-WebSocket-Version: 13',
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
        ...(request.origin === undefined ? [] : [`Origin: ${request.origin}`]),
        ...(request.protocol === undefined ? [] : [`Sec-WebSocket-Protocol: ${request.protocol}`]),
      ];
      socket.write(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
    });
  });
}

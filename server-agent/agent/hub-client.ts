/** One connected client as the hub tracks it, and the frames sent to it outside the event stream. */
import type { WebSocket } from 'ws';
import {
  type AgentMessage,
  type ConnectionErrorCode,
  MIN_PROTOCOL_VERSION,
  PROTOCOL_VERSION,
} from './protocol.js';

export interface Client {
  id: string;
  ws: WebSocket;
  greeted: boolean;
  subscribed: boolean;
  delivered: number;
  overflowSince: number | null;
  windowStart: number;
  windowCount: number;
  helloTimer: NodeJS.Timeout | undefined;
  /** Receives every event whole (the default until the client sends `watch`). */
  watchAll: boolean;
  /** Sessions it receives whole; requests on other sessions arrive as summaries. */
  watching: Set<string>;
  /** The protocol version both ends speak (the highest the client said it speaks, up to ours). */
  protocol: number;
}

let clientCounter = 0;

export function newClient(ws: WebSocket): Client {
  return {
    id: `c${(++clientCounter).toString(36)}`,
    ws,
    greeted: false,
    subscribed: false,
    delivered: 0,
    overflowSince: null,
    windowStart: Date.now(),
    windowCount: 0,
    helloTimer: undefined,
    watchAll: true,
    watching: new Set(),
    protocol: MIN_PROTOCOL_VERSION,
  };
}

export function send(client: Client, message: AgentMessage): void {
  if (client.ws.readyState === client.ws.OPEN) client.ws.send(JSON.stringify(message));
}

/** Tells the client why (with the fix when there is one), then closes. */
export function refuse(
  client: Client,
  code: ConnectionErrorCode,
  closeCode: number,
  message: string,
  fix?: string,
): void {
  send(client, {
    v: 1,
    type: 'error',
    code,
    message,
    ...(fix ? { fix } : {}),
    ...(code === 'version' ? { agentProtocol: { min: MIN_PROTOCOL_VERSION, max: PROTOCOL_VERSION } } : {}),
  });
  client.ws.close(closeCode, message.slice(0, 120));
}

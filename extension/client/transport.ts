/**
 * The wire between the client store and an agent. The store only sees `Transport`; the browser
 * shells use WebSocketTransport, tests use an in-memory pair (React DevTools' "wall").
 */
import {
  type AgentMessage,
  type ClientMessage,
  SUBPROTOCOL,
  TOKEN_PROTOCOL_PREFIX,
  WS_PATH,
} from '../../server-agent/agent/protocol.js';

export interface TransportHandlers {
  open(): void;
  message(message: AgentMessage): void;
  /** `opened` says whether the socket ever opened: false means the upgrade itself failed. */
  close(info: { code: number; reason: string; opened: boolean }): void;
}

export interface Transport {
  connect(handlers: TransportHandlers): Connection;
}

export interface Connection {
  send(message: ClientMessage): void;
  close(): void;
}

/** Where an agent lives and how to authenticate to it. */
export interface AgentTarget {
  /** http(s) origin of the app (or of a standalone agent). */
  origin: string;
  token: string;
}

export function wsUrl(origin: string): string {
  const url = new URL(WS_PATH, origin);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.href;
}

export class WebSocketTransport implements Transport {
  constructor(private readonly target: AgentTarget) {}

  connect(handlers: TransportHandlers): Connection {
    // The token rides as a subprotocol entry so it never lands in an access log's query string.
    const socket = new WebSocket(wsUrl(this.target.origin), [
      SUBPROTOCOL,
      TOKEN_PROTOCOL_PREFIX + this.target.token,
    ]);
    let opened = false;
    socket.onopen = () => {
      opened = true;
      handlers.open();
    };
    socket.onmessage = (event) => {
      if (typeof event.data !== 'string') return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(event.data);
      } catch {
        return; // The agent only sends JSON; a broken frame is dropped, the seq check catches loss.
      }
      if (parsed && typeof parsed === 'object' && 'type' in parsed) handlers.message(parsed as AgentMessage);
    };
    socket.onclose = (event) => handlers.close({ code: event.code, reason: event.reason, opened });
    return {
      send: (message) => {
        if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
      },
      close: () => socket.close(1000),
    };
  }
}

/** A pair of in-process ends, for tests: the agent side pushes AgentMessages, records ClientMessages. */
export class MemoryTransport implements Transport {
  readonly sent: ClientMessage[] = [];
  private handlers: TransportHandlers | null = null;
  connects = 0;
  /** When set, the next connect fails as an unreachable agent would. */
  refuseNext = false;
  onSend: ((message: ClientMessage) => void) | null = null;

  connect(handlers: TransportHandlers): Connection {
    this.connects++;
    if (this.refuseNext) {
      this.refuseNext = false;
      queueMicrotask(() => handlers.close({ code: 1006, reason: '', opened: false }));
      return { send: () => {}, close: () => {} };
    }
    this.handlers = handlers;
    queueMicrotask(() => handlers.open());
    return {
      send: (message) => {
        this.sent.push(message);
        this.onSend?.(message);
      },
      close: () => {
        this.handlers = null;
      },
    };
  }

  push(message: AgentMessage): void {
    this.handlers?.message(message);
  }

  drop(code = 1006): void {
    const handlers = this.handlers;
    this.handlers = null;
    handlers?.close({ code, reason: '', opened: true });
  }
}

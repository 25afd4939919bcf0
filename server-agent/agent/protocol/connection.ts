/** Connection-level frames (error, goodbye, the doctor report) and the unions of every frame. */
import type { AckMessage, CommandMessage, NackMessage } from './commands.js';
import type { HelloMessage, WelcomeMessage } from './handshake.js';
import type {
  EventsMessage,
  ResyncMessage,
  SnapshotMessage,
  SubscribeMessage,
  UnsubscribeMessage,
  WatchMessage,
} from './stream.js';

/** Codes for the connection doctor. 'unreachable' is the client's own verdict (no answer at all). */
export type ConnectionErrorCode =
  | 'unreachable'
  | 'token'
  | 'origin'
  | 'host'
  | 'peer'
  | 'version'
  | 'production'
  | 'too_many_clients'
  | 'bad_frame'
  | 'rate_limited'
  | 'slow_consumer'
  | 'handshake_timeout';

export interface ErrorMessage {
  v: 1;
  type: 'error';
  code: ConnectionErrorCode;
  message: string;
  /** What the user should do. */
  fix?: string;
  /** For 'version'. */
  agentProtocol?: { min: number; max: number };
}

export interface GoodbyeMessage {
  v: 1;
  type: 'goodbye';
  reason: 'shutdown' | 'restart';
}

/** Body of a plain GET on WS_PATH with the same credentials: which handshake check would fail. */
export interface DoctorReport {
  ok: boolean;
  code?: Exclude<ConnectionErrorCode, 'unreachable'>;
  message: string;
  protocol: { min: number; max: number };
}

export type ClientMessage =
  | HelloMessage
  | SubscribeMessage
  | UnsubscribeMessage
  | WatchMessage
  | CommandMessage;
export type AgentMessage =
  | WelcomeMessage
  | SnapshotMessage
  | EventsMessage
  | ResyncMessage
  | AckMessage
  | NackMessage
  | ErrorMessage
  | GoodbyeMessage;

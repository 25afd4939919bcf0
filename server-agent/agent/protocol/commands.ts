/** The closed set of commands, their results, and ack / nack. */
import type { ClockState, ExpiryPolicy, Handle, JsonValue, ValuePath, ValuePreview } from './values.js';

/** number: idle seconds (0 = browser close, negative = expired); string: absolute ISO 8601 date; { seconds }: duration from now; null: global policy. */
export type ExpiryInput = number | string | { seconds: number } | null;

export type SearchField = 'handle' | 'key' | 'value' | 'any';

export interface CommandBodies {
  listSessions: {
    cursor?: string | null;
    limit?: number;
    query?: string;
    field?: SearchField;
    includeExpired?: boolean;
  };
  getSession: { session: Handle };
  getValue: { session: Handle; path: ValuePath };
  set: { session: Handle; key: string; value: JsonValue; expectedRevision?: string };
  pop: { session: Handle; key: string; expectedRevision?: string };
  flush: { session: Handle; expectedRevision?: string };
  cycleKey: {
    session: Handle;
    expectedRevision?: string;
    /**
     * The key as the browser's cookie jar holds it (the panel reads it through the cookies API).
     * When it is this session's key, the ack carries the new key as `cookieValue`, so the panel can
     * write the browser's cookie itself; a client that cannot read the cookie never learns a key.
     */
    browserKey?: string;
  };
  setExpiry: { session: Handle; expiry: ExpiryInput; expectedRevision?: string };
  expireNow: { session: Handle; expectedRevision?: string };
  clearExpired: object;
  clockTravel: { seconds?: number; to?: string };
  clockReset: object;
}

export type CommandOp = keyof CommandBodies;
export const COMMAND_OPS: readonly CommandOp[] = [
  'listSessions',
  'getSession',
  'getValue',
  'set',
  'pop',
  'flush',
  'cycleKey',
  'setExpiry',
  'expireNow',
  'clearExpired',
  'clockTravel',
  'clockReset',
];
/** Commands refused with nack 'read_only' when the agent is read-only. */
export const WRITE_OPS: readonly CommandOp[] = [
  'set',
  'pop',
  'flush',
  'cycleKey',
  'setExpiry',
  'expireNow',
  'clearExpired',
  'clockTravel',
  'clockReset',
];

export type CommandMessage = {
  [K in CommandOp]: { v: 1; type: 'command'; id: number; op: K } & CommandBodies[K];
}[CommandOp];

export interface SessionSummary {
  session: Handle;
  expiresAt: number | null;
  expired: boolean;
  bytes: number;
  keys: string[];
  revision: string;
}

export interface SessionView {
  session: Handle;
  /** Digest of the session data; pass it back as expectedRevision. */
  revision: string;
  expiry: {
    policy: ExpiryPolicy;
    value: number | string | null;
    expiresAt: number | null;
    browserClose: boolean;
  };
  bytes: number;
  entries: [string, ValuePreview][];
  redacted: number;
}

export interface CommandResults {
  listSessions: { items: SessionSummary[]; cursor: string | null; total: number | null; scanned: number };
  getSession: SessionView;
  getValue: { session: Handle; path: ValuePath; value: ValuePreview };
  set: { revision: string };
  pop: { revision: string; removed: ValuePreview };
  flush: { flushed: true };
  /** `cookieValue`: the new raw key, only when the command proved it held the old one (`browserKey`). */
  cycleKey: { from: Handle; to: Handle; revision: string; cookieValue?: string };
  setExpiry: { revision: string; expiry: SessionView['expiry'] };
  expireNow: { expired: true };
  clearExpired: { removed: number | null };
  clockTravel: ClockState & { expired: Handle[] };
  clockReset: ClockState & { expired: Handle[] };
}

export type AckMessage = {
  [K in CommandOp]: { v: 1; type: 'ack'; id: number; op: K; result: CommandResults[K] };
}[CommandOp];

export type NackCode =
  | 'bad_request'
  | 'unknown_op'
  | 'read_only'
  | 'not_found'
  | 'conflict'
  | 'too_large'
  | 'invalid_value'
  | 'unsupported'
  | 'store_error'
  | 'rate_limited'
  | 'internal';

export interface NackMessage {
  v: 1;
  type: 'nack';
  /** null when the frame was too broken to read an id from. */
  id: number | null;
  code: NackCode;
  message: string;
  /** For 'conflict': the revision the session has now. */
  revision?: string;
}

/**
 * The agent's wire protocol, version 1: plain types and constants, no Node imports, so the
 * extension panel, the companion inspector and the agent share this one file.
 *
 * JSON text frames. Every frame carries `v: 1` and a `type`. Order of a connection:
 *   upgrade (token, Host, Origin, peer checked before 101)
 *   client `hello` → agent `welcome` (or `error` code 'version' and close 4001)
 *   client `subscribe {sinceSeq?}` → agent `snapshot` (then `events` batches, seq strictly +1)
 *   client `command` → agent `ack` | `nack` (any time after `welcome`)
 *   agent `resync` when it had to drop events for this client: send `subscribe {sinceSeq}` again
 *   agent `goodbye` before it closes on shutdown.
 * Sessions are named by handles (a salted hash of the key), never by raw keys.
 * See docs/agent.md for the full description.
 */

export const PROTOCOL_VERSION = 1;
/** Oldest protocol version this agent still speaks. */
export const MIN_PROTOCOL_VERSION = 1;

export const WS_PATH = '/__sessionscope/ws';
export const INSPECTOR_PATH = '/__sessionscope/';
/** The subprotocol the agent selects; browsers require it to be one the client offered. */
export const SUBPROTOCOL = 'sessionscope.v1';
/**
 * Browsers cannot set headers on `new WebSocket`, so the token may travel as a subprotocol entry:
 * `new WebSocket(url, [SUBPROTOCOL, TOKEN_PROTOCOL_PREFIX + token])`. `?token=` also works, but
 * the query string can end up in logs.
 */
export const TOKEN_PROTOCOL_PREFIX = 'sessionscope.token.';
/** Response header naming the request's id, joinable with the browser's network log. */
export const REQUEST_ID_HEADER = 'x-sessionscope-request';
/** On a refused upgrade (and on a plain GET of WS_PATH, the doctor probe) the agent names the failed check here. */
export const REFUSAL_HEADER = 'x-sessionscope-refused';

/** WebSocket close codes the agent uses. */
export const CloseCode = {
  normal: 1000,
  goingAway: 1001,
  policy: 1008,
  tooBig: 1009,
  version: 4001,
  rateLimited: 4008,
  slowConsumer: 4009,
  handshakeTimeout: 4010,
  tooManyClients: 4013,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

// ---- values -------------------------------------------------------------------------------------

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
/** A path into a session: the session key first, then object keys / array indexes. */
export type ValuePath = (string | number)[];
/** Session handle (salted hash of the key). */
export type Handle = string;

/**
 * What travels instead of a value. Small values are sent whole; big ones as a bounded preview the
 * client expands with the `getValue` command; secret-looking keys as `redacted`.
 */
export type ValuePreview =
  | { t: 'value'; value: JsonValue }
  | { t: 'redacted'; bytes: number }
  | { t: 'string'; bytes: number; length: number; head: string }
  | { t: 'array'; bytes: number; length: number; items: ValuePreview[] }
  | { t: 'object'; bytes: number; length: number; entries: [string, ValuePreview][] }
  /** Nested too deep to preview: fetch its path. */
  | { t: 'more'; type: 'string' | 'array' | 'object'; bytes: number; length: number };

// ---- lifecycle events, as sent (values replaced by previews) ------------------------------------

export type LoadOutcome = 'hit' | 'miss' | 'expired' | 'invalid-signature' | 'malformed-key' | 'corrupt';
export type ExpiryPolicy = 'default' | 'browser-close' | 'idle-seconds' | 'absolute' | 'expired';
export type NotSavedReason = 'unmodified' | 'empty' | 'server-error' | 'interrupted' | 'store-error';
export type ExpiredReason =
  | 'expiry-date-passed'
  | 'negative-expiry'
  | 'signature-too-old'
  | 'lifetime-cap'
  | 'clock-travel'
  | 'expire-now';

export interface WireEventBase {
  /** Milliseconds since the epoch on the session clock (virtual when travelled). */
  at: number;
  /** The HTTP request the event belongs to (same value as the REQUEST_ID_HEADER response header). */
  requestId?: string;
  session?: Handle;
}

export interface WireCookie {
  name: string;
  /** The session key never travels: shown as ‹handle›. */
  value: string;
  maxAge?: number;
  expires?: string;
  domain?: string;
  path?: string;
  secure?: boolean;
  httpOnly?: boolean;
  sameSite?: string;
  partitioned?: boolean;
  size: number;
}

export interface WireEventMap {
  'request.start': WireEventBase & { method: string; path: string; cookiePresent: boolean };
  'request.end': WireEventBase & {
    method: string;
    path: string;
    status: number;
    ms: number;
    accessed: boolean;
    modified: boolean;
    saved: boolean;
    notSavedReason?: NotSavedReason;
  };
  'session.loaded': WireEventBase & { outcome: LoadOutcome; keys: number; ms: number };
  'session.created': WireEventBase;
  'session.modified': WireEventBase & {
    key: string;
    op: 'set' | 'removed' | 'cleared';
    before?: ValuePreview;
    after?: ValuePreview;
  };
  'session.saved': WireEventBase & {
    ms: number;
    bytes: number;
    mustCreate: boolean;
    keys: string[];
    expiresAt: number;
  };
  'session.deleted': WireEventBase;
  'session.flushed': WireEventBase & { keys: string[] };
  'session.keyCycled': WireEventBase & { from: Handle | null; to: Handle };
  'session.expiryChanged': WireEventBase & {
    policy: ExpiryPolicy;
    value: number | string | null;
    expiresAt: number | null;
  };
  'session.expired': WireEventBase & { reason: ExpiredReason; expiredAt: number | null };
  'session.interrupted': WireEventBase & { message: string };
  /** Two overlapping requests both saved; the later save overwrote these keys written by the earlier one. */
  'session.conflict': WireEventBase & { overwrittenKeys: string[] };
  'session.warning': WireEventBase & { code: string; message: string };
  'cookie.set': WireEventBase & { cookie: WireCookie; header: string };
  'cookie.deleted': WireEventBase & { cookie: WireCookie; header: string };
  'clock.changed': { at: number; offsetSeconds: number; frozen: boolean };
  /** A command some client ran (the audit trail, broadcast so every panel sees edits). */
  'agent.command': WireEventBase & { op: CommandOp; client: string; ok: boolean; code?: NackCode };
}

export type WireEventType = keyof WireEventMap;
export type WireEvent = { [K in WireEventType]: { type: K } & WireEventMap[K] }[WireEventType];

export interface SequencedEvent {
  seq: number;
  event: WireEvent;
}

// ---- handshake ------------------------------------------------------------------------------------

export type ClientKind = 'extension' | 'inspector' | 'cli' | 'test';
export type Capability =
  | 'events'
  | 'commands'
  | 'lazyValues'
  | 'requestView'
  | 'conflicts'
  | 'clock'
  | 'list'
  | 'search';

export interface SessionSettingsSummary {
  cookieName: string;
  engine: string;
  serializer: string;
  ageSeconds: number;
  expireAtBrowserClose: boolean;
  saveEveryRequest: boolean;
  secure: boolean;
  httpOnly: boolean;
  sameSite: 'Lax' | 'Strict' | 'None' | false;
  domain: string | null;
  path: string;
  /** What the store can do: list sessions, keep records server-side, expire on its own. */
  store: { serverSide: boolean; list: boolean; expiresOnItsOwn: boolean };
}

export interface Limits {
  /** Inbound frame cap (ws maxPayload). */
  maxPayloadBytes: number;
  maxClients: number;
  maxMessagesPerSecond: number;
  /** Outbound bytes buffered per client before it is told to resync. */
  maxQueuedBytes: number;
  /** Values whose JSON is at most this many bytes travel whole in events and session views. */
  inlineValueBytes: number;
  /** Hard cap on one `getValue` answer; bigger values come back as a preview to drill into. */
  maxFetchBytes: number;
  /** Hard cap on the JSON of a value a `set` command may write. */
  maxSetBytes: number;
  maxPageSize: number;
  /** Events kept for `subscribe {sinceSeq}` replay. */
  replayEvents: number;
}

export interface ClockState {
  now: number;
  offsetSeconds: number;
  frozen: boolean;
}

export interface HelloMessage {
  v: 1;
  type: 'hello';
  client: ClientKind;
  clientVersion: string;
  protocol: { min: number; max: number };
  capabilities?: Capability[];
}

export interface WelcomeMessage {
  v: 1;
  type: 'welcome';
  protocol: number;
  agentVersion: string;
  clientId: string;
  capabilities: Capability[];
  session: SessionSettingsSummary;
  limits: Limits;
  readOnly: boolean;
  /** Every authenticated client receives every event. */
  broadcast: true;
  /** Keys whose values are redacted (the patterns, as source text). */
  redaction: string[];
  clock: ClockState;
}

// ---- state stream -------------------------------------------------------------------------------

export interface SubscribeMessage {
  v: 1;
  type: 'subscribe';
  /** Last seq the client holds; the agent replays from there if it still can. */
  sinceSeq?: number;
}

export interface UnsubscribeMessage {
  v: 1;
  type: 'unsubscribe';
}

export interface SnapshotMessage {
  v: 1;
  type: 'snapshot';
  /** The seq of the last event included; the next `events` batch starts at seq + 1. */
  seq: number;
  /** True: `events` continue exactly from the client's sinceSeq. False: drop local state, start over. */
  continuous: boolean;
  clock: ClockState;
  /** Recent events (at most limits.replayEvents), oldest first. */
  events: SequencedEvent[];
}

export interface EventsMessage {
  v: 1;
  type: 'events';
  /** Consecutive seqs; a gap means the client must `subscribe {sinceSeq}` again. */
  events: SequencedEvent[];
}

export interface ResyncMessage {
  v: 1;
  type: 'resync';
  reason: 'overflow' | 'clock';
  /** Last seq the agent delivered before dropping. */
  lastDeliveredSeq: number;
}

// ---- commands -----------------------------------------------------------------------------------

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
  cycleKey: { session: Handle; expectedRevision?: string };
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
  cycleKey: { from: Handle; to: Handle; revision: string };
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

// ---- connection-level -------------------------------------------------------------------------

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

export type ClientMessage = HelloMessage | SubscribeMessage | UnsubscribeMessage | CommandMessage;
export type AgentMessage =
  | WelcomeMessage
  | SnapshotMessage
  | EventsMessage
  | ResyncMessage
  | AckMessage
  | NackMessage
  | ErrorMessage
  | GoodbyeMessage;

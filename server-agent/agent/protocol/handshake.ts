/** `hello` / `welcome`: versions, capabilities, the session settings and the agent's limits. */
import type { BusInfo } from './bus.js';
import type { Watch } from './stream.js';
import type { ClockState } from './values.js';

export type ClientKind = 'extension' | 'inspector' | 'cli' | 'test';
export type Capability =
  | 'events'
  | 'commands'
  | 'lazyValues'
  | 'requestView'
  | 'conflicts'
  | 'clock'
  | 'list'
  | 'search'
  /** `watch` frames and `request.summary` events (protocol 2). */
  | 'watch';

export interface SessionSettingsSummary {
  cookieName: string;
  engine: string;
  serializer: string;
  ageSeconds: number;
  expireAtBrowserClose: boolean;
  saveEveryRequest: boolean;
  /** 'auto': Secure exactly on https requests (SESSION_COOKIE_SECURE: 'auto'). */
  secure: boolean | 'auto';
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
  /**
   * Most `request.summary` items per second, sustained (a bucket of one second's worth absorbs
   * bursts). Requests past it, on sessions no client follows, are counted in one
   * `requests.skipped` per SUMMARY_DELAY_MS window instead.
   */
  summariesPerSecond: number;
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
  /** What this client receives in full until it sends `watch` (or `subscribe {watch}`). */
  watch: Watch;
  /** Keys whose values are redacted (the patterns, as source text). */
  redaction: string[];
  clock: ClockState;
  /** The agent bus (several processes in one timeline), or null when this agent runs alone. */
  bus: BusInfo | null;
}

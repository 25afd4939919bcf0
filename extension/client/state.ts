/** The client store's state shape: plain data, replaced (never mutated) on every change. */
import type {
  BusInfo,
  ClockState,
  ExpiredReason,
  Handle,
  NackCode,
  SequencedEvent,
  SessionSummary,
  SessionView,
  ValuePreview,
  WelcomeMessage,
  WireCookie,
} from '../../server-agent/agent/protocol.js';
import type { Diagnosis } from './doctor.js';

export type ConnectionStatus = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'failed';

export interface TimelineEntry extends SequencedEvent {
  /** Bumps when the agent restarted: seqs restart, so (epoch, seq) identifies an entry. */
  epoch: number;
}

/** A session change shown before the agent confirmed it. */
export type PendingChange =
  | { id: number; op: 'set'; key: string; value: ValuePreview }
  | { id: number; op: 'pop'; key: string };

export interface CommandFailure {
  op: string;
  code: NackCode | 'disconnected';
  message: string;
  at: number;
}

export interface CookieRecord {
  /** The Set-Cookie the agent last wrote for this session. */
  cookie: WireCookie;
  header: string;
  deleted: boolean;
  at: number;
}

export interface ClientState {
  status: ConnectionStatus;
  problem: Diagnosis | null;
  attempt: number;
  nextRetryAt: number | null;
  welcome: WelcomeMessage | null;
  /** Clock as last reported, plus when (local ms) it was received, to keep counting between updates. */
  clock: ClockState & { receivedAt: number };
  lastSeq: number;
  epoch: number;
  timeline: TimelineEntry[];
  /** Events held back while paused (count shown in the toolbar). */
  held: TimelineEntry[];
  paused: boolean;
  preserveLog: boolean;
  /** Session shown in the detail view; `follow` moves it to the latest active session. */
  selected: Handle | null;
  follow: boolean;
  /** Request ids seen in the inspected tab's network log; null = follow any request (inspector). */
  watchedRequests: string[] | null;
  /** Last view the agent confirmed for `selected`; null until loaded or when gone. */
  confirmed: SessionView | null;
  viewMissing: boolean;
  /** Why the selected session could not be read (e.g. rate limited), while a retry is scheduled. */
  readProblem: string | null;
  pending: PendingChange[];
  /** Lazily fetched values, by JSON-encoded path, for the current revision. */
  values: Record<string, ValuePreview>;
  lastFailure: CommandFailure | null;
  /** The agent bus: the processes sharing this timeline (null: the agent runs alone). */
  bus: BusInfo | null;
  cookies: Record<Handle, CookieRecord>;
  expired: Record<Handle, { reason: ExpiredReason; at: number }>;
  sessions: {
    items: SessionSummary[];
    cursor: string | null;
    total: number | null;
    query: string;
    /** Records the agent has searched for this query so far (all pages asked for). */
    scanned: number;
    loading: boolean;
  };
}

export function initialState(now: number): ClientState {
  return {
    status: 'idle',
    problem: null,
    attempt: 0,
    nextRetryAt: null,
    welcome: null,
    clock: { now, offsetSeconds: 0, frozen: false, receivedAt: now },
    lastSeq: 0,
    epoch: 0,
    timeline: [],
    held: [],
    paused: false,
    preserveLog: false,
    selected: null,
    follow: true,
    watchedRequests: null,
    confirmed: null,
    viewMissing: false,
    readProblem: null,
    pending: [],
    values: {},
    lastFailure: null,
    bus: null,
    cookies: {},
    expired: {},
    sessions: { items: [], cursor: null, total: null, query: '', scanned: 0, loading: false },
  };
}

/** The session clock "now", counted forward locally between agent updates unless frozen. */
export function sessionNow(clock: ClientState['clock'], localNow: number): number {
  return clock.frozen ? clock.now : clock.now + (localNow - clock.receivedAt);
}

/** The view the UI renders: the confirmed one with unconfirmed changes applied on top. */
export function displayedView(state: ClientState): SessionView | null {
  const base = state.confirmed;
  if (!base || state.pending.length === 0) return base;
  const entries = new Map(base.entries);
  for (const change of state.pending) {
    if (change.op === 'set') entries.set(change.key, change.value);
    else entries.delete(change.key);
  }
  return { ...base, entries: [...entries] };
}

export function pathKey(path: (string | number)[]): string {
  return JSON.stringify(path);
}

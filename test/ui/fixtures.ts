/** Recorded-shape protocol messages for the UI tests (types come from the real protocol). */
import type {
  SequencedEvent,
  SessionView,
  WelcomeMessage,
  WireEvent,
} from '../../server-agent/agent/protocol.js';

export const HANDLE = 'h_aaaaaaaaaaaa';

export function welcome(overrides: Partial<WelcomeMessage> = {}): WelcomeMessage {
  return {
    v: 1,
    type: 'welcome',
    protocol: 1,
    agentVersion: '0.1.0',
    clientId: 'c1',
    capabilities: ['events', 'commands', 'lazyValues', 'clock', 'list', 'search'],
    session: {
      cookieName: 'sessionid',
      engine: 'db',
      serializer: 'json',
      ageSeconds: 1209600,
      expireAtBrowserClose: false,
      saveEveryRequest: false,
      secure: false,
      httpOnly: true,
      sameSite: 'Lax',
      domain: null,
      path: '/',
      store: { serverSide: true, list: true, expiresOnItsOwn: false },
    },
    limits: {
      maxPayloadBytes: 1 << 20,
      maxClients: 8,
      maxMessagesPerSecond: 100,
      maxQueuedBytes: 1 << 20,
      inlineValueBytes: 2048,
      maxFetchBytes: 1 << 20,
      maxSetBytes: 1 << 16,
      maxPageSize: 100,
      replayEvents: 500,
      summariesPerSecond: 1000,
    },
    readOnly: false,
    watch: { all: true, sessions: [] },
    bus: null,
    redaction: [],
    clock: { now: 1_700_000_000_000, offsetSeconds: 0, frozen: false },
    ...overrides,
  };
}

export function view(entries: SessionView['entries'], revision = 'r1'): SessionView {
  return {
    session: HANDLE,
    revision,
    expiry: { policy: 'default', value: null, expiresAt: 1_700_000_000_000 + 3600_000, browserClose: false },
    bytes: 42,
    entries,
    redacted: 0,
  };
}

export function seq(n: number, event: WireEvent): SequencedEvent {
  return { seq: n, event };
}

export function requestEnd(requestId: string, session = HANDLE): WireEvent {
  return {
    type: 'request.end',
    at: 1_700_000_000_000,
    requestId,
    session,
    method: 'GET',
    path: '/',
    status: 200,
    ms: 1.5,
    accessed: true,
    modified: true,
    saved: true,
  };
}

/** Pure folding of agent events into client state: timeline, cookies, expiry reasons, following. */
import type { Handle, SequencedEvent, WireEvent } from '../../server-agent/agent/protocol.js';
import type { ClientState, TimelineEntry } from './state.js';

/** Most entries the timeline keeps; older ones fall off the front (export first to keep them). */
export const TIMELINE_CAP = 2000;

/** Expiry reasons that depend on where the session clock stands. */
const CLOCK_REASONS = new Set(['clock-travel', 'expiry-date-passed']);

/** Events that change what the selected session's view shows, so it must be fetched again. */
const VIEW_CHANGING = new Set<WireEvent['type']>([
  'session.modified',
  'session.saved',
  'session.flushed',
  'session.keyCycled',
  'session.expiryChanged',
  'session.expired',
  'session.deleted',
  'session.created',
  // A request on the selected session that arrived before the agent knew we follow it.
  'request.summary',
]);

export interface FoldResult {
  state: ClientState;
  /** The selected session changed on the server. */
  refetch: boolean;
}

function capped(entries: TimelineEntry[]): TimelineEntry[] {
  return entries.length > TIMELINE_CAP ? entries.slice(entries.length - TIMELINE_CAP) : entries;
}

/** Applies events already known to be in order (seq checks happen in the store). */
export function foldEvents(state: ClientState, events: SequencedEvent[], receivedAt: number): FoldResult {
  let { selected, cookies, expired, clock, bus } = state;
  const { follow } = state;
  let refetch = false;
  const entries: TimelineEntry[] = events.map((e) => ({ ...e, epoch: state.epoch }));
  const ownPrefix = state.welcome ? `a${state.welcome.clientId}.` : null;
  for (const { event } of events) {
    if (event.type === 'agent.bus') {
      bus = event.bus;
      continue;
    }
    if (event.type === 'clock.changed') {
      // Another process's virtual clock (agent bus): each process has its own; ours did not move.
      if (event.proc) continue;
      clock = { now: event.at, offsetSeconds: event.offsetSeconds, frozen: event.frozen, receivedAt };
      refetch = true; // expiry maths moved with the clock
      // Expiries that came from the clock may be undone by the move (a reset revives them); the
      // travel command reports the ones it expired right after this event.
      expired = Object.fromEntries(Object.entries(expired).filter(([, e]) => !CLOCK_REASONS.has(e.reason)));
      continue;
    }
    const handle: Handle | undefined = event.session;
    if (event.type === 'session.keyCycled' && selected !== null && event.from === selected) {
      selected = event.to; // keep watching the same session under its new key
      refetch = true;
    }
    if (event.type === 'cookie.set' && handle) {
      cookies = {
        ...cookies,
        [handle]: { cookie: event.cookie, header: event.header, deleted: false, at: event.at },
      };
    }
    if (event.type === 'cookie.deleted' && handle) {
      cookies = {
        ...cookies,
        [handle]: { cookie: event.cookie, header: event.header, deleted: true, at: event.at },
      };
    }
    if (event.type === 'session.expired' && handle) {
      // A later load only notices what an earlier event already explained (expire-now, clock-travel).
      const known = expired[handle];
      if (!known || event.reason !== 'expiry-date-passed')
        expired = { ...expired, [handle]: { reason: event.reason, at: event.expiredAt ?? event.at } };
    }
    if (
      handle &&
      expired[handle] &&
      (event.type === 'session.saved' || (event.type === 'session.loaded' && event.outcome === 'hit'))
    ) {
      // Alive again (clock reset, new expiry): drop the stale "expired".
      const { [handle]: _gone, ...rest } = expired;
      expired = rest;
    }
    if (event.type === 'request.summary' && event.expired && handle) {
      expired = { ...expired, [handle]: { reason: event.expired, at: event.at } };
    }
    const watched = state.watchedRequests;
    const ours = !watched || (event.requestId !== undefined && watched.includes(event.requestId));
    // Follow any session an app request touched (request.end itself may not name the session).
    // Agent commands ("a<client>.<id>", any client's) are not the page's requests: following them
    // would snap the view back to the old key when a cycleKey's events arrive after its ack.
    const command = event.requestId?.startsWith('a') ?? false;
    if (follow && ours && !command && handle && event.requestId !== undefined && handle !== selected) {
      selected = handle;
      refetch = true;
    }
    // Our own getSession of an expired session emits session.expired again; refetching on it would
    // loop (read → expired event → read …) and trip the agent's rate limit.
    const ownRead =
      ownPrefix !== null && event.requestId?.startsWith(ownPrefix) && event.type === 'session.expired';
    if (handle && handle === selected && VIEW_CHANGING.has(event.type) && !ownRead) refetch = true;
  }
  const selectionMoved = selected !== state.selected;
  const next: ClientState = {
    ...state,
    clock,
    bus,
    cookies,
    expired,
    selected,
    lastSeq: events.length ? events[events.length - 1]!.seq : state.lastSeq,
    ...(selectionMoved ? { confirmed: null, viewMissing: false, pending: [], values: {} } : {}),
  };
  if (state.paused) next.held = [...state.held, ...entries];
  else next.timeline = capped([...state.timeline, ...entries]);
  return { state: next, refetch };
}

/** Handles a snapshot: keeps what is already shown, appends only what is new (by epoch and seq). */
export function foldSnapshot(
  state: ClientState,
  snapshot: { seq: number; continuous: boolean; events: SequencedEvent[] },
  receivedAt: number,
): FoldResult {
  // An agent restart resets seqs: open a new epoch rather than dropping the old entries.
  const restarted = !snapshot.continuous && snapshot.seq < state.lastSeq;
  const base: ClientState = restarted ? { ...state, epoch: state.epoch + 1, lastSeq: 0 } : state;
  const fresh = snapshot.events.filter((e) => e.seq > base.lastSeq);
  const result = foldEvents(base, fresh, receivedAt);
  return { state: { ...result.state, lastSeq: snapshot.seq }, refetch: true };
}

export interface RequestGroup {
  key: string;
  requestId: string | null;
  entries: TimelineEntry[];
  method?: string;
  path?: string;
  status?: number;
  ms?: number;
  session?: Handle;
  conflict: boolean;
  /** The agent sent a summary for this request (its session was not watched at the time). */
  summary?: boolean;
}

/** Groups timeline entries by request (events outside a request stand alone), oldest first. */
export function groupByRequest(entries: TimelineEntry[]): RequestGroup[] {
  const groups: RequestGroup[] = [];
  const open = new Map<string, RequestGroup>();
  for (const entry of entries) {
    const { event } = entry;
    const requestId = 'requestId' in event && event.requestId ? event.requestId : null;
    // Request ids are unique per process; with the agent bus several processes share the timeline.
    const id = requestId ? `${entry.epoch}:${event.proc ?? ''}:${requestId}` : null;
    let group = id ? open.get(id) : undefined;
    if (!group) {
      group = { key: `${entry.epoch}:${entry.seq}`, requestId, entries: [], conflict: false };
      groups.push(group);
      if (id) open.set(id, group);
    }
    group.entries.push(entry);
    if (event.type === 'request.start' || event.type === 'request.end') {
      group.method = event.method;
      group.path = event.path;
    }
    if (event.type === 'request.end') {
      group.status = event.status;
      group.ms = event.ms;
    }
    if (event.type === 'request.summary') {
      group.method = event.method;
      group.path = event.path;
      group.status = event.status;
      group.ms = event.ms;
      group.summary = true;
      if (event.conflict) group.conflict = true;
    }
    if (event.type === 'session.conflict') group.conflict = true;
    if ('session' in event && event.session) group.session = event.session;
  }
  return groups;
}

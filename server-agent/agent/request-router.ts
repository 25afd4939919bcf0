/**
 * Decides, per HTTP request, whether its lifecycle events are built and sent whole or folded into
 * one `request.summary`. A request's session is known from its first event that names one (usually
 * `session.loaded`); until then its events are held. If some client watches that session (or
 * everything), the request's events become wire events (previews and all); otherwise the only work
 * per event is a few field updates on the summary, which is what keeps a streaming agent cheap.
 * Every request also yields its summary, for the clients that do not watch it.
 */
import type { SessionEvent } from '../sessions/events.js';
import type { WireEvent, WireEventMap } from './protocol.js';

/**
 * How a stream item is routed: to everyone, to watchers of `handle`, as a summary, or (a
 * `requests.skipped` count) to every client that speaks protocol 3.
 */
export const Route = { always: 0, watched: 1, summary: 2, skipped: 3 } as const;
export type Route = (typeof Route)[keyof typeof Route];

export interface RouterSink {
  /** Does any client want this session's events whole (undefined: a request with no session)? */
  wantsFull(handle: string | undefined): boolean;
  /** A watched session got a new key: its watchers keep watching it. */
  carry(from: string, to: string): void;
  publish(event: WireEvent, route: Route, handle: string | undefined, full?: boolean): void;
  toWire(event: SessionEvent): WireEvent;
}

type Summary = WireEventMap['request.summary'];

/** Every field is set from the start (one object shape for every request: no shape changes). */
interface Track {
  start: Extract<SessionEvent, { type: 'request.start' }>;
  /** Events after request.start and before the request named its session (a new session's first sets). */
  held: SessionEvent[] | null;
  decided: boolean;
  full: boolean;
  /** The handle the request was routed by (its first). */
  handle: string | undefined;
  /** The handle it ended with. */
  last: string | undefined;
  events: number;
  loaded: Summary['loaded'];
  changed: string[] | undefined;
  flushed: boolean;
  cycled: boolean;
  expired: Summary['expired'];
  conflict: boolean;
  interrupted: boolean;
  cookie: Summary['cookie'];
}

/** Requests whose end never came (a socket destroyed mid-request) are forgotten past this many. */
const MAX_OPEN = 10_000;
/** Sessions whose last Set-Cookie is remembered, for a client that starts watching one. */
const MAX_COOKIES = 1000;

type CookieEvent = Extract<SessionEvent, { type: 'cookie.set' | 'cookie.deleted' }>;

export class RequestRouter {
  private readonly open = new Map<string, Track>();
  private readonly cookies = new Map<string, CookieEvent>();

  constructor(private readonly sink: RouterSink) {}

  clear(): void {
    this.open.clear();
    this.cookies.clear();
  }

  /**
   * The last cookie the app wrote for a session. A client that starts following a session it only
   * saw in summaries gets this, so it can show the Set-Cookie without waiting for the next request.
   */
  lastCookie(handle: string): CookieEvent | undefined {
    return this.cookies.get(handle);
  }

  /**
   * Does this request need its events' detail (value copies, the store's compare-and-swap)? Only
   * when they go out whole: a request decided as a summary never shows either. Requests this router
   * does not know (agent commands, code outside the middleware) get it.
   */
  wantsDetail(requestId: string | undefined): boolean {
    const track = requestId === undefined ? undefined : this.open.get(requestId);
    if (!track) return true;
    return track.decided ? track.full : this.sink.wantsFull(undefined);
  }

  route(event: SessionEvent): void {
    if (event.type === 'session.keyCycled' && event.from) this.sink.carry(event.from, event.to);
    if ((event.type === 'cookie.set' || event.type === 'cookie.deleted') && event.session) {
      // Replaced in place (no delete and re-insert per request: every delete leaves a hole the
      // Map later rehashes away), so the oldest evicted is the one first seen longest ago.
      if (!this.cookies.has(event.session) && this.cookies.size >= MAX_COOKIES) {
        const oldest = this.cookies.keys().next().value;
        if (oldest !== undefined) this.cookies.delete(oldest);
      }
      this.cookies.set(event.session, event);
    }
    const id = event.type === 'clock.changed' ? undefined : event.requestId;
    if (event.type === 'request.start' && id !== undefined) {
      if (this.open.size >= MAX_OPEN) {
        const oldest = this.open.keys().next().value;
        if (oldest !== undefined) this.open.delete(oldest);
      }
      this.open.set(id, {
        start: event,
        held: null,
        decided: false,
        full: false,
        handle: undefined,
        last: undefined,
        events: 1,
        loaded: undefined,
        changed: undefined,
        flushed: false,
        cycled: false,
        expired: undefined,
        conflict: false,
        interrupted: false,
        cookie: undefined,
      });
      return;
    }
    const track = id === undefined ? undefined : this.open.get(id);
    if (!track) {
      this.standalone(event);
      return;
    }
    track.events++;
    const handle = event.type === 'clock.changed' ? undefined : event.session;
    if (handle !== undefined) track.last = handle;
    if (!track.decided && (handle !== undefined || event.type === 'request.end')) this.decide(track, handle);
    if (event.type === 'request.end') {
      if (id !== undefined) this.open.delete(id);
      if (track.full) this.sink.publish(this.sink.toWire(event), Route.watched, track.handle);
      this.sink.publish(summaryOf(track, event), Route.summary, track.handle, track.full);
      return;
    }
    fold(track, event);
    if (!track.decided) {
      if (track.held) track.held.push(event);
      else track.held = [event];
    } else if (track.full) this.sink.publish(this.sink.toWire(event), Route.watched, track.handle);
  }

  private decide(track: Track, handle: string | undefined): void {
    track.decided = true;
    track.handle = handle;
    track.full = this.sink.wantsFull(handle);
    if (track.full) {
      this.sink.publish(this.sink.toWire(track.start), Route.watched, handle);
      if (track.held)
        for (const held of track.held) this.sink.publish(this.sink.toWire(held), Route.watched, handle);
    }
    track.held = null;
  }

  /** Events outside any request we saw start: commands, clock travel, app code outside middleware. */
  private standalone(event: SessionEvent): void {
    const handle = event.type === 'clock.changed' ? undefined : event.session;
    if (handle === undefined) this.sink.publish(this.sink.toWire(event), Route.always, undefined);
    else if (this.sink.wantsFull(handle)) this.sink.publish(this.sink.toWire(event), Route.watched, handle);
  }
}

function fold(track: Track, event: SessionEvent): void {
  switch (event.type) {
    case 'session.loaded':
      track.loaded = event.outcome;
      break;
    case 'session.modified':
      if (event.op === 'cleared') track.flushed = true;
      else if (!track.changed) track.changed = [event.key];
      else if (!track.changed.includes(event.key) && track.changed.length < 64) track.changed.push(event.key);
      break;
    case 'session.flushed':
      track.flushed = true;
      break;
    case 'session.keyCycled':
      track.cycled = true;
      break;
    case 'session.expired':
      track.expired = event.reason;
      break;
    case 'session.conflict':
      track.conflict = true;
      break;
    case 'session.interrupted':
      track.interrupted = true;
      break;
    case 'cookie.set':
      track.cookie = 'set';
      break;
    case 'cookie.deleted':
      track.cookie = 'deleted';
      break;
    default:
  }
}

function summaryOf(track: Track, end: Extract<SessionEvent, { type: 'request.end' }>): WireEvent {
  const summary: { type: 'request.summary' } & Summary = {
    type: 'request.summary',
    at: end.at,
    requestId: end.requestId,
    session: track.last,
    method: end.method,
    path: end.path,
    status: end.status,
    ms: end.ms,
    cookiePresent: track.start.cookiePresent,
    accessed: end.accessed,
    modified: end.modified,
    saved: end.saved,
    events: track.events,
  };
  if (end.notSavedReason !== undefined) summary.notSavedReason = end.notSavedReason;
  if (track.loaded !== undefined) summary.loaded = track.loaded;
  if (track.changed) summary.changed = track.changed;
  if (track.flushed) summary.flushed = true;
  if (track.cycled) summary.cycled = true;
  if (track.expired) summary.expired = track.expired;
  if (track.conflict) summary.conflict = true;
  if (track.interrupted) summary.interrupted = true;
  if (track.cookie) summary.cookie = track.cookie;
  return summary;
}

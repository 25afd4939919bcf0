/**
 * The ordered event stream: every recorded event gets the next `seq`, recent ones stay in a ring for
 * `subscribe {sinceSeq}` replay, and pending ones leave together. Each client receives the subset
 * it watches (see request-router.ts); each item is serialized once, however many clients and views
 * share it. A client that does not read is paused and told to resync instead of buffering without
 * bound.
 *
 * When pending ones leave: a watched or broadcast event leaves at the end of this event-loop turn
 * (mutation-to-client latency is the panel's live view), but `request.summary` items, one per
 * request nobody watches, wait up to SUMMARY_DELAY_MS and leave in one frame. Under load that is
 * what makes a streaming agent cheap for the app: one ws frame (one socket write) per window
 * instead of one per request. Order is kept: whatever leaves first takes everything pending.
 */
import type { Clock } from '../sessions/clock.js';
import { type Client, refuse, send } from './hub-client.js';
import {
  CloseCode,
  type Limits,
  MAX_WATCHED_SESSIONS,
  type SequencedEvent,
  type Watch,
  type WireEvent,
} from './protocol.js';
import { Route } from './request-router.js';
import { itemJson } from './summary-json.js';

/** How long a batch of summaries may wait for company (a panel's request list needs no more). */
export const SUMMARY_DELAY_MS = 50;

interface Routed {
  seq: number;
  /**
   * The event; null once a summary's JSON is made (the ring then holds only the text: under load
   * the ring is mostly summaries, and what it keeps alive the garbage collector keeps copying).
   */
  event: WireEvent | null;
  /** The item's JSON, made once at the first flush that sends it. */
  json: string | undefined;
  route: Route;
  /** The session the item is routed by. */
  handle: string | undefined;
  /** For a summary: the request's events were recorded whole too. */
  full: boolean;
}

function watches(client: Client, handle: string | undefined): boolean {
  return client.watchAll || (handle !== undefined && client.watching.has(handle));
}

function deliverable(client: Client, routed: Routed): boolean {
  if (routed.route === Route.always) return true;
  if (routed.route === Route.skipped) return client.protocol >= 3;
  if (routed.route === Route.watched) return watches(client, routed.handle);
  return !(routed.full && watches(client, routed.handle));
}

export class EventStream {
  private seq = 0;
  private ring: Routed[] = [];
  private pending: Routed[] = [];
  private flushScheduled = false;
  private summaryTimer: NodeJS.Timeout | undefined;
  private anyAll = false;
  private readonly watched = new Set<string>();

  constructor(
    private readonly clients: Set<Client>,
    private readonly limits: Limits,
    private readonly clock: Clock,
    private readonly slowConsumerMs: number,
  ) {}

  /** Does any subscribed client want this session's events whole? */
  wantsFull(handle: string | undefined): boolean {
    return this.anyAll || (handle !== undefined && this.watched.has(handle));
  }

  /** Replaces what the client watches; returns the sessions it did not watch before. */
  setWatch(client: Client, watch: Watch): string[] {
    const before = client.watching;
    client.watchAll = watch.all;
    client.watching = new Set(watch.sessions.slice(0, MAX_WATCHED_SESSIONS));
    this.rewatch();
    return [...client.watching].filter((handle) => !before.has(handle));
  }

  /** A watched session's key was cycled: whoever watched it keeps watching it under its new handle. */
  carry(from: string, to: string): void {
    if (!this.watched.has(from)) return;
    for (const client of this.clients) {
      if (client.watching.has(from) && client.watching.size < MAX_WATCHED_SESSIONS) client.watching.add(to);
    }
    this.watched.add(to);
  }

  /** What this process's clients watch together (announced on the bus). */
  localWatch(): { all: boolean; sessions: string[] } {
    return { all: this.anyAll, sessions: [...this.watched] };
  }

  /** Recomputes what any client watches (after a watch change, a subscribe or a client leaving). */
  rewatch(): void {
    this.anyAll = false;
    this.watched.clear();
    for (const client of this.clients) {
      if (!client.greeted) continue;
      if (client.watchAll) this.anyAll = true;
      for (const handle of client.watching) this.watched.add(handle);
    }
  }

  publish(event: WireEvent, route: Route = Route.always, handle?: string, full = false): void {
    const seq = ++this.seq;
    const routed: Routed = { seq, event, json: undefined, route, handle, full };
    // A summary becomes its (flat) text at once: it waits up to SUMMARY_DELAY_MS and then stays in
    // the ring, so whatever it holds outlives young-generation collections and gets copied into the
    // old one. As an object plus a tree of concatenated strings that was ~25 objects per request
    // (profiled: the garbage collector was most of the summary mode's cost); as flat text, one.
    if (route === Route.summary) {
      routed.json = flat(itemJson(seq, event));
      routed.event = null;
    }
    this.ring.push(routed);
    // Trim in bulk (amortized), not one splice per event.
    const keep = this.limits.replayEvents;
    if (this.ring.length > 2 * keep) this.ring = this.ring.slice(-keep);
    this.pending.push(routed);
    if (this.flushScheduled) return;
    if (route !== Route.summary) {
      this.flushScheduled = true;
      setImmediate(this.flushNow);
    } else if (!this.summaryTimer) {
      this.summaryTimer = setTimeout(this.flushNow, SUMMARY_DELAY_MS);
      this.summaryTimer.unref();
    }
  }

  /** One bound function for both schedules (no closure per batch). */
  private readonly flushNow = (): void => this.flush();

  flush(): void {
    this.flushScheduled = false;
    if (this.summaryTimer) {
      clearTimeout(this.summaryTimer);
      this.summaryTimer = undefined;
    }
    const batch = this.pending;
    this.pending = [];
    const last = batch.at(-1)?.seq;
    const first = batch[0]?.seq;
    if (last === undefined || first === undefined) return;
    // The two lists most clients share: "everything" and "nothing watched by handle", one of each per
    // protocol view, since a requests.skipped goes only to protocol 3 clients (deliverable): one list
    // for all let a protocol 2 client, iterated first, drop it for every protocol 3 client after it.
    const allJson: (string | undefined)[] = [undefined, undefined];
    const noneJson: (string | undefined)[] = [undefined, undefined];
    const handles = new Set<string>();
    for (const routed of batch) if (routed.handle !== undefined) handles.add(routed.handle);
    for (const client of this.clients) {
      if (!client.subscribed || client.delivered >= last) continue;
      let json: string;
      if (client.delivered >= first) {
        // Subscribed in the middle of this batch: only what came after its snapshot.
        json = listJson(batch.filter((r) => r.seq > client.delivered && deliverable(client, r)));
      } else if (client.watchAll) {
        const view = client.protocol >= 3 ? 1 : 0;
        json = allJson[view] ??= listJson(batch.filter((r) => deliverable(client, r)));
      } else if (!touches(client, handles)) {
        const view = client.protocol >= 3 ? 1 : 0;
        json = noneJson[view] ??= listJson(batch.filter((r) => deliverable(client, r)));
      } else {
        json = listJson(batch.filter((r) => deliverable(client, r)));
      }
      // Nothing for this client: send nothing, and keep `delivered` so the next frame's `after` matches.
      if (json === '[]') continue;
      const text = `{"v":1,"type":"events","after":${client.delivered},"through":${last},"events":${json}}`;
      if (client.ws.bufferedAmount + text.length > this.limits.maxQueuedBytes) {
        // Never buffer without bound for a client that does not read: stop, tell it to resync later.
        client.subscribed = false;
        client.overflowSince = Date.now();
        continue;
      }
      client.ws.send(text);
      client.delivered = last;
    }
  }

  /** Called on a timer: resumes paused clients that caught up, closes those that never do. */
  checkOverflowed(): void {
    for (const client of this.clients) {
      if (client.overflowSince === null) continue;
      if (client.ws.bufferedAmount < this.limits.maxQueuedBytes / 2) {
        client.overflowSince = null;
        send(client, { v: 1, type: 'resync', reason: 'overflow', lastDeliveredSeq: client.delivered });
      } else if (Date.now() - client.overflowSince > this.slowConsumerMs) {
        refuse(
          client,
          'slow_consumer',
          CloseCode.slowConsumer,
          'The client did not read its events; closing.',
        );
      }
    }
  }

  subscribe(client: Client, since: number | undefined): void {
    const oldest = this.ring[0]?.seq ?? this.seq + 1;
    const continuous = since !== undefined && since <= this.seq && since + 1 >= oldest;
    const wanted: SequencedEvent[] = [];
    for (const routed of this.ring) {
      if (continuous && routed.seq <= since) continue;
      if (deliverable(client, routed)) wanted.push(itemOf(routed));
    }
    let events = wanted.slice(-this.limits.replayEvents);
    // Keep the snapshot well inside the client's queue budget.
    let trimmed = events.length < wanted.length;
    while (events.length > 1 && JSON.stringify(events).length > this.limits.maxQueuedBytes / 4) {
      events = events.slice(Math.floor(events.length / 2));
      trimmed = true;
    }
    const { clock } = this;
    send(client, {
      v: 1,
      type: 'snapshot',
      seq: this.seq,
      continuous: continuous && !trimmed,
      clock: { now: clock.nowMs(), offsetSeconds: clock.offsetSeconds, frozen: clock.frozen },
      events,
    });
    client.subscribed = true;
    client.overflowSince = null;
    client.delivered = this.seq;
  }
}

function touches(client: Client, handles: Set<string>): boolean {
  if (client.watching.size === 0) return false;
  for (const handle of handles) if (client.watching.has(handle)) return true;
  return false;
}

/** The item for a snapshot (rare: a client subscribing), parsed back from its JSON once that is all it kept. */
function itemOf(routed: Routed): SequencedEvent {
  if (routed.event) return { seq: routed.seq, event: routed.event };
  return JSON.parse(routed.json as string) as SequencedEvent;
}

/**
 * The string flattened (V8 flattens a concatenation in place when a character is read), so what
 * is kept is one sequential string, not the tree of pieces `+=` built.
 */
function flat(json: string): string {
  json.charCodeAt(0);
  return json;
}

function jsonOf(routed: Routed): string {
  if (routed.json !== undefined) return routed.json;
  const event = routed.event as WireEvent;
  const json = itemJson(routed.seq, event);
  routed.json = json;
  if (routed.route === Route.summary) routed.event = null;
  return json;
}

function listJson(list: Routed[]): string {
  if (list.length === 0) return '[]';
  let json = '[';
  for (let i = 0; i < list.length; i++) {
    const item = jsonOf(list[i] as Routed);
    json += i === 0 ? item : `,${item}`;
  }
  return `${json}]`;
}

/**
 * The ordered event stream: every event gets the next `seq`, recent ones stay in a ring for
 * `subscribe {sinceSeq}` replay, and pending ones leave as one `events` frame per tick, serialized
 * once for every client that is up to date. A client that does not read is paused and told to
 * resync instead of buffering without bound.
 */
import type { Clock } from '../sessions/clock.js';
import { type Client, refuse, send } from './hub-client.js';
import { CloseCode, type Limits, type SequencedEvent, type WireEvent } from './protocol.js';

export class EventStream {
  private seq = 0;
  private ring: SequencedEvent[] = [];
  private pending: SequencedEvent[] = [];
  private flushScheduled = false;

  constructor(
    private readonly clients: Set<Client>,
    private readonly limits: Limits,
    private readonly clock: Clock,
    private readonly slowConsumerMs: number,
  ) {}

  publish(event: WireEvent): void {
    const item = { seq: ++this.seq, event };
    this.ring.push(item);
    // Trim in bulk (amortized), not one splice per event.
    const keep = this.limits.replayEvents;
    if (this.ring.length > 2 * keep) this.ring = this.ring.slice(-keep);
    this.pending.push(item);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.flushScheduled = false;
    const batch = this.pending;
    this.pending = [];
    const last = batch.at(-1);
    if (!last) return;
    let whole: string | undefined;
    const wholeBatch = () => {
      whole ??= JSON.stringify({ v: 1, type: 'events', events: batch });
      return whole;
    };
    for (const client of this.clients) {
      if (!client.subscribed || client.delivered >= last.seq) continue;
      const fresh = batch[0] && batch[0].seq > client.delivered;
      const text = fresh
        ? wholeBatch()
        : JSON.stringify({ v: 1, type: 'events', events: batch.filter((e) => e.seq > client.delivered) });
      if (client.ws.bufferedAmount + text.length > this.limits.maxQueuedBytes) {
        // Never buffer without bound for a client that does not read: stop, tell it to resync later.
        client.subscribed = false;
        client.overflowSince = Date.now();
        continue;
      }
      client.ws.send(text);
      client.delivered = last.seq;
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
    const wanted = continuous ? this.ring.filter((item) => item.seq > since) : this.ring;
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

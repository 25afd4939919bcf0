/**
 * The hub's side of the agent bus: what this process records goes out (only while some other
 * process has a client), what other processes record comes in as events tagged with their process,
 * and an `agent.bus` event tells clients which processes share the timeline and what was dropped.
 */
import type { Clock } from '../sessions/clock.js';
import type { AgentBus, BusItem, ProcessTag } from './bus.js';
import type { EventStream } from './event-stream.js';
import type { BusInfo, WireEvent } from './protocol.js';
import { Route } from './request-router.js';

export class BusLink {
  private lastInfo = '';
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly bus: AgentBus,
    private readonly stream: EventStream,
    private readonly clock: Clock,
    private readonly localClients: () => number,
    /** Listening to the app's events depends on whether anyone anywhere watches. */
    private readonly interestChanged: () => void,
  ) {}

  async start(): Promise<void> {
    await this.bus.start({
      events: (from, items) => this.ingest(from, items),
      changed: () => {
        this.interestChanged();
        this.report();
      },
      local: () => {
        const watch = this.stream.localWatch();
        const clock = this.clock;
        return {
          clients: this.localClients(),
          all: watch.all,
          sessions: watch.sessions,
          clock: { now: clock.nowMs(), offsetSeconds: clock.offsetSeconds, frozen: clock.frozen },
        };
      },
    });
    // Counters move without a presence change: report them now and then, only when they did.
    this.timer = setInterval(() => this.report(), 2000);
    this.timer.unref();
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.bus.close();
  }

  /** Does a client of another process want this session whole? */
  wants(handle: string | undefined): boolean {
    return this.bus.wants(handle);
  }

  get interested(): boolean {
    return this.bus.interested;
  }

  /** One locally recorded item, for the other processes. */
  out(event: WireEvent, route: Route, handle: string | undefined, full: boolean): void {
    if (this.bus.interested) this.bus.queue([route, handle ?? null, full ? 1 : 0, event]);
  }

  info(): BusInfo {
    const { self, counters } = this.bus;
    return {
      channel: this.bus.describe,
      processes: [
        {
          ...self,
          clients: this.localClients(),
          clockOffsetSeconds: this.clock.offsetSeconds,
          self: true,
        },
        ...this.bus.processes().map((remote) => ({
          ...remote.tag,
          clients: remote.clients,
          clockOffsetSeconds: remote.clock.offsetSeconds,
          self: false,
        })),
      ],
      dropped: counters.dropped,
      ignored: counters.ignored,
      received: counters.received,
    };
  }

  /** Publishes `agent.bus` to this process's clients when something they would show changed. */
  report(): void {
    const info = this.info();
    const text = JSON.stringify({ ...info, received: 0 });
    if (text === this.lastInfo) return;
    this.lastInfo = text;
    this.stream.publish({ type: 'agent.bus', at: this.clock.nowMs(), bus: info }, Route.always);
  }

  private ingest(from: ProcessTag, items: BusItem[]): void {
    for (const [route, handle, full, event] of items) {
      if (event.type === 'session.keyCycled' && event.from) this.stream.carry(event.from, event.to);
      this.stream.publish({ ...event, proc: from.id }, route, handle ?? undefined, full === 1);
    }
  }
}

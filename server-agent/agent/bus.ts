/**
 * The agent bus: every process's agent publishes its recorded events on one pub/sub channel per
 * deployment, and shows the other processes' events in its own stream, tagged with their process.
 * Publishing never waits: events are batched once per tick, and when the transport has too many
 * publishes in flight (a slow or dead bus) a batch is dropped and counted, never queued without
 * bound, so the app's requests do not feel the bus. Agents also announce, every couple of seconds,
 * how many clients they have and what those watch, so a process sends whole events only for
 * sessions someone somewhere follows, and nothing at all when no agent has a client.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { basename } from 'node:path';
import { type BusItem, type BusMessage, type ProcessTag, parseBusMessage } from './bus-message.js';
import type { ClockState } from './protocol.js';

export type { BusItem, ProcessTag } from './bus-message.js';

/** The wire under the bus: Redis pub/sub or PostgreSQL LISTEN/NOTIFY. */
export interface BusTransport {
  /** What the UI and logs may show (no password). */
  readonly describe: string;
  /** Largest payload one publish may carry (PostgreSQL NOTIFY: under 8000 bytes). */
  readonly maxPayload: number;
  start(onMessage: (payload: string) => void): Promise<void>;
  publish(payload: string): Promise<void>;
  close(): Promise<void>;
}

export interface RemoteProcess {
  tag: ProcessTag;
  clients: number;
  watch: { all: boolean; sessions: Set<string> };
  clock: ClockState;
  dropped: number;
  seen: number;
}

export interface BusCounters {
  /** Events this process could not publish (bus slow or down). */
  dropped: number;
  /** Messages ignored: another deployment's, or of a bad shape. */
  ignored: number;
  /** Events received from other processes. */
  received: number;
}

export interface BusOptions {
  deployment: string;
  channel: string;
  appName?: string;
  /** Publishes allowed in flight before batches are dropped. */
  maxInFlight?: number;
  presenceMs?: number;
  /** A process not heard from for this long is gone. */
  staleMs?: number;
  now?: () => number;
}

export interface BusHandlers {
  events(from: ProcessTag, items: BusItem[]): void;
  /** The set of processes, or what their clients watch, changed. */
  changed(): void;
  /** What this process's own clients watch, for the presence announcement. */
  local(): { clients: number; all: boolean; sessions: string[]; clock: ClockState };
}

export function defaultAppName(): string {
  const script = process.argv[1];
  return (
    process.env.npm_package_name ?? (script ? basename(script).replace(/\.[cm]?[jt]s$/, '') : 'node')
  ).slice(0, 100);
}

export class AgentBus {
  readonly self: ProcessTag;
  readonly counters: BusCounters = { dropped: 0, ignored: 0, received: 0 };
  private readonly remotes = new Map<string, RemoteProcess>();
  private pending: BusItem[] = [];
  private flushScheduled = false;
  private inFlight = 0;
  private timer: NodeJS.Timeout | undefined;
  private handlers: BusHandlers | null = null;
  private closed = false;
  private readonly now: () => number;

  constructor(
    private readonly transport: BusTransport,
    private readonly options: BusOptions,
  ) {
    this.now = options.now ?? Date.now;
    const host = hostname();
    this.self = {
      id: `${host}:${process.pid}:${randomBytes(3).toString('hex')}`,
      host,
      pid: process.pid,
      app: options.appName ?? defaultAppName(),
    };
  }

  get describe(): string {
    return this.transport.describe;
  }

  /** Deployment-scoped name (cookie name + deployment), also the handles' sharing scope. */
  get channel(): string {
    return this.options.channel;
  }

  async start(handlers: BusHandlers): Promise<void> {
    this.handlers = handlers;
    await this.transport.start((payload) => this.receive(payload));
    this.announce();
    this.timer = setInterval(() => {
      this.prune();
      this.announce();
    }, this.options.presenceMs ?? 2000);
    this.timer.unref();
  }

  /** Someone on another process has a client: worth publishing events at all. */
  get interested(): boolean {
    for (const remote of this.remotes.values()) if (remote.clients > 0) return true;
    return false;
  }

  /** Does a client of another process watch this session (or everything)? */
  wants(handle: string | undefined): boolean {
    for (const remote of this.remotes.values()) {
      if (remote.clients === 0) continue;
      if (remote.watch.all || (handle !== undefined && remote.watch.sessions.has(handle))) return true;
    }
    return false;
  }

  processes(): RemoteProcess[] {
    return [...this.remotes.values()];
  }

  queue(item: BusItem): void {
    if (this.closed) return;
    this.pending.push(item);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Tells the others at once (a client connected, left, or changed what it watches). */
  announce(): void {
    const local = this.handlers?.local();
    if (!local || this.closed) return;
    this.send(
      JSON.stringify({
        v: 1,
        dep: this.options.deployment,
        from: this.self,
        kind: 'presence',
        clients: local.clients,
        watch: { all: local.all, sessions: local.sessions.slice(0, 1000) },
        clock: local.clock,
        dropped: this.counters.dropped,
      } satisfies BusMessage),
      0,
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.transport.close();
  }

  private flush(): void {
    this.flushScheduled = false;
    const items = this.pending;
    this.pending = [];
    if (items.length === 0) return;
    const head = `{"v":1,"dep":${JSON.stringify(this.options.deployment)},"from":${JSON.stringify(this.self)},"kind":"events","items":[`;
    const limit = this.transport.maxPayload - head.length - 2;
    let chunk: string[] = [];
    let bytes = 0;
    const out = () => {
      if (chunk.length) this.send(`${head}${chunk.join(',')}]}`, chunk.length);
      chunk = [];
      bytes = 0;
    };
    for (const item of items) {
      const text = JSON.stringify(item);
      if (text.length > limit) {
        // One event bigger than the transport carries (NOTIFY's 8000 bytes): it stays local.
        this.counters.dropped++;
        continue;
      }
      if (bytes + text.length + 1 > limit) out();
      chunk.push(text);
      bytes += text.length + 1;
    }
    out();
  }

  private send(payload: string, events: number): void {
    if (this.inFlight >= (this.options.maxInFlight ?? 64)) {
      this.counters.dropped += events;
      return;
    }
    this.inFlight++;
    this.transport.publish(payload).then(
      () => {
        this.inFlight--;
      },
      () => {
        this.inFlight--;
        this.counters.dropped += events;
      },
    );
  }

  private receive(payload: string): void {
    if (payload.length > 1024 * 1024) {
      this.counters.ignored++;
      return;
    }
    const verdict = parseBusMessage(payload, this.options.deployment, this.self.id);
    if (!verdict.ok) {
      if (verdict.reason !== 'own') this.counters.ignored++;
      return;
    }
    const { message } = verdict;
    const known = this.remotes.get(message.from.id);
    if (message.kind === 'presence') {
      const changed =
        !known ||
        known.clients !== message.clients ||
        known.watch.all !== message.watch.all ||
        known.clock.offsetSeconds !== message.clock.offsetSeconds ||
        known.watch.sessions.size !== message.watch.sessions.length ||
        message.watch.sessions.some((h) => !known.watch.sessions.has(h));
      this.remotes.set(message.from.id, {
        tag: message.from,
        clients: message.clients,
        watch: { all: message.watch.all, sessions: new Set(message.watch.sessions) },
        clock: message.clock,
        dropped: message.dropped,
        seen: this.now(),
      });
      if (changed) this.handlers?.changed();
      return;
    }
    if (known) known.seen = this.now();
    this.counters.received += message.items.length;
    this.handlers?.events(message.from, message.items);
  }

  private prune(): void {
    const stale = this.options.staleMs ?? 7000;
    let changed = false;
    for (const [id, remote] of this.remotes) {
      if (this.now() - remote.seen > stale) {
        this.remotes.delete(id);
        changed = true;
      }
    }
    if (changed) this.handlers?.changed();
  }
}

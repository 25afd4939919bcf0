/**
 * The agent's heart, independent of HTTP: authenticated sockets come in, session events go out as
 * ordered, batched deltas (see event-stream.ts), commands run (see hub-commands.ts).
 * The hub listens to the session events only while a client is connected, so with none the app's
 * requests pay nothing (and responses carry no request-id header).
 */
import type { RawData, WebSocket } from 'ws';
import type { SessionEvent } from '../sessions/events.js';
import { createLogger } from '../sessions/log.js';
import type { SessionManager } from '../sessions/manager.js';
import type { AgentBus } from './bus.js';
import { ConflictTracker } from './conflicts.js';
import { EventStream, SUMMARY_DELAY_MS } from './event-stream.js';
import { type Client, newClient, refuse, send } from './hub-client.js';
import { BusLink } from './hub-bus.js';
import { type CommandRunner, runClientCommand } from './hub-commands.js';
import type { HubOptions } from './hub-options.js';
import { DEFAULT_PREVIEW_LIMITS, eventPreview } from './preview.js';
import {
  type AgentMessage,
  CloseCode,
  MIN_PROTOCOL_VERSION,
  PROTOCOL_VERSION,
  type Watch,
  type WireEvent,
} from './protocol.js';
import { RequestRouter, Route } from './request-router.js';
import { SummaryBudget } from './summary-budget.js';
import { parseClientFrame } from './validate.js';
import { welcomeFor } from './welcome.js';

export { DEFAULT_LIMITS, type HubOptions } from './hub-options.js';

const log = createLogger('sessionscope:agent');
const audit = createLogger('sessionscope:agent:audit');

export class AgentHub {
  /** @internal */
  readonly clients = new Set<Client>();
  private readonly stream: EventStream;
  private stopListening: (() => void) | null = null;
  private readonly conflicts: ConflictTracker;
  private readonly runner: CommandRunner;
  private readonly router: RequestRouter;
  private readonly budget: SummaryBudget;
  private drainTimer: NodeJS.Timeout | undefined;
  private closed = false;
  /** @internal The agent bus, when several processes share one timeline (not in the shipped .d.ts: its types reach ws). */
  readonly link: BusLink | null;

  constructor(
    private readonly sessions: SessionManager,
    private readonly options: HubOptions,
    bus: AgentBus | null = null,
  ) {
    this.conflicts = new ConflictTracker(sessions.events);
    this.stream = new EventStream(
      this.clients,
      options.limits,
      sessions.clock,
      options.slowConsumerMs ?? 10_000,
    );
    this.runner = {
      ctx: {
        sessions,
        redact: options.redact,
        limits: options.limits,
        previewLimits: { ...DEFAULT_PREVIEW_LIMITS, inlineBytes: options.limits.inlineValueBytes },
        readOnly: options.readOnly,
        audit,
      },
      conflicts: this.conflicts,
      audit,
      publish: (event) => this.publish(event),
    };
    const stream = this.stream;
    const link = bus
      ? new BusLink(
          bus,
          stream,
          sessions.clock,
          () => this.greetedClients(),
          () => this.updateListening(),
        )
      : null;
    this.link = link;
    this.budget = new SummaryBudget(
      options.limits.summariesPerSecond,
      SUMMARY_DELAY_MS,
      () => sessions.clock.nowMs(),
      (count, since) =>
        stream.publish(
          {
            type: 'requests.skipped',
            at: sessions.clock.nowMs(),
            since,
            count,
            perSecond: options.limits.summariesPerSecond,
          },
          Route.skipped,
        ),
    );
    this.router = new RequestRouter({
      wantsFull: (handle) => stream.wantsFull(handle) || (link?.wants(handle) ?? false),
      carry: (from, to) => stream.carry(from, to),
      publish: (event, route, handle, full = false) => {
        stream.publish(event, route, handle, full);
        link?.out(event, route, handle, full);
      },
      toWire: (event) => this.toWire(event),
    });
  }

  /** Connects the bus (several processes, one timeline); a bus that is down is retried in the background. */
  async startBus(): Promise<void> {
    if (!this.link) return;
    try {
      await this.link.start();
    } catch (error) {
      log.warn(`agent bus ${this.link.bus.describe} not reachable (${(error as Error).message}); retrying`);
    }
    this.updateListening();
  }

  private greetedClients(): number {
    let count = 0;
    for (const client of this.clients) if (client.greeted) count++;
    return count;
  }

  /**
   * Listen to the app's events only while someone can see them: a client here, or (with the bus) a
   * client of another process. With neither, requests pay nothing.
   */
  private updateListening(): void {
    const wanted = this.clients.size > 0 || (this.link?.interested ?? false);
    if (wanted && !this.stopListening && !this.closed)
      this.stopListening = this.sessions.events.onAny(
        (event) => this.onSessionEvent(event),
        (requestId) => this.router.wantsDetail(requestId),
        (handle) => this.observes(handle),
      );
    else if (!wanted && this.stopListening) {
      this.stopListening();
      this.stopListening = null;
      this.budget.flush();
      this.router.clear();
    }
  }

  /**
   * Should this request be observed? Always when some client (here or over the bus) follows its
   * session or everything; otherwise while the summary budget lasts (summary-budget.ts).
   */
  private observes(handle: string | undefined): boolean {
    if (this.stream.wantsFull(handle) || (this.link?.wants(handle) ?? false)) return true;
    return this.budget.take();
  }

  get full(): boolean {
    return this.clients.size >= this.options.limits.maxClients;
  }

  /** @internal A socket whose upgrade passed every check. */
  accept(ws: WebSocket): void {
    const client = newClient(ws);
    client.helloTimer = setTimeout(
      () =>
        refuse(
          client,
          'handshake_timeout',
          CloseCode.handshakeTimeout,
          'No hello within the handshake timeout.',
        ),
      this.options.handshakeTimeoutMs,
    );
    client.helloTimer.unref();
    this.clients.add(client);
    this.updateListening();
    if (!this.drainTimer) {
      this.drainTimer = setInterval(() => this.stream.checkOverflowed(), 100);
      this.drainTimer.unref();
    }
    ws.on('message', (data, isBinary) => this.onFrame(client, data, isBinary));
    ws.on('close', () => this.drop(client));
    ws.on('error', (error) => log.debug(`client ${client.id}: ${error.message}`));
  }

  /** Adds an event of the agent's own (e.g. the command audit) to the stream, for every client. */
  publish(event: WireEvent): void {
    this.stream.publish(event, Route.always);
    this.link?.out(event, Route.always, undefined, false);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.budget.flush();
    this.stream.flush();
    const goodbye = JSON.stringify({ v: 1, type: 'goodbye', reason: 'shutdown' } satisfies AgentMessage);
    const closing = [...this.clients].map(
      (client) =>
        new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            client.ws.terminate();
            resolve();
          }, 1000);
          client.ws.once('close', () => {
            clearTimeout(timer);
            resolve();
          });
          client.ws.send(goodbye);
          client.ws.close(CloseCode.goingAway, 'agent shutting down');
        }),
    );
    await Promise.all(closing);
    this.stopEvents();
    await this.link?.close();
  }

  private stopEvents(): void {
    this.stopListening?.();
    this.stopListening = null;
    this.router.clear();
    clearInterval(this.drainTimer);
    this.drainTimer = undefined;
  }

  private drop(client: Client): void {
    clearTimeout(client.helloTimer);
    this.clients.delete(client);
    this.stream.rewatch();
    this.link?.bus.announce();
    if (this.clients.size === 0) {
      clearInterval(this.drainTimer);
      this.drainTimer = undefined;
    }
    this.updateListening();
  }

  private onSessionEvent(event: SessionEvent): void {
    this.router.route(event);
    this.conflicts.observe(event);
  }

  private toWire(event: SessionEvent): WireEvent {
    if (event.type !== 'session.modified') return event;
    const limits = this.runner.ctx.previewLimits;
    const { redact } = this.options;
    // Spelled out, in the event's own key order: a rest/spread copy here cost more than the previews.
    return {
      type: event.type,
      at: event.at,
      requestId: event.requestId,
      session: event.session,
      key: event.key,
      op: event.op,
      before: eventPreview(event.before, event.key, redact, limits),
      after: eventPreview(event.after, event.key, redact, limits),
    };
  }

  private onFrame(client: Client, data: RawData, isBinary: boolean): void {
    if (!this.withinRate(client, data, isBinary)) return;
    if (isBinary) {
      send(client, {
        v: 1,
        type: 'nack',
        id: null,
        code: 'bad_request',
        message: 'The agent reads JSON text frames only.',
      });
      return;
    }
    const parsed = parseClientFrame(frameText(data));
    if (!parsed.ok) {
      send(client, { v: 1, type: 'nack', id: parsed.id, code: parsed.code, message: parsed.message });
      return;
    }
    const message = parsed.message;
    if (message.type === 'hello') {
      clearTimeout(client.helloTimer);
      if (message.protocol.min > PROTOCOL_VERSION || message.protocol.max < MIN_PROTOCOL_VERSION) {
        const newer = message.protocol.min > PROTOCOL_VERSION;
        refuse(
          client,
          'version',
          CloseCode.version,
          `This agent speaks protocol ${MIN_PROTOCOL_VERSION}-${PROTOCOL_VERSION}; the client speaks ${message.protocol.min}-${message.protocol.max}.`,
          newer
            ? 'Update the sessionscope package in the app (npm i sessionscope@latest).'
            : 'Update the sessionscope extension.',
        );
        return;
      }
      client.greeted = true;
      client.protocol = Math.min(message.protocol.max, PROTOCOL_VERSION);
      this.stream.rewatch();
      this.link?.bus.announce();
      send(client, welcomeFor(this.sessions, this.options, client, this.link?.info() ?? null));
      return;
    }
    if (!client.greeted) {
      send(client, {
        v: 1,
        type: 'nack',
        id: message.type === 'command' ? message.id : null,
        code: 'bad_request',
        message: 'Send hello first.',
      });
      return;
    }
    if (message.type === 'subscribe') {
      if (message.watch) this.watch(client, message.watch);
      this.stream.subscribe(client, message.sinceSeq);
    } else if (message.type === 'watch') this.watch(client, message.watch);
    else if (message.type === 'unsubscribe') client.subscribed = false;
    else void runClientCommand(this.runner, client, message);
  }

  private watch(client: Client, watch: Watch): void {
    const added = this.stream.setWatch(client, watch);
    this.link?.bus.announce();
    for (const handle of added) {
      const cookie = this.router.lastCookie(handle);
      if (cookie) this.stream.publish(this.toWire(cookie), Route.watched, handle);
    }
  }

  /** Per-client frame budget per second; false when this frame is dropped (and answered). */
  private withinRate(client: Client, data: RawData, isBinary: boolean): boolean {
    const now = Date.now();
    if (now - client.windowStart >= 1000) {
      client.windowStart = now;
      client.windowCount = 0;
    }
    const limit = this.options.limits.maxMessagesPerSecond;
    if (++client.windowCount <= limit) return true;
    if (client.windowCount > limit * 5)
      refuse(client, 'rate_limited', CloseCode.rateLimited, `More than ${limit * 5} frames in a second.`);
    else {
      // A dropped command is answered with its own id, so the client can roll back or retry
      // instead of waiting forever for an ack that will never come.
      const id = isBinary ? null : droppedCommandId(data);
      if (id !== null || client.windowCount === limit + 1)
        send(client, {
          v: 1,
          type: 'nack',
          id,
          code: 'rate_limited',
          message: `At most ${limit} frames per second; this frame was dropped.`,
        });
    }
    return false;
  }
}

function frameText(data: RawData): string {
  return Array.isArray(data)
    ? Buffer.concat(data).toString('utf8')
    : Buffer.from(data as ArrayBuffer).toString('utf8');
}

/** The id of a command frame that is being dropped, read without trusting the rest of it. */
function droppedCommandId(data: RawData): number | null {
  const parsed = parseClientFrame(frameText(data));
  return parsed.ok ? (parsed.message.type === 'command' ? parsed.message.id : null) : parsed.id;
}

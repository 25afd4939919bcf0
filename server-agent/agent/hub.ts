/**
 * The agent's heart, independent of HTTP: authenticated sockets come in, session events go out as
 * ordered, batched deltas (one frame per tick, serialized once for every client), commands run.
 * The hub listens to the session events only while a client is connected, so with none the app's
 * requests pay nothing (and responses carry no request-id header).
 */
import type { RawData, WebSocket } from 'ws';
import type { SessionEvent } from '../sessions/events.js';
import { createLogger } from '../sessions/log.js';
import type { SessionManager } from '../sessions/manager.js';
import { CommandFailure, type CommandContext, maskHandle, runCommand } from './commands.js';
import { ConflictTracker } from './conflicts.js';
import { DEFAULT_PREVIEW_LIMITS, eventPreview } from './preview.js';
import {
  type AgentMessage,
  CloseCode,
  type CommandMessage,
  type ConnectionErrorCode,
  type Limits,
  MIN_PROTOCOL_VERSION,
  PROTOCOL_VERSION,
  type SequencedEvent,
  type WireEvent,
  WRITE_OPS,
} from './protocol.js';
import type { Redactor } from './redact.js';
import { parseClientFrame } from './validate.js';
import { welcomeFor } from './welcome.js';

const log = createLogger('sessionscope:agent');
const audit = createLogger('sessionscope:agent:audit');

export const DEFAULT_LIMITS: Limits = {
  maxPayloadBytes: 1024 * 1024,
  maxClients: 4,
  maxMessagesPerSecond: 100,
  maxQueuedBytes: 8 * 1024 * 1024,
  inlineValueBytes: 4096,
  maxFetchBytes: 256 * 1024,
  maxSetBytes: 256 * 1024,
  maxPageSize: 200,
  replayEvents: 500,
};

export interface HubOptions {
  readOnly: boolean;
  redact: Redactor;
  limits: Limits;
  handshakeTimeoutMs: number;
  agentVersion: string;
  /** How long a client may stay unable to take events before it is closed. */
  slowConsumerMs?: number;
}

interface Client {
  id: string;
  ws: WebSocket;
  greeted: boolean;
  subscribed: boolean;
  delivered: number;
  overflowSince: number | null;
  windowStart: number;
  windowCount: number;
  helloTimer: NodeJS.Timeout | undefined;
}

let clientCounter = 0;

export class AgentHub {
  readonly clients = new Set<Client>();
  private seq = 0;
  private ring: SequencedEvent[] = [];
  private pending: SequencedEvent[] = [];
  private flushScheduled = false;
  private stopListening: (() => void) | null = null;
  private readonly conflicts: ConflictTracker;
  private readonly commands: CommandContext;
  private drainTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly sessions: SessionManager,
    private readonly options: HubOptions,
  ) {
    this.conflicts = new ConflictTracker(sessions.events);
    this.commands = {
      sessions,
      redact: options.redact,
      limits: options.limits,
      previewLimits: { ...DEFAULT_PREVIEW_LIMITS, inlineBytes: options.limits.inlineValueBytes },
      readOnly: options.readOnly,
      audit,
    };
  }

  get full(): boolean {
    return this.clients.size >= this.options.limits.maxClients;
  }

  /** A socket whose upgrade passed every check. */
  accept(ws: WebSocket): void {
    const client: Client = {
      id: `c${(++clientCounter).toString(36)}`,
      ws,
      greeted: false,
      subscribed: false,
      delivered: 0,
      overflowSince: null,
      windowStart: Date.now(),
      windowCount: 0,
      helloTimer: undefined,
    };
    client.helloTimer = setTimeout(
      () =>
        this.refuse(
          client,
          'handshake_timeout',
          CloseCode.handshakeTimeout,
          'No hello within the handshake timeout.',
        ),
      this.options.handshakeTimeoutMs,
    );
    client.helloTimer.unref();
    this.clients.add(client);
    if (!this.stopListening)
      this.stopListening = this.sessions.events.onAny((event) => this.onSessionEvent(event));
    if (!this.drainTimer) {
      this.drainTimer = setInterval(() => this.checkOverflowed(), 100);
      this.drainTimer.unref();
    }
    ws.on('message', (data, isBinary) => this.onFrame(client, data, isBinary));
    ws.on('close', () => this.drop(client));
    ws.on('error', (error) => log.debug(`client ${client.id}: ${error.message}`));
  }

  /** Adds an event of the agent's own (e.g. the command audit) to the stream. */
  publish(event: WireEvent): void {
    const item = { seq: ++this.seq, event };
    this.ring.push(item);
    // Trim in bulk (amortized), not one splice per event.
    const keep = this.options.limits.replayEvents;
    if (this.ring.length > 2 * keep) this.ring = this.ring.slice(-keep);
    this.pending.push(item);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.flush();
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
  }

  private stopEvents(): void {
    this.stopListening?.();
    this.stopListening = null;
    clearInterval(this.drainTimer);
    this.drainTimer = undefined;
  }

  private drop(client: Client): void {
    clearTimeout(client.helloTimer);
    this.clients.delete(client);
    if (this.clients.size === 0) this.stopEvents();
  }

  private onSessionEvent(event: SessionEvent): void {
    this.publish(this.toWire(event));
    this.conflicts.observe(event);
  }

  private toWire(event: SessionEvent): WireEvent {
    if (event.type !== 'session.modified') return event;
    const limits = this.commands.previewLimits;
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

  private flush(): void {
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
      if (client.ws.bufferedAmount + text.length > this.options.limits.maxQueuedBytes) {
        // Never buffer without bound for a client that does not read: stop, tell it to resync later.
        client.subscribed = false;
        client.overflowSince = Date.now();
        continue;
      }
      client.ws.send(text);
      client.delivered = last.seq;
    }
  }

  private checkOverflowed(): void {
    for (const client of this.clients) {
      if (client.overflowSince === null) continue;
      if (client.ws.bufferedAmount < this.options.limits.maxQueuedBytes / 2) {
        client.overflowSince = null;
        this.send(client, { v: 1, type: 'resync', reason: 'overflow', lastDeliveredSeq: client.delivered });
      } else if (Date.now() - client.overflowSince > (this.options.slowConsumerMs ?? 10_000)) {
        this.refuse(
          client,
          'slow_consumer',
          CloseCode.slowConsumer,
          'The client did not read its events; closing.',
        );
      }
    }
  }

  private send(client: Client, message: AgentMessage): void {
    if (client.ws.readyState === client.ws.OPEN) client.ws.send(JSON.stringify(message));
  }

  private refuse(
    client: Client,
    code: ConnectionErrorCode,
    closeCode: number,
    message: string,
    fix?: string,
  ): void {
    this.send(client, {
      v: 1,
      type: 'error',
      code,
      message,
      ...(fix ? { fix } : {}),
      ...(code === 'version' ? { agentProtocol: { min: MIN_PROTOCOL_VERSION, max: PROTOCOL_VERSION } } : {}),
    });
    client.ws.close(closeCode, message.slice(0, 120));
  }

  private onFrame(client: Client, data: RawData, isBinary: boolean): void {
    const now = Date.now();
    if (now - client.windowStart >= 1000) {
      client.windowStart = now;
      client.windowCount = 0;
    }
    const limit = this.options.limits.maxMessagesPerSecond;
    if (++client.windowCount > limit) {
      if (client.windowCount > limit * 5)
        this.refuse(
          client,
          'rate_limited',
          CloseCode.rateLimited,
          `More than ${limit * 5} frames in a second.`,
        );
      else {
        // A dropped command is answered with its own id, so the client can roll back or retry
        // instead of waiting forever for an ack that will never come.
        const id = isBinary ? null : droppedCommandId(data);
        if (id !== null || client.windowCount === limit + 1)
          this.send(client, {
            v: 1,
            type: 'nack',
            id,
            code: 'rate_limited',
            message: `At most ${limit} frames per second; this frame was dropped.`,
          });
      }
      return;
    }
    if (isBinary) {
      this.send(client, {
        v: 1,
        type: 'nack',
        id: null,
        code: 'bad_request',
        message: 'The agent reads JSON text frames only.',
      });
      return;
    }
    const parsed = parseClientFrame(
      Array.isArray(data)
        ? Buffer.concat(data).toString('utf8')
        : Buffer.from(data as ArrayBuffer).toString('utf8'),
    );
    if (!parsed.ok) {
      this.send(client, { v: 1, type: 'nack', id: parsed.id, code: parsed.code, message: parsed.message });
      return;
    }
    const message = parsed.message;
    if (message.type === 'hello') {
      clearTimeout(client.helloTimer);
      if (message.protocol.min > PROTOCOL_VERSION || message.protocol.max < MIN_PROTOCOL_VERSION) {
        const newer = message.protocol.min > PROTOCOL_VERSION;
        this.refuse(
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
      this.send(client, welcomeFor(this.sessions, this.options, client.id));
      return;
    }
    if (!client.greeted) {
      this.send(client, {
        v: 1,
        type: 'nack',
        id: message.type === 'command' ? message.id : null,
        code: 'bad_request',
        message: 'Send hello first.',
      });
      return;
    }
    if (message.type === 'subscribe') this.subscribe(client, message.sinceSeq);
    else if (message.type === 'unsubscribe') client.subscribed = false;
    else void this.command(client, message);
  }

  private subscribe(client: Client, since: number | undefined): void {
    const oldest = this.ring[0]?.seq ?? this.seq + 1;
    const continuous = since !== undefined && since <= this.seq && since + 1 >= oldest;
    const wanted = continuous ? this.ring.filter((item) => item.seq > since) : this.ring;
    let events = wanted.slice(-this.options.limits.replayEvents);
    // Keep the snapshot well inside the client's queue budget.
    let trimmed = events.length < wanted.length;
    while (events.length > 1 && JSON.stringify(events).length > this.options.limits.maxQueuedBytes / 4) {
      events = events.slice(Math.floor(events.length / 2));
      trimmed = true;
    }
    const { clock } = this.sessions;
    this.send(client, {
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

  private async command(client: Client, command: CommandMessage): Promise<void> {
    const requestId = `a${client.id}.${command.id}`;
    const write = WRITE_OPS.includes(command.op);
    const target = 'session' in command ? maskHandle(command.session) : '-';
    try {
      const ack = await runCommand(this.commands, command, requestId);
      this.send(client, ack);
      if (write) this.audited(client, command, target, requestId, null);
    } catch (error) {
      const failure = error instanceof CommandFailure ? error : new CommandFailure('internal', String(error));
      this.send(client, {
        v: 1,
        type: 'nack',
        id: command.id,
        code: failure.code,
        message: failure.message,
        ...(failure.revision ? { revision: failure.revision } : {}),
      });
      if (write) this.audited(client, command, target, requestId, failure);
    } finally {
      this.conflicts.forget(requestId);
    }
  }

  private audited(
    client: Client,
    command: CommandMessage,
    target: string,
    requestId: string,
    failure: CommandFailure | null,
  ): void {
    audit.notice(
      `${client.id} ${command.op} session=${target} ${failure ? `refused (${failure.code})` : 'ok'}`,
    );
    const session = 'session' in command ? command.session : undefined;
    this.publish({
      type: 'agent.command',
      at: this.sessions.clock.nowMs(),
      requestId,
      ...(session ? { session } : {}),
      op: command.op,
      client: client.id,
      ok: failure === null,
      ...(failure ? { code: failure.code } : {}),
    });
  }
}

/** The id of a command frame that is being dropped, read without trusting the rest of it. */
function droppedCommandId(data: RawData): number | null {
  const text = Array.isArray(data)
    ? Buffer.concat(data).toString('utf8')
    : Buffer.from(data as ArrayBuffer).toString('utf8');
  const parsed = parseClientFrame(text);
  return parsed.ok ? (parsed.message.type === 'command' ? parsed.message.id : null) : parsed.id;
}

/**
 * The protocol's client side, under the store: hello → welcome, subscribe → snapshot → events
 * (resync on a seq gap), commands with ack/nack, reconnect with backoff keeping the timeline shown.
 * `ClientStore` (store.ts) adds the UI's operations on top; only this class talks to the transport.
 */
import {
  type AgentMessage,
  type ClientKind,
  type CommandBodies,
  type CommandOp,
  type CommandResults,
  PROTOCOL_VERSION,
  type Watch,
} from '../../server-agent/agent/protocol.js';
import { type Diagnosis, diagnose, diagnoseClose, diagnoseError, tokenChanged } from './doctor.js';
import { foldEvents, foldSnapshot } from './reduce-events.js';
import { type ClientState, initialState } from './state.js';
import type { Connection, Transport } from './transport.js';

export const CLIENT_VERSION = '0.1.0';

export class CommandError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface StoreOptions {
  client: ClientKind;
  /** Asked after a failed upgrade: which handshake check fails (the doctor probe). */
  probe?: () => Promise<Diagnosis>;
  retry?: { baseMs: number; maxMs: number };
  now?: () => number;
}

interface Waiter {
  op: CommandOp;
  resolve(result: unknown): void;
  reject(error: CommandError): void;
}

export abstract class AgentConnection {
  state: ClientState;
  private readonly listeners = new Set<() => void>();
  private transport: Transport | null = null;
  private connection: Connection | null = null;
  private readonly waiters = new Map<number, Waiter>();
  protected nextId = 1;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  protected readonly now: () => number;
  /** The watch last sent on this connection (JSON), null before the first subscribe. */
  private sentWatch: string | null = null;
  /** A resubscribe is on its way: frames until the snapshot are expected not to chain. */
  private resubscribing = false;
  /** The Timeline tab is on screen: every event whole, not only the followed session's. */
  private timelineOpen = false;
  /** This token worked before (a welcome on it, or a remembered pairing): a refusal means it changed. */
  private tokenKnownGood = false;
  private agentOrigin: string | null = null;

  constructor(protected readonly options: StoreOptions) {
    this.now = options.now ?? Date.now;
    this.state = initialState(this.now());
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  protected update(patch: Partial<ClientState> | ((s: ClientState) => ClientState)): void {
    this.state = typeof patch === 'function' ? patch(this.state) : { ...this.state, ...patch };
    this.syncWatch();
    for (const listener of this.listeners) listener();
  }

  // ---- what the agent streams to us ------------------------------------------------------------

  /**
   * Tells the agent what to send whole: the followed (or pinned) session always, everything while
   * the timeline is open. Other requests arrive as one summary each, which is what keeps the agent
   * cheap for the app while a panel stays open.
   */
  watchTimeline(open: boolean): void {
    if (this.timelineOpen === open) return;
    this.timelineOpen = open;
    this.syncWatch();
  }

  private watch(): Watch {
    const { selected } = this.state;
    return { all: this.timelineOpen, sessions: selected ? [selected] : [] };
  }

  private syncWatch(): void {
    if (this.sentWatch === null || !this.connection) return;
    const watch = this.watch();
    const text = JSON.stringify(watch);
    if (text === this.sentWatch) return;
    this.sentWatch = text;
    this.send({ v: 1, type: 'watch', watch });
  }

  private resubscribe(sinceSeq?: number): void {
    this.resubscribing = true;
    const watch = this.watch();
    this.sentWatch = JSON.stringify(watch);
    this.send({ v: 1, type: 'subscribe', watch, ...(sinceSeq ? { sinceSeq } : {}) });
  }

  // ---- connection ------------------------------------------------------------------------------

  /**
   * `remembered`: the target is a pairing saved earlier, so a token refusal says "it changed"
   * rather than "wrong token".
   */
  connect(transport: Transport, target: { origin?: string; remembered?: boolean } = {}): void {
    this.disconnect();
    this.transport = transport;
    this.tokenKnownGood = target.remembered ?? false;
    this.agentOrigin = target.origin ?? null;
    this.update({ status: 'connecting', problem: null, attempt: 0 });
    this.open();
  }

  disconnect(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.transport = null;
    const connection = this.connection;
    this.connection = null;
    connection?.close();
    this.failWaiters('Disconnected from the agent.');
  }

  /**
   * The inspected tab went to another site: drop this agent and everything it said (session,
   * cookies, list, clock, bus), so the old site's session is never shown for the new one. With
   * Preserve log the timeline stays, in a new epoch (the next agent's seqs are its own).
   */
  forgetAgent(): void {
    this.disconnect();
    const { preserveLog, timeline, epoch } = this.state;
    this.update({
      ...initialState(this.now()),
      preserveLog,
      timeline: preserveLog ? timeline : [],
      epoch: epoch + 1,
    });
  }

  /** Shows a problem without a socket (e.g. no token yet). */
  setProblem(problem: Diagnosis): void {
    this.update({ status: 'failed', problem });
  }

  private open(): void {
    const transport = this.transport;
    if (!transport) return;
    let welcomed = false;
    this.sentWatch = null;
    const connection = transport.connect({
      open: () => {
        connection.send({
          v: 1,
          type: 'hello',
          client: this.options.client,
          clientVersion: CLIENT_VERSION,
          protocol: { min: PROTOCOL_VERSION, max: PROTOCOL_VERSION },
          capabilities: ['events', 'commands', 'lazyValues', 'clock', 'list', 'search', 'conflicts', 'watch'],
        });
      },
      message: (message) => {
        if (message.type === 'welcome') welcomed = true;
        this.receive(message);
      },
      close: ({ code, opened }) => {
        if (this.connection !== connection) return;
        this.connection = null;
        this.failWaiters('The connection closed before the agent answered.');
        void this.afterClose(code, opened, welcomed);
      },
    });
    this.connection = connection;
  }

  private async afterClose(code: number, opened: boolean, welcomed: boolean): Promise<void> {
    let problem = this.state.problem?.code === 'version' ? this.state.problem : diagnoseClose(code);
    if (!problem && !welcomed && this.options.probe) problem = await this.options.probe();
    if (!problem) problem = diagnose(opened ? 'closed' : 'unreachable');
    if (problem.code === 'token' && (welcomed || this.tokenKnownGood))
      problem = tokenChanged(this.agentOrigin);
    // Wrong credentials or versions do not heal by retrying; everything else reconnects with backoff.
    const permanent = ['token', 'origin', 'host', 'peer', 'version', 'production'].includes(problem.code);
    if (permanent || !this.transport) {
      this.update({ status: 'failed', problem, nextRetryAt: null });
      return;
    }
    const { baseMs, maxMs } = this.options.retry ?? { baseMs: 500, maxMs: 10_000 };
    const attempt = this.state.attempt + 1;
    const delay = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
    this.update({ status: 'reconnecting', problem, attempt, nextRetryAt: this.now() + delay });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.open();
    }, delay);
  }

  private receive(message: AgentMessage): void {
    const receivedAt = this.now();
    switch (message.type) {
      case 'welcome':
        this.tokenKnownGood = true;
        this.update({
          status: 'open',
          problem: null,
          attempt: 0,
          nextRetryAt: null,
          welcome: message,
          bus: message.bus,
          clock: { ...message.clock, receivedAt },
        });
        this.resubscribe(this.state.lastSeq);
        return;
      case 'snapshot': {
        this.resubscribing = false;
        const folded = foldSnapshot(this.state, message, receivedAt);
        this.update({ ...folded.state, clock: { ...message.clock, receivedAt } });
        this.queueRefetch();
        return;
      }
      case 'events': {
        if (message.after !== this.state.lastSeq) {
          // A gap: something was lost between us and the agent. Ask to be brought up to date, once.
          // (Seqs themselves have holes by design: events we do not watch are left out.)
          if (!this.resubscribing) this.resubscribe(this.state.lastSeq);
          return;
        }
        const folded = foldEvents(this.state, message.events, receivedAt);
        this.update({ ...folded.state, lastSeq: message.through });
        if (folded.refetch) this.queueRefetch();
        return;
      }
      case 'resync':
        this.resubscribe(this.state.lastSeq);
        return;
      case 'ack': {
        const waiter = this.waiters.get(message.id);
        this.waiters.delete(message.id);
        waiter?.resolve(message.result);
        return;
      }
      case 'nack': {
        if (message.id === null) return;
        const waiter = this.waiters.get(message.id);
        this.waiters.delete(message.id);
        waiter?.reject(new CommandError(message.code, message.message));
        return;
      }
      case 'error':
        this.update({ problem: diagnoseError(message) });
        return;
      case 'goodbye':
        this.update({ problem: diagnose('closed', `Agent ${message.reason}; reconnecting.`) });
        return;
    }
  }

  private send(message: Parameters<Connection['send']>[0]): void {
    this.connection?.send(message);
  }

  private failWaiters(message: string): void {
    for (const [id, waiter] of this.waiters) {
      this.waiters.delete(id);
      waiter.reject(new CommandError('disconnected', message));
    }
  }

  // ---- commands ----------------------------------------------------------------------------------

  /** Sends one command; resolves with its result on ack, rejects with the nack's code and message. */
  command<K extends CommandOp>(op: K, body: CommandBodies[K]): Promise<CommandResults[K]> {
    const id = this.nextId++;
    return new Promise<CommandResults[K]>((resolve, reject) => {
      if (!this.connection || this.state.status !== 'open') {
        reject(new CommandError('disconnected', 'Not connected to the agent.'));
        return;
      }
      this.waiters.set(id, { op, resolve: resolve as (r: unknown) => void, reject });
      this.send({ v: 1, type: 'command', id, op, ...body } as Parameters<Connection['send']>[0]);
    });
  }

  /** Re-reads the selected session after anything that may have changed it. */
  protected abstract queueRefetch(): void;
}

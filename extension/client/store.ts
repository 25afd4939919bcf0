/**
 * The client store: the single source of truth for the UI. Only the store talks to the transport;
 * components read state and call the methods below. It implements the protocol's client side:
 * hello → welcome, subscribe → snapshot → events (resync on a seq gap), commands with ack/nack
 * (optimistic edits rolled back on nack), reconnect with backoff keeping the timeline shown.
 */
import {
  type AgentMessage,
  type ClientKind,
  type CommandBodies,
  type CommandOp,
  type CommandResults,
  type Handle,
  type JsonValue,
  PROTOCOL_VERSION,
  type ValuePath,
  type ValuePreview,
} from '../../server-agent/agent/protocol.js';
import { type Diagnosis, diagnose, diagnoseClose, diagnoseError } from './doctor.js';
import { foldEvents, foldSnapshot } from './reduce-events.js';
import { type ClientState, initialState, type PendingChange, pathKey } from './state.js';
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

export class ClientStore {
  state: ClientState;
  private readonly listeners = new Set<() => void>();
  private transport: Transport | null = null;
  private connection: Connection | null = null;
  private readonly waiters = new Map<number, Waiter>();
  private nextId = 1;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private refetchQueued = false;
  private readonly now: () => number;

  constructor(private readonly options: StoreOptions) {
    this.now = options.now ?? Date.now;
    this.state = initialState(this.now());
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private update(patch: Partial<ClientState> | ((s: ClientState) => ClientState)): void {
    this.state = typeof patch === 'function' ? patch(this.state) : { ...this.state, ...patch };
    for (const listener of this.listeners) listener();
  }

  // ---- connection ------------------------------------------------------------------------------

  connect(transport: Transport): void {
    this.disconnect();
    this.transport = transport;
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

  /** Shows a problem without a socket (e.g. no token yet). */
  setProblem(problem: Diagnosis): void {
    this.update({ status: 'failed', problem });
  }

  private open(): void {
    const transport = this.transport;
    if (!transport) return;
    let welcomed = false;
    const connection = transport.connect({
      open: () => {
        connection.send({
          v: 1,
          type: 'hello',
          client: this.options.client,
          clientVersion: CLIENT_VERSION,
          protocol: { min: PROTOCOL_VERSION, max: PROTOCOL_VERSION },
          capabilities: ['events', 'commands', 'lazyValues', 'clock', 'list', 'search', 'conflicts'],
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
        this.update({
          status: 'open',
          problem: null,
          attempt: 0,
          nextRetryAt: null,
          welcome: message,
          clock: { ...message.clock, receivedAt },
        });
        this.send({
          v: 1,
          type: 'subscribe',
          ...(this.state.lastSeq ? { sinceSeq: this.state.lastSeq } : {}),
        });
        return;
      case 'snapshot': {
        const folded = foldSnapshot(this.state, message, receivedAt);
        this.update({ ...folded.state, clock: { ...message.clock, receivedAt } });
        this.queueRefetch();
        return;
      }
      case 'events': {
        const first = message.events[0];
        if (!first) return;
        if (first.seq !== this.state.lastSeq + 1) {
          // A gap: something was lost between us and the agent. Ask to be brought up to date.
          this.send({ v: 1, type: 'subscribe', sinceSeq: this.state.lastSeq });
          return;
        }
        const folded = foldEvents(this.state, message.events, receivedAt);
        this.update(folded.state);
        if (folded.refetch) this.queueRefetch();
        return;
      }
      case 'resync':
        this.send({ v: 1, type: 'subscribe', sinceSeq: this.state.lastSeq });
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

  private async write<K extends CommandOp>(
    op: K,
    body: CommandBodies[K],
    change?: PendingChange,
  ): Promise<boolean> {
    if (change) this.update((s) => ({ ...s, pending: [...s.pending, change] }));
    try {
      await this.command(op, body);
      this.update({ lastFailure: null });
      return true;
    } catch (error) {
      const failure = error instanceof CommandError ? error : new CommandError('internal', String(error));
      this.update({
        lastFailure: { op, code: failure.code as 'internal', message: failure.message, at: this.now() },
      });
      return false;
    } finally {
      if (change) this.update((s) => ({ ...s, pending: s.pending.filter((p) => p.id !== change.id) }));
      this.queueRefetch();
    }
  }

  private expected(): { expectedRevision?: string } {
    const revision = this.state.confirmed?.revision;
    return revision ? { expectedRevision: revision } : {};
  }

  setValue(key: string, value: JsonValue): Promise<boolean> {
    const session = this.state.selected;
    if (!session) return Promise.resolve(false);
    const change: PendingChange = { id: this.nextId, op: 'set', key, value: { t: 'value', value } };
    return this.write('set', { session, key, value, ...this.expected() }, change);
  }

  pop(key: string): Promise<boolean> {
    const session = this.state.selected;
    if (!session) return Promise.resolve(false);
    return this.write('pop', { session, key, ...this.expected() }, { id: this.nextId, op: 'pop', key });
  }

  sessionOp(op: 'flush' | 'cycleKey' | 'expireNow'): Promise<boolean> {
    const session = this.state.selected;
    return session ? this.write(op, { session, ...this.expected() }) : Promise.resolve(false);
  }

  setExpiry(expiry: CommandBodies['setExpiry']['expiry']): Promise<boolean> {
    const session = this.state.selected;
    return session
      ? this.write('setExpiry', { session, expiry, ...this.expected() })
      : Promise.resolve(false);
  }

  travel(seconds: number): Promise<boolean> {
    return this.write('clockTravel', { seconds });
  }

  resetClock(): Promise<boolean> {
    return this.write('clockReset', {});
  }

  async loadValue(path: ValuePath): Promise<ValuePreview | null> {
    const session = this.state.selected;
    if (!session) return null;
    try {
      const { value } = await this.command('getValue', { session, path });
      this.update((s) =>
        s.selected === session ? { ...s, values: { ...s.values, [pathKey(path)]: value } } : s,
      );
      return value;
    } catch {
      return null;
    }
  }

  async listSessions(query: string, cursor: string | null = null): Promise<void> {
    this.update((s) => ({ ...s, sessions: { ...s.sessions, query, loading: true } }));
    try {
      const page = await this.command('listSessions', { query, field: 'any', cursor, limit: 50 });
      this.update((s) => ({
        ...s,
        sessions: {
          items: cursor ? [...s.sessions.items, ...page.items] : page.items,
          cursor: page.cursor,
          total: page.total,
          query,
          loading: false,
        },
      }));
    } catch (error) {
      this.update((s) => ({ ...s, sessions: { ...s.sessions, loading: false } }));
      if (error instanceof CommandError && error.code !== 'disconnected') {
        this.update({
          lastFailure: { op: 'listSessions', code: 'internal', message: error.message, at: this.now() },
        });
      }
    }
  }

  // ---- selection and view ------------------------------------------------------------------------

  /** Pins a session (follow off), or with null goes back to following the latest active one. */
  select(handle: Handle | null): void {
    this.update((s) => ({
      ...s,
      selected: handle ?? s.selected,
      follow: handle === null,
      confirmed: handle && handle !== s.selected ? null : s.confirmed,
      values: handle && handle !== s.selected ? {} : s.values,
      viewMissing: false,
    }));
    this.queueRefetch();
  }

  /** Coalesces refetches of the selected session: a burst of events costs one getSession. */
  private queueRefetch(): void {
    if (this.refetchQueued) return;
    this.refetchQueued = true;
    queueMicrotask(() => {
      this.refetchQueued = false;
      void this.refetch();
    });
  }

  async refetch(): Promise<void> {
    const session = this.state.selected;
    if (!session || this.state.status !== 'open') return;
    try {
      const view = await this.command('getSession', { session });
      if (this.state.selected !== session) return;
      const sameRevision = this.state.confirmed?.revision === view.revision;
      this.update({ confirmed: view, viewMissing: false, ...(sameRevision ? {} : { values: {} }) });
    } catch (error) {
      if (error instanceof CommandError && error.code === 'not_found' && this.state.selected === session) {
        this.update({ confirmed: null, viewMissing: true });
      }
    }
  }

  /**
   * The inspected tab finished a request the agent tagged (REQUEST_ID_HEADER): from now on follow
   * only this tab's requests, and jump to this one's session if its events already arrived.
   */
  noteRequest(requestId: string): void {
    const watched = [...(this.state.watchedRequests ?? []), requestId].slice(-200);
    this.update({ watchedRequests: watched });
    if (!this.state.follow) return;
    for (let i = this.state.timeline.length - 1; i >= 0; i--) {
      const { event } = this.state.timeline[i]!;
      if ('requestId' in event && event.requestId === requestId && event.session) {
        if (event.session !== this.state.selected) {
          this.update({
            selected: event.session,
            confirmed: null,
            pending: [],
            values: {},
            viewMissing: false,
          });
          this.queueRefetch();
        }
        return;
      }
    }
  }

  // ---- timeline controls -------------------------------------------------------------------------

  setPaused(paused: boolean): void {
    this.update((s) =>
      paused ? { ...s, paused } : { ...s, paused, timeline: [...s.timeline, ...s.held], held: [] },
    );
  }

  setPreserveLog(preserveLog: boolean): void {
    this.update({ preserveLog });
  }

  clearTimeline(): void {
    this.update({ timeline: [], held: [] });
  }

  /** The inspected page navigated: without "preserve log" the timeline starts over (as DevTools' Network). */
  navigated(): void {
    if (!this.state.preserveLog) this.clearTimeline();
  }

  importTimeline(entries: ClientState['timeline']): void {
    this.update((s) => ({ ...s, timeline: entries, held: [], paused: true }));
  }

  clearFailure(): void {
    this.update({ lastFailure: null });
  }
}

/**
 * The client store: the single source of truth for the UI. Components read `state` and call the
 * methods below; the protocol itself (socket, snapshot, events, ack/nack) lives in connection.ts.
 * Edits are optimistic (pending changes shown at once, rolled back on nack).
 */
import type {
  CommandBodies,
  CommandOp,
  CommandResults,
  Handle,
  JsonValue,
  ValuePath,
  ValuePreview,
} from '../../server-agent/agent/protocol.js';
import { AgentConnection, CommandError } from './connection.js';
import { navigationChain } from './navigation.js';
import { type ClientState, type PendingChange, pathKey } from './state.js';

export { CLIENT_VERSION, CommandError, type StoreOptions } from './connection.js';

/** Tries of a rate-limited read after the first (0.25, 0.5, 1, 2, 4 s apart). */
const READ_RETRIES = 5;

export class ClientStore extends AgentConnection {
  private refetchQueued = false;
  private readAttempt = 0;
  private readTimer: ReturnType<typeof setTimeout> | null = null;
  /** The rate-limit notice a read put in `readProblem` (cleared by that read when it ends). */
  private readNote: string | null = null;

  private async write<K extends CommandOp>(
    op: K,
    body: CommandBodies[K],
    change?: PendingChange,
  ): Promise<boolean> {
    return (await this.run(op, body, change)) !== null;
  }

  /** A write: pending change shown meanwhile, the failure kept for the UI, a refetch after. */
  private async run<K extends CommandOp>(
    op: K,
    body: CommandBodies[K],
    change?: PendingChange,
  ): Promise<CommandResults[K] | null> {
    if (change) this.update((s) => ({ ...s, pending: [...s.pending, change] }));
    try {
      const result = await this.command(op, body);
      this.update({ lastFailure: null });
      return result;
    } catch (error) {
      const failure = error instanceof CommandError ? error : new CommandError('internal', String(error));
      this.update({
        lastFailure: { op, code: failure.code as 'internal', message: failure.message, at: this.now() },
      });
      return null;
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

  /**
   * Cycles the selected session's key and keeps showing it under the new handle. `browserKey` (the
   * cookie jar's value, extension only) lets the agent hand back the new key so the caller can write
   * the browser's cookie; without it the agent carries the old cookie forward once (docs/agent.md).
   */
  async cycleKey(browserKey?: string): Promise<CommandResults['cycleKey'] | null> {
    const session = this.state.selected;
    if (!session) return null;
    const body = { session, ...this.expected(), ...(browserKey ? { browserKey } : {}) };
    const result = await this.run('cycleKey', body);
    if (result && this.state.selected === result.from) {
      this.update({ selected: result.to, confirmed: null, pending: [], values: {}, viewMissing: false });
      this.queueRefetch();
    }
    return result;
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

  /**
   * A read the agent may refuse for a burst (rate_limited): said on the Session tab and retried with
   * backoff (0.25 s → 4 s, 5 tries) instead of failing silently; any other failure is kept in
   * `lastFailure` so the UI can say it. `still()` false (the selection or query moved on) stops it.
   */
  private async read<K extends 'getValue' | 'listSessions'>(
    op: K,
    body: CommandBodies[K],
    what: string,
    still: () => boolean,
  ): Promise<CommandResults[K] | null> {
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await this.command(op, body);
        if (this.readNote !== null && this.state.readProblem === this.readNote)
          this.update({ readProblem: null });
        this.readNote = null;
        return result;
      } catch (error) {
        const failure = error instanceof CommandError ? error : new CommandError('internal', String(error));
        if (failure.code === 'rate_limited' && attempt < READ_RETRIES && still()) {
          const delay = Math.min(4000, 250 * 2 ** attempt);
          this.readNote = `The agent rate-limited ${what}; retrying in ${(delay / 1000).toFixed(2)} s (attempt ${attempt + 1} of ${READ_RETRIES}).`;
          this.update({ readProblem: this.readNote });
          await new Promise((r) => setTimeout(r, delay));
          if (still()) continue;
        }
        if (this.readNote !== null && this.state.readProblem === this.readNote)
          this.update({ readProblem: null });
        this.readNote = null;
        if (failure.code !== 'disconnected' && still())
          this.update({
            lastFailure: { op, code: failure.code as 'internal', message: failure.message, at: this.now() },
          });
        return null;
      }
    }
  }

  async loadValue(path: ValuePath): Promise<ValuePreview | null> {
    const session = this.state.selected;
    if (!session) return null;
    const where = path.map(String).join(' › ');
    const got = await this.read(
      'getValue',
      { session, path },
      `fetching ${where}`,
      () => this.state.selected === session,
    );
    if (!got) return null;
    const { value } = got;
    this.update((s) =>
      s.selected === session ? { ...s, values: { ...s.values, [pathKey(path)]: value } } : s,
    );
    return value;
  }

  async listSessions(query: string, cursor: string | null = null): Promise<void> {
    this.update((s) => ({ ...s, sessions: { ...s.sessions, query, loading: true } }));
    const page = await this.read(
      'listSessions',
      { query, field: 'any', cursor, limit: 50 },
      'the session list',
      () => this.state.sessions.query === query,
    );
    // Typing fires a search per pause: an answer for a query the box no longer holds is dropped.
    if (this.state.sessions.query !== query) return;
    if (!page) {
      this.update((s) => ({ ...s, sessions: { ...s.sessions, loading: false } }));
      return;
    }
    this.update((s) => ({
      ...s,
      sessions: {
        items: cursor ? [...s.sessions.items, ...page.items] : page.items,
        cursor: page.cursor,
        total: page.total,
        query,
        scanned: (cursor ? s.sessions.scanned : 0) + page.scanned,
        loading: false,
      },
    }));
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
  protected queueRefetch(): void {
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
      this.readAttempt = 0;
      if (this.state.selected !== session) return;
      const sameRevision = this.state.confirmed?.revision === view.revision;
      this.update({
        confirmed: view,
        viewMissing: false,
        readProblem: null,
        ...(sameRevision ? {} : { values: {} }),
      });
    } catch (error) {
      if (error instanceof CommandError && error.code === 'not_found' && this.state.selected === session) {
        this.update({ confirmed: null, viewMissing: true, readProblem: null });
      } else if (error instanceof CommandError && error.code !== 'disconnected') {
        // A burst (e.g. 2,000 logins while following) can trip the agent's rate limit: never leave the
        // Session tab blank and silent; say so and read again with backoff.
        const delay = Math.min(8000, 250 * 2 ** this.readAttempt++);
        this.update({
          readProblem: `Reading the session failed (${error.code}: ${error.message}); retrying in ${(delay / 1000).toFixed(1)} s (attempt ${this.readAttempt}).`,
        });
        if (this.readTimer) clearTimeout(this.readTimer);
        this.readTimer = setTimeout(() => {
          this.readTimer = null;
          this.queueRefetch();
        }, delay);
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

  /**
   * The inspected page navigated: without "preserve log" the timeline starts over, keeping the
   * navigation's own redirect chain, as DevTools' Network panel does.
   */
  navigated(url = ''): void {
    if (this.state.preserveLog) return;
    this.update((s) => ({ ...s, timeline: navigationChain(s.timeline, url), held: [] }));
  }

  importTimeline(entries: ClientState['timeline']): void {
    this.update((s) => ({ ...s, timeline: entries, held: [], paused: true }));
  }

  clearFailure(): void {
    this.update({ lastFailure: null });
  }
}

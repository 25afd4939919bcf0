/**
 * Lost-update detection. Django saves the whole session dict, so when two overlapping requests on
 * one session both save, the later save silently reverts what the earlier one wrote. We watch the
 * event stream: per session, a counter of saves; per request, the counter it loaded at and the
 * keys it modified. A save by a request that loaded before another request's save overwrote that
 * request's keys: emit `session.conflict` naming them.
 *
 * This runs for every request while a client is connected, watched or not (the summary carries the
 * marker), so the common case is kept to a few field updates: keys are small arrays, not Sets; a
 * save's record takes over the request's key list instead of copying it; and the overlap check
 * walks back from the newest save, stopping at the first one the request already saw (with no
 * overlap, that is the first one it looks at). A save is remembered only while another request on
 * its session is in flight: only such a request can have loaded before it and save after it. With
 * one request at a time per session (the usual case) nothing outlives its request, which matters
 * under load: records kept for many requests are what the garbage collector keeps copying.
 */
import type { SessionEvent, SessionEvents } from '../sessions/events.js';

interface RequestTrack {
  session: string;
  loadedAfterSave: number;
  /** Keys modified since the load or the request's last save (distinct; null while none). */
  modified: string[] | null;
}
interface SaveRecord {
  counter: number;
  requestId: string;
  keys: string[] | null;
}
interface SessionTrack {
  counter: number;
  /** Tracked requests on this session that have not ended. */
  open: number;
  /** The last KEEP_SAVES saves, oldest first. */
  saves: SaveRecord[];
}

const KEEP_SAVES = 32;
const MAX_TRACKED = 5000;

export class ConflictTracker {
  private readonly requests = new Map<string, RequestTrack>();
  private readonly sessionsByHandle = new Map<string, SessionTrack>();
  /** Requests whose store already reported this save's conflict (compare-and-swap, cas.ts). */
  private readonly reportedByStore = new Set<string>();

  constructor(private readonly events: SessionEvents) {}

  observe(event: SessionEvent): void {
    switch (event.type) {
      case 'session.loaded':
        if (event.requestId && event.session && event.outcome === 'hit')
          this.track(event.requestId, event.session);
        break;
      case 'session.modified': {
        const track = event.requestId ? this.requests.get(event.requestId) : undefined;
        if (track && track.session === event.session) {
          if (!track.modified) track.modified = [event.key];
          else if (!track.modified.includes(event.key)) track.modified.push(event.key);
        }
        break;
      }
      case 'session.saved':
        if (event.requestId && event.session) this.saved(event.requestId, event.session, event.at);
        break;
      case 'session.conflict':
        // The store's compare-and-swap saw it first, exactly and across processes: one marker only.
        if (event.requestId && event.detectedBy === 'store') this.reportedByStore.add(event.requestId);
        break;
      case 'request.end':
        if (event.requestId) this.forget(event.requestId);
        break;
      default:
    }
  }

  /** The request (or agent command) is over. */
  forget(requestId: string): void {
    const request = this.requests.get(requestId);
    if (request) {
      this.requests.delete(requestId);
      this.release(request);
    }
    if (this.reportedByStore.size > 0) this.reportedByStore.delete(requestId);
  }

  /** One request fewer in flight on its session; with none left, its saves can go. */
  private release(request: RequestTrack): void {
    const session = this.sessionsByHandle.get(request.session);
    if (!session || --session.open > 0) return;
    session.open = 0;
    // Nobody in flight loaded before these saves: no later save can overwrite them.
    if (session.saves.length > 0) session.saves = [];
  }

  private sessionTrack(handle: string): SessionTrack {
    let track = this.sessionsByHandle.get(handle);
    if (!track) {
      if (this.sessionsByHandle.size >= MAX_TRACKED) {
        const oldest = this.sessionsByHandle.keys().next().value;
        if (oldest !== undefined) this.sessionsByHandle.delete(oldest);
      }
      track = { counter: 0, open: 0, saves: [] };
      this.sessionsByHandle.set(handle, track);
    }
    return track;
  }

  private track(requestId: string, handle: string): void {
    if (this.requests.size >= MAX_TRACKED) {
      const oldest = this.requests.keys().next().value;
      if (oldest !== undefined) this.forget(oldest);
    }
    // A second load in the same request replaces its first: still one request in flight.
    const again = this.requests.get(requestId);
    if (again) this.release(again);
    const session = this.sessionTrack(handle);
    session.open++;
    this.requests.set(requestId, { session: handle, loadedAfterSave: session.counter, modified: null });
  }

  private saved(requestId: string, handle: string, at: number): void {
    const session = this.sessionTrack(handle);
    const request = this.requests.get(requestId);
    const tracked = request !== undefined && request.session === handle;
    if (tracked) {
      let overwritten: Set<string> | undefined;
      const { saves } = session;
      // Saves are in counter order: only those after the load can have been overwritten.
      for (let i = saves.length - 1; i >= 0; i--) {
        const save = saves[i] as SaveRecord;
        if (save.counter <= request.loadedAfterSave) break;
        if (save.requestId === requestId || !save.keys) continue;
        overwritten ??= new Set();
        for (const key of save.keys) overwritten.add(key);
      }
      if (overwritten && !this.reportedByStore.delete(requestId)) {
        this.events.emit('session.conflict', {
          at,
          requestId,
          session: handle,
          overwrittenKeys: [...overwritten],
        });
      }
      // Later saves by this same request build on what it has now written.
      request.loadedAfterSave = session.counter + 1;
    }
    session.counter++;
    // The record takes the request's list; the request starts a new one if it modifies again. A
    // save without keys, or with no other request in flight to overwrite it later, needs none.
    const keys = request ? request.modified : null;
    const othersOpen = session.open - (tracked ? 1 : 0) > 0;
    if (keys && othersOpen) session.saves.push({ counter: session.counter, requestId, keys });
    if (request) request.modified = null;
    if (session.saves.length > 2 * KEEP_SAVES) session.saves.splice(0, KEEP_SAVES);
  }
}

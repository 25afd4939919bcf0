/**
 * Lost-update detection. Django saves the whole session dict, so when two overlapping requests on
 * one session both save, the later save silently reverts what the earlier one wrote. We watch the
 * event stream: per session, a counter of saves; per request, the counter it loaded at and the
 * keys it modified. A save by a request that loaded before another request's save overwrote that
 * request's keys: emit `session.conflict` naming them.
 */
import type { SessionEvent, SessionEvents } from '../sessions/events.js';

interface RequestTrack {
  session: string;
  loadedAfterSave: number;
  modified: Set<string>;
}
interface SaveRecord {
  counter: number;
  requestId: string;
  keys: Set<string>;
}
interface SessionTrack {
  counter: number;
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
    const requestId = 'requestId' in event ? event.requestId : undefined;
    if (!requestId) return;
    switch (event.type) {
      case 'session.loaded':
        if (event.session && event.outcome === 'hit') this.track(requestId, event.session);
        break;
      case 'session.modified': {
        const track = this.requests.get(requestId);
        if (track && track.session === event.session) track.modified.add(event.key);
        break;
      }
      case 'session.saved':
        if (event.session) this.saved(requestId, event.session, event.at);
        break;
      case 'session.conflict':
        // The store's compare-and-swap saw it first, exactly and across processes: one marker only.
        if (event.detectedBy === 'store') this.reportedByStore.add(requestId);
        break;
      case 'request.end':
        this.forget(requestId);
        break;
      default:
    }
  }

  /** The request (or agent command) is over. */
  forget(requestId: string): void {
    this.requests.delete(requestId);
    this.reportedByStore.delete(requestId);
  }

  private sessionTrack(handle: string): SessionTrack {
    let track = this.sessionsByHandle.get(handle);
    if (!track) {
      if (this.sessionsByHandle.size >= MAX_TRACKED) {
        const oldest = this.sessionsByHandle.keys().next().value;
        if (oldest !== undefined) this.sessionsByHandle.delete(oldest);
      }
      track = { counter: 0, saves: [] };
      this.sessionsByHandle.set(handle, track);
    }
    return track;
  }

  private track(requestId: string, handle: string): void {
    if (this.requests.size >= MAX_TRACKED) {
      const oldest = this.requests.keys().next().value;
      if (oldest !== undefined) this.requests.delete(oldest);
    }
    this.requests.set(requestId, {
      session: handle,
      loadedAfterSave: this.sessionTrack(handle).counter,
      modified: new Set(),
    });
  }

  private saved(requestId: string, handle: string, at: number): void {
    const session = this.sessionTrack(handle);
    const request = this.requests.get(requestId);
    if (request && request.session === handle) {
      const overwritten = new Set<string>();
      for (const save of session.saves) {
        if (save.counter > request.loadedAfterSave && save.requestId !== requestId)
          for (const key of save.keys) overwritten.add(key);
      }
      if (overwritten.size > 0 && !this.reportedByStore.delete(requestId)) {
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
    session.saves.push({ counter: session.counter, requestId, keys: new Set(request?.modified ?? []) });
    if (session.saves.length > KEEP_SAVES) session.saves.shift();
    if (request) request.modified.clear();
  }
}

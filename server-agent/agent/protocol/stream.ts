/**
 * The state stream: subscribe, snapshot, ordered event batches, resync, and what a client watches.
 * Every event the agent records gets the next seq; each client receives the subset it watches, so
 * its seqs have holes by design. Continuity is told by `after` / `through`, not by seq + 1.
 */
import type { SequencedEvent } from './events.js';
import type { ClockState, Handle } from './values.js';

/**
 * What a client receives in full. Events of watched sessions (and, with `all`, of every session)
 * come whole; every HTTP request that is not watched comes as one `request.summary`. Events outside
 * requests that name no session (clock changes) and `agent.command` audits always come whole.
 */
export interface Watch {
  /** Every event in full (a timeline that is open; the default until the client sends `watch`). */
  all: boolean;
  /** Sessions followed in full. A watched session whose key is cycled stays watched under its new handle. */
  sessions: Handle[];
}

export interface SubscribeMessage {
  v: 1;
  type: 'subscribe';
  /** Last seq the client holds; the agent replays from there if it still can. */
  sinceSeq?: number;
  /** Replaces the client's watch before the snapshot is built. */
  watch?: Watch;
}

/** Changes what the client receives from the next event on (no answer; the snapshot is not redone). */
export interface WatchMessage {
  v: 1;
  type: 'watch';
  watch: Watch;
}

export interface UnsubscribeMessage {
  v: 1;
  type: 'unsubscribe';
}

export interface SnapshotMessage {
  v: 1;
  type: 'snapshot';
  /** The seq of the last event included; the next `events` batch starts at seq + 1. */
  seq: number;
  /** True: `events` continue exactly from the client's sinceSeq. False: drop local state, start over. */
  continuous: boolean;
  clock: ClockState;
  /** Recent events (at most limits.replayEvents), oldest first. */
  events: SequencedEvent[];
}

export interface EventsMessage {
  v: 1;
  type: 'events';
  /** The last seq this client already held; not its last seq means events were lost: `subscribe {sinceSeq}`. */
  after: number;
  /** The last seq this frame accounts for (seqs after `after` up to here that are missing were not watched). */
  through: number;
  events: SequencedEvent[];
}

export interface ResyncMessage {
  v: 1;
  type: 'resync';
  reason: 'overflow' | 'clock';
  /** Last seq the agent delivered before dropping. */
  lastDeliveredSeq: number;
}

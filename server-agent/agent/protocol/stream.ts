/** The state stream: subscribe, snapshot, ordered event batches, resync. */
import type { SequencedEvent } from './events.js';
import type { ClockState } from './values.js';

export interface SubscribeMessage {
  v: 1;
  type: 'subscribe';
  /** Last seq the client holds; the agent replays from there if it still can. */
  sinceSeq?: number;
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
  /** Consecutive seqs; a gap means the client must `subscribe {sinceSeq}` again. */
  events: SequencedEvent[];
}

export interface ResyncMessage {
  v: 1;
  type: 'resync';
  reason: 'overflow' | 'clock';
  /** Last seq the agent delivered before dropping. */
  lastDeliveredSeq: number;
}

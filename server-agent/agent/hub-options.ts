/** The hub's settings and the default limits a connection gets (announced in `welcome`). */
import type { Limits } from './protocol.js';
import type { Redactor } from './redact.js';

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
  // Nobody reads a request list scrolling at 1,000 rows a second, and the panel's timeline keeps
  // 2,000 entries; each summarized request costs the app tens of µs under HTTP load, so at
  // 11,000 req/s this budget is about half of the streaming agent's remaining cost
  // (docs/benchmarks.md, Agent).
  summariesPerSecond: 1000,
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

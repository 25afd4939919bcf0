/** The hub's settings and the default limits a connection gets (announced in `welcome`). */
import { ImproperlyConfigured } from '../sessions/errors.js';
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

/**
 * The defaults with the app's `limits` over them. A limit that is not a number ≥ 0, or a name this
 * agent does not know (a typo would otherwise be ignored silently), fails attachAgent at once.
 */
export function resolveLimits(given: Partial<Limits> | undefined): Limits {
  const limits: Limits = { ...DEFAULT_LIMITS, ...given };
  const known = Object.keys(DEFAULT_LIMITS);
  for (const [name, value] of Object.entries(limits)) {
    if (!known.includes(name))
      throw new ImproperlyConfigured(
        `attachAgent: limits.${name} is not a limit. Known limits: ${known.join(', ')}.`,
      );
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
      throw new ImproperlyConfigured(
        `attachAgent: limits.${name} must be a number ≥ 0, got ${typeof value === 'number' ? String(value) : typeof value}. Write limits: { ${name}: ${DEFAULT_LIMITS[name as keyof Limits]} } (the default), or leave it out.`,
      );
  }
  return limits;
}

export interface HubOptions {
  readOnly: boolean;
  redact: Redactor;
  limits: Limits;
  handshakeTimeoutMs: number;
  agentVersion: string;
  /** How long a client may stay unable to take events before it is closed. */
  slowConsumerMs?: number;
}

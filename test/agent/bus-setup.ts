/**
 * What the agent-bus tests share (bus.test.ts: two in-process agents; cluster.test.ts: the demo
 * under node:cluster): the PostgreSQL they use, a private redis-server, polling until the bus has
 * caught up, the bus as a client last saw it, and dropping a run's own schema afterwards.
 */
import pg from 'pg';
import type { BusInfo } from '../../server-agent/agent/protocol.js';
import { type OwnRedis, startOwnRedis } from '../reliability/own-services.js';
import { IN_CI } from '../helpers/services.js';
import type { Client } from './harness.js';

/** The shared server; each run works in a schema and bus channel of its own. */
export const POSTGRES = 'postgres://postgres@127.0.0.1:5432/test';

/**
 * Polls `probe` until it returns something truthy (bus traffic has no event to await: presence
 * and fan-in arrive when they arrive); throws 'timed out' after `timeoutMs`.
 */
export async function until<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  { timeoutMs = 5000, everyMs = 20 }: { timeoutMs?: number; everyMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** The bus as the client last heard of it: the welcome's, updated by every agent.bus event. */
export function busOf(client: Client): BusInfo | null {
  let bus: BusInfo | null = null;
  for (const m of client.messages) {
    if (m.type === 'welcome') bus = m.bus;
    if (m.type === 'events' || m.type === 'snapshot')
      for (const { event } of m.events) if (event.type === 'agent.bus') bus = event.bus;
  }
  return bus;
}

/**
 * A private redis-server, or null where none can start (the Redis tests then skip); under CI
 * (CI=true) a redis-server that cannot start fails the run instead, as a missing service does.
 */
export function ownRedisOrNull(): Promise<OwnRedis | null> {
  return startOwnRedis().catch((error: unknown) => {
    if (IN_CI) throw new Error(`redis-server could not start; .ci/run must install it (${String(error)})`);
    return null;
  });
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client(POSTGRES);
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
}

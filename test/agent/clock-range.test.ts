/**
 * S2: clockTravel to moments no engine can store (1e300, −1e300, 8.64e12 s) is refused with a
 * clear nack; the clock does not move, requests keep working, and clockReset never fails. Run on
 * SQLite and on PostgreSQL (a schema of its own).
 */
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { requireService } from '../helpers/services.js';
import { Client, type Harness, quietLogs, startHarness } from './harness.js';

const PG = 'postgres://postgres@127.0.0.1:5432/test';
const pgUp = await requireService('PostgreSQL', 5432);
const schema = `ss_clock_${process.pid}_${Date.now().toString(36)}`;

afterAll(async () => {
  if (!pgUp) return;
  const client = new pg.Client({ connectionString: PG });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
});

const engines: { name: string; up: boolean; sessionOptions?: Record<string, unknown> }[] = [
  { name: 'SQLite', up: true },
  { name: 'PostgreSQL', up: pgUp, sessionOptions: { DATABASE_URL: `${PG}?schema=${schema}` } },
];

for (const engine of engines) {
  describe.skipIf(!engine.up)(`S2 virtual clock range on ${engine.name}`, () => {
    it(`S2 clockTravel 1e300 / −1e300 / 8.64e12 s is refused with a clear nack and clockReset always works (${engine.name})`, async () => {
      const logs = quietLogs();
      let harness: Harness | undefined;
      try {
        harness = await startHarness({ sessionOptions: engine.sessionOptions });
        const cookie = (await fetch(`${harness.baseUrl}/set?user=ada`)).headers.get('set-cookie') ?? '';
        const key = /sessionid=([^;]+)/.exec(cookie)?.[1] as string;
        const client = await Client.ready(harness.agent.wsUrl, harness.agent.token);
        const offset = harness.sessions.clock.offsetSeconds;
        for (const seconds of [1e300, -1e300, 8.64e12, -8.64e12, 1e15]) {
          const answer = await client.command('clockTravel', { seconds });
          expect(answer.type, String(seconds)).toBe('nack');
          if (answer.type === 'nack') {
            expect(answer.code).toBe('invalid_value');
            expect(answer.message).toMatch(/outside 1970-01-01 … 9000-01-01/);
          }
          expect(harness.sessions.clock.offsetSeconds).toBe(offset);
        }
        const far = await client.command('clockTravel', { to: '9999-12-31T00:00:00Z' });
        expect(far.type).toBe('nack');
        // Still a working app: the visitor keeps the session, nothing is deleted.
        const reply = await fetch(`${harness.baseUrl}/dump`, { headers: { cookie: `sessionid=${key}` } });
        expect(reply.status).toBe(200);
        expect(await reply.json()).toEqual({ user: 'ada' });
        // A long but storable trip works, and reset brings it back.
        const travelled = await client.ok('clockTravel', { seconds: 100 * 365 * 86400 });
        expect(travelled.offsetSeconds).toBe(100 * 365 * 86400);
        const reset = await client.ok('clockReset', {});
        expect(reset.offsetSeconds).toBe(0);
        client.ws.close();
      } finally {
        await harness?.close();
        logs.restore();
      }
    });
  });
}

describe('S2 clockReset never fails', () => {
  it('S2 clockReset succeeds even when listing the store fails', async () => {
    const logs = quietLogs();
    const harness = await startHarness({});
    try {
      const client = await Client.ready(harness.agent.wsUrl, harness.agent.token);
      await client.ok('clockTravel', { seconds: 3600 });
      const store = harness.sessions.store as { list?: unknown };
      store.list = async () => {
        throw new RangeError('Invalid time value');
      };
      const reset = await client.ok('clockReset', {});
      expect(reset.offsetSeconds).toBe(0);
      client.ws.close();
    } finally {
      await harness.close();
      logs.restore();
    }
  });
});

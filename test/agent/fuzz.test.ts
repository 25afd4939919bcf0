/**
 * Protocol fuzz: random frames, invalid JSON, unknown ops, random command bodies, binary,
 * oversized and fragmented frames. Bounded iterations with a printed seed. Afterwards the process
 * is alive, the agent still answers, the app still serves, and heap growth is bounded.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_OPS } from '../../server-agent/agent/protocol.js';
import { Client, type Harness, quietLogs, startHarness } from './harness.js';

let harness: Harness;
let logs: ReturnType<typeof quietLogs>;
const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);

beforeAll(async () => {
  logs = quietLogs();
  // A high rate cap so the fuzzer exercises the parser rather than the limiter.
  harness = await startHarness({ limits: { maxMessagesPerSecond: 100_000 } });
  await fetch(`${harness.baseUrl}/set?name=ada`);
});
afterAll(async () => {
  await harness.close();
  logs.restore();
});

const json = fc.jsonValue({ maxDepth: 3 });
const frame = fc.oneof(
  fc.string({ maxLength: 200 }),
  json.map((value) => JSON.stringify(value)),
  fc
    .record({
      v: fc.constantFrom(1, 2, '1'),
      type: fc.constantFrom('hello', 'subscribe', 'command', 'nope', 'unsubscribe'),
      id: fc.oneof(fc.nat(), fc.string()),
    })
    .map((value) => JSON.stringify(value)),
  fc
    .record({
      id: fc.nat(),
      op: fc.oneof(fc.constantFrom(...COMMAND_OPS), fc.string({ maxLength: 12 })),
      session: fc.oneof(fc.string({ maxLength: 20 }), fc.constant('x'.repeat(16))),
      key: fc.string({ maxLength: 10 }),
      value: json,
      path: fc.array(fc.oneof(fc.string({ maxLength: 5 }), fc.integer()), { maxLength: 4 }),
      expiry: fc.oneof(
        fc.integer(),
        fc.string({ maxLength: 30 }),
        fc.constant(null),
        fc.record({ seconds: fc.integer() }),
      ),
      seconds: fc.integer({ min: -10, max: 10 }),
      limit: fc.integer({ min: -5, max: 500 }),
    })
    .map((body) => JSON.stringify({ v: 1, type: 'command', ...body })),
);

describe('protocol fuzz', () => {
  it(`random frames never crash the agent (seed ${seed})`, async () => {
    const client = await Client.connect(harness.agent.wsUrl, harness.agent.token);
    await client.hello();
    const frames = fc.sample(frame, { numRuns: 2000, seed });
    const heapBefore = process.memoryUsage().heapUsed;
    for (const [index, text] of frames.entries()) {
      client.send(text);
      if (index % 200 === 0) client.ws.send(Buffer.from([0, 1, 2, 255]), { binary: true });
    }
    // Everything answered: a final command round-trips after the storm.
    // The fuzzed commands name sessions that do not exist, so the one real session is intact.
    const list = await client.ok('listSessions', {});
    expect(list.items).toHaveLength(1);
    const view = await client.ok('getSession', { session: list.items[0]!.session });
    expect(view.entries).toContainEqual(['name', { t: 'value', value: 'ada' }]);
    expect(client.closed).toBeNull();
    const nacks = client.messages.filter((m) => m.type === 'nack');
    expect(nacks.length).toBeGreaterThan(100);
    expect(nacks.some((m) => m.type === 'nack' && m.code === 'unknown_op')).toBe(true);
    expect(nacks.some((m) => m.type === 'nack' && m.message.includes('not valid JSON'))).toBe(true);
    // The clock may have been moved by fuzzed clockTravel frames: put it back.
    await client.ok('clockReset', {});
    await client.close();
    global.gc?.();
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 1024 * 1024);
  });

  it('oversized frames close with 1009; fragmented frames reassemble; the agent stays up', async () => {
    const client = await Client.connect(harness.agent.wsUrl, harness.agent.token);
    await client.hello();
    // A valid command sent as three fragments.
    const text = JSON.stringify({ v: 1, type: 'command', id: 77, op: 'listSessions' });
    const third = Math.ceil(text.length / 3);
    client.ws.send(text.slice(0, third), { fin: false });
    client.ws.send(text.slice(third, 2 * third), { fin: false });
    client.ws.send(text.slice(2 * third), { fin: true });
    expect(await client.next((m) => m.type === 'ack' && m.id === 77)).toMatchObject({ op: 'listSessions' });
    // Fragments adding up past maxPayload.
    for (let i = 0; i < 5; i++) client.ws.send('x'.repeat(300 * 1024), { fin: false });
    client.ws.send('x', { fin: true });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(client.closed?.code).toBe(1009);

    for (let round = 0; round < 20; round++) {
      const big = await Client.connect(harness.agent.wsUrl, harness.agent.token);
      big.send('y'.repeat(1024 * 1024 + 1));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    const after = await Client.ready(harness.agent.wsUrl, harness.agent.token);
    expect((await after.ok('listSessions', {})).items.length).toBeGreaterThan(0);
    expect(await (await fetch(`${harness.baseUrl}/get`)).text()).toBe('ok');
    await after.close();
  });
});

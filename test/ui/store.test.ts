// @vitest-environment happy-dom
/** The client store against an in-memory agent: snapshot, deltas, seq-gap resync, optimistic commands, reconnect. */
import { describe, expect, it } from 'vitest';
import {
  type ClientMessage,
  type CommandMessage,
  PROTOCOL_VERSION,
} from '../../server-agent/agent/protocol.js';
import { displayedView } from '../../extension/client/state.js';
import { ClientStore } from '../../extension/client/store.js';
import { MemoryTransport } from '../../extension/client/transport.js';
import { HANDLE, requestEnd, seq, view, welcome } from './fixtures.js';

const flush = () => new Promise((r) => setTimeout(r, 0));

/** A scripted agent: answers hello/subscribe/getSession; other commands are answered by the test. */
function agent(transport: MemoryTransport, entries = view([['color', { t: 'value', value: 'red' }]])) {
  const commands: CommandMessage[] = [];
  transport.onSend = (m: ClientMessage) => {
    if (m.type === 'hello') queueMicrotask(() => transport.push(welcome()));
    // A fresh subscribe gets the recorded history; a resume (sinceSeq) continues with nothing missed.
    if (m.type === 'subscribe')
      queueMicrotask(() =>
        transport.push(
          m.sinceSeq
            ? {
                v: 1,
                type: 'snapshot',
                seq: m.sinceSeq,
                continuous: true,
                clock: welcome().clock,
                events: [],
              }
            : {
                v: 1,
                type: 'snapshot',
                seq: 1,
                continuous: false,
                clock: welcome().clock,
                events: [seq(1, requestEnd('r1'))],
              },
        ),
      );
    if (m.type === 'command') {
      if (m.op === 'getSession')
        queueMicrotask(() =>
          transport.push({ v: 1, type: 'ack', id: m.id, op: 'getSession', result: entries }),
        );
      else commands.push(m);
    }
  };
  return commands;
}

async function connected() {
  const transport = new MemoryTransport();
  const commands = agent(transport);
  const store = new ClientStore({ client: 'test', retry: { baseMs: 5, maxMs: 20 } });
  store.connect(transport);
  await flush();
  await flush();
  return { store, transport, commands };
}

describe('client store', () => {
  it('says hello, subscribes, folds the snapshot and follows the latest session', async () => {
    const { store, transport } = await connected();
    expect(transport.sent[0]).toMatchObject({
      type: 'hello',
      client: 'test',
      protocol: { min: PROTOCOL_VERSION, max: PROTOCOL_VERSION },
    });
    expect(transport.sent[1]).toMatchObject({ type: 'subscribe' });
    expect(store.state.status).toBe('open');
    expect(store.state.lastSeq).toBe(1);
    expect(store.state.selected).toBe(HANDLE);
    expect(store.state.confirmed?.entries).toEqual([['color', { t: 'value', value: 'red' }]]);
  });

  it('applies consecutive deltas and resubscribes from the last seq on a gap', async () => {
    const { store, transport } = await connected();
    transport.push({ v: 1, type: 'events', after: 1, through: 2, events: [seq(2, requestEnd('r2'))] });
    expect(store.state.lastSeq).toBe(2);
    expect(store.state.timeline).toHaveLength(2);
    const before = transport.sent.length;
    transport.push({ v: 1, type: 'events', after: 4, through: 5, events: [seq(5, requestEnd('r5'))] });
    expect(store.state.lastSeq).toBe(2);
    expect(store.state.timeline).toHaveLength(2);
    expect(transport.sent.slice(before)).toContainEqual({
      v: 1,
      type: 'subscribe',
      sinceSeq: 2,
      watch: { all: false, sessions: [HANDLE] },
    });
  });

  it('shows a set at once and keeps it on ack', async () => {
    const { store, transport, commands } = await connected();
    const done = store.setValue('color', 'blue');
    expect(displayedView(store.state)?.entries).toEqual([['color', { t: 'value', value: 'blue' }]]);
    const cmd = commands.at(-1)!;
    expect(cmd).toMatchObject({
      op: 'set',
      session: HANDLE,
      key: 'color',
      value: 'blue',
      expectedRevision: 'r1',
    });
    transport.push({ v: 1, type: 'ack', id: cmd.id, op: 'set', result: { revision: 'r2' } });
    await expect(done).resolves.toBe(true);
    expect(store.state.pending).toEqual([]);
    expect(store.state.lastFailure).toBeNull();
  });

  it('rolls an optimistic pop back on nack and keeps the reason', async () => {
    const { store, transport, commands } = await connected();
    const done = store.pop('color');
    expect(displayedView(store.state)?.entries).toEqual([]);
    const cmd = commands.at(-1)!;
    transport.push({
      v: 1,
      type: 'nack',
      id: cmd.id,
      code: 'conflict',
      message: 'session changed meanwhile',
      revision: 'r9',
    });
    await expect(done).resolves.toBe(false);
    expect(displayedView(store.state)?.entries).toEqual([['color', { t: 'value', value: 'red' }]]);
    expect(store.state.lastFailure).toMatchObject({
      op: 'pop',
      code: 'conflict',
      message: 'session changed meanwhile',
    });
  });

  it('reconnects with backoff after the agent goes away, keeping the timeline and resuming from its seq', async () => {
    const { store, transport } = await connected();
    transport.push({ v: 1, type: 'events', after: 1, through: 2, events: [seq(2, requestEnd('r2'))] });
    transport.drop();
    await flush();
    expect(store.state.status).toBe('reconnecting');
    expect(store.state.timeline).toHaveLength(2);
    await new Promise((r) => setTimeout(r, 30));
    await flush();
    expect(transport.connects).toBe(2);
    expect(store.state.status).toBe('open');
    expect(transport.sent.filter((m) => m.type === 'subscribe').at(-1)).toEqual({
      v: 1,
      type: 'subscribe',
      sinceSeq: 2,
      watch: { all: false, sessions: [HANDLE] },
    });
    expect(store.state.timeline.map((e) => e.seq)).toEqual([1, 2]);
  });

  it('stops retrying when the doctor finds a wrong token', async () => {
    const transport = new MemoryTransport();
    transport.refuseNext = true;
    const store = new ClientStore({
      client: 'test',
      probe: async () => ({ code: 'token', title: 'Token refused', fix: 'paste the new URL' }),
    });
    store.connect(transport);
    await flush();
    await flush();
    expect(store.state.status).toBe('failed');
    expect(store.state.problem?.code).toBe('token');
    expect(transport.connects).toBe(1);
  });

  it('keeps the old timeline and opens a new epoch when the agent restarted (seqs start over)', async () => {
    const { store, transport } = await connected();
    transport.push({ v: 1, type: 'events', after: 1, through: 2, events: [seq(2, requestEnd('r2'))] });
    transport.push({
      v: 1,
      type: 'snapshot',
      seq: 1,
      continuous: false,
      clock: welcome().clock,
      events: [seq(1, requestEnd('new'))],
    });
    expect(store.state.timeline.map((e) => [e.epoch, e.seq])).toEqual([
      [0, 1],
      [0, 2],
      [1, 1],
    ]);
  });

  it('holds events while paused and releases them on resume', async () => {
    const { store, transport } = await connected();
    store.setPaused(true);
    transport.push({ v: 1, type: 'events', after: 1, through: 2, events: [seq(2, requestEnd('r2'))] });
    expect(store.state.timeline).toHaveLength(1);
    expect(store.state.held).toHaveLength(1);
    store.setPaused(false);
    expect(store.state.timeline).toHaveLength(2);
  });
});

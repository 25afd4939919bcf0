/**
 * U12 the panel follows the inspected tab to another origin: the old site's agent state is dropped,
 * each origin uses its own pairing, "no agent on this origin" when there is none, and a slow answer
 * about a site the tab already left never lands.
 */
import { scriptedAgent } from './harness.js';
import { describe, expect, it } from 'vitest';
import type { Diagnosis } from '../../extension/client/doctor.js';
import { followOrigins, originOf } from '../../extension/client/inspected-origin.js';
import { savePairing } from '../../extension/client/pairing.js';
import { ClientStore } from '../../extension/client/store.js';
import type { AgentTarget, MemoryTransport } from '../../extension/client/transport.js';
import type { KeyValueStorage } from '../../extension/platform/types.js';
import { HANDLE, view } from './fixtures.js';

const tick = () => new Promise((r) => setTimeout(r, 0));
const A = 'http://localhost:3000';
const B = 'http://localhost:4000';
const C = 'http://127.0.0.1:5000';

function memoryStorage(): KeyValueStorage {
  const map = new Map<string, string>();
  return {
    get: async (k) => map.get(k) ?? null,
    set: async (k, v) => void map.set(k, v),
    remove: async (k) => void map.delete(k),
  };
}

/** A scripted agent per origin on an in-memory wire, so the store really connects and folds state. */
function agentTransport(user: string): MemoryTransport {
  return scriptedAgent((m, transport) => {
    if (m.op === 'getSession')
      queueMicrotask(() =>
        transport.push({
          v: 1,
          type: 'ack',
          id: m.id,
          op: 'getSession',
          result: view([['user', { t: 'value', value: user }]]),
        }),
      );
  });
}

function setup(probes: Record<string, () => Promise<Diagnosis>>) {
  const store = new ClientStore({ client: 'test' });
  const connected: { target: AgentTarget; remembered: boolean | undefined }[] = [];
  const shown: (string | null)[] = [];
  const storage = memoryStorage();
  const follower = followOrigins({
    storage,
    probe: (origin) => (probes[origin] ?? (async () => ({ code: 'unreachable', title: '', fix: '' })))(),
    shell: {
      store,
      setOrigin: (origin) => shown.push(origin),
      connect(target, remembered) {
        connected.push({ target, remembered });
        store.connect(agentTransport(target.origin === A ? 'alice' : 'bob'), {
          origin: target.origin,
          remembered,
        });
      },
    },
  });
  return { store, follower, connected, shown, storage };
}

const found = async (): Promise<Diagnosis> => ({ code: 'closed', title: '', fix: '' });
const settle = async () => {
  for (let i = 0; i < 6; i++) await tick();
};

describe('U12 following the inspected origin', () => {
  it('originOf keeps http(s) origins only', () => {
    expect(originOf('http://localhost:3000/cart?x=1')).toBe(A);
    expect(originOf('chrome://newtab/')).toBeNull();
    expect(originOf('about:blank')).toBeNull();
    expect(originOf('not a url')).toBeNull();
  });

  it('leaving a site drops its session, list and timeline; each origin connects with its own pairing', async () => {
    const { store, follower, connected, shown, storage } = setup({ [B]: found });
    await savePairing(storage, A, { origin: A, token: 'token-a-0123456789abcdef' });
    await follower.arrive(`${A}/`);
    await settle();
    expect(connected).toEqual([
      { target: { origin: A, token: 'token-a-0123456789abcdef' }, remembered: true },
    ]);
    expect(store.state.status).toBe('open');
    expect(store.state.selected).toBe(HANDLE);
    expect(store.state.confirmed?.entries).toEqual([['user', { t: 'value', value: 'alice' }]]);
    expect(store.state.timeline).toHaveLength(1);

    await follower.arrive(`${B}/shop`);
    await settle();
    expect(shown).toEqual([A, B]);
    expect(store.state).toMatchObject({
      status: 'failed',
      selected: null,
      confirmed: null,
      welcome: null,
      timeline: [],
    });
    expect(store.state.problem).toMatchObject({ code: 'no_token' });
    expect(store.state.problem?.detail).toContain(B);

    // Same origin again: nothing to do (the timeline rule handles same-site navigations).
    await follower.arrive(`${B}/other`);
    expect(shown).toEqual([A, B]);

    await follower.arrive(`${C}/`);
    await settle();
    expect(store.state.problem).toMatchObject({ code: 'unreachable', title: 'No agent on this origin' });

    await follower.arrive(`${A}/back`);
    await settle();
    expect(connected.at(-1)).toMatchObject({ target: { origin: A }, remembered: true });
    expect(store.state.confirmed?.entries).toEqual([['user', { t: 'value', value: 'alice' }]]);
  });

  it('with Preserve log the timeline survives the move, in a new epoch', async () => {
    const { store, follower, storage } = setup({});
    await savePairing(storage, A, { origin: A, token: 'token-a-0123456789abcdef' });
    await follower.arrive(A);
    await settle();
    store.setPreserveLog(true);
    const epoch = store.state.epoch;
    await follower.arrive(B);
    await settle();
    expect(store.state.preserveLog).toBe(true);
    expect(store.state.timeline).toHaveLength(1);
    expect(store.state.epoch).toBe(epoch + 1);
    expect(store.state.confirmed).toBeNull();
  });

  it('a slow probe for a site the tab already left never speaks over the new one', async () => {
    let release: (d: Diagnosis) => void = () => {};
    const slow = () => new Promise<Diagnosis>((r) => (release = r));
    const { store, follower, connected, storage } = setup({ [B]: slow });
    await savePairing(storage, A, { origin: A, token: 'token-a-0123456789abcdef' });
    const leaving = follower.arrive(B);
    await tick();
    await follower.arrive(A);
    release({ code: 'closed', title: '', fix: '' });
    await leaving;
    await settle();
    expect(follower.origin).toBe(A);
    expect(connected).toHaveLength(1);
    expect(store.state.status).toBe('open');
    expect(store.state.problem).toBeNull();
  });

  it('a non-http page says so', async () => {
    const { store, follower } = setup({});
    await follower.arrive('chrome://newtab/');
    expect(store.state.problem?.detail).toMatch(/not an http\(s\) page/);
  });
});

describe('an origin the extension has no host access to', () => {
  function withAccess(granted: { value: boolean }) {
    const store = new ClientStore({ client: 'test' });
    let probes = 0;
    const follower = followOrigins({
      storage: memoryStorage(),
      probe: async () => {
        probes += 1;
        return granted.value
          ? found()
          : { code: 'unreachable', title: '', fix: '', detail: 'Failed to fetch' };
      },
      hasHostAccess: async () => granted.value,
      shell: { store, setOrigin: () => {}, connect: () => {} },
    });
    return { store, follower, probes: () => probes };
  }

  it('says what to grant instead of "no agent", and looks again once access is granted', async () => {
    const granted = { value: false };
    const { store, follower, probes } = withAccess(granted);
    await follower.arrive('http://shop.localhost:3000/');
    expect(store.state.problem).toMatchObject({ code: 'no_access', title: 'No access to this origin yet' });
    expect(store.state.problem?.detail).toContain('http://shop.localhost:3000');
    granted.value = true;
    await follower.retry();
    expect(probes()).toBe(2);
    expect(store.state.problem).toMatchObject({ code: 'no_token' });
  });

  it('with access and no answer it is "no agent on this origin"', async () => {
    const { store, follower } = withAccess({ value: true });
    const follower2 = followOrigins({
      storage: memoryStorage(),
      probe: async () => ({ code: 'unreachable', title: '', fix: '' }),
      hasHostAccess: async () => true,
      shell: { store, setOrigin: () => {}, connect: () => {} },
    });
    void follower;
    await follower2.arrive('http://localhost:3999/');
    expect(store.state.problem).toMatchObject({ code: 'unreachable', title: 'No agent on this origin' });
  });
});

/**
 * U11 a changed token is one clear re-pair prompt, not a loop of failures: a real agent on a real
 * server, the client store on a real WebSocket with the real doctor probe, and the agent restarted
 * with a new token under it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { attachAgent } from '../../server-agent/agent/agent.js';
import { probe } from '../../extension/client/doctor.js';
import { ClientStore } from '../../extension/client/store.js';
import { type AgentTarget, type Transport, WebSocketTransport } from '../../extension/client/transport.js';
import { type Harness, quietLogs, startHarness } from '../agent/harness.js';

/**
 * Node 20 has no global WebSocket; ws's has the same onopen/onmessage/onclose surface, but throws an
 * unheard 'error' (a refused upgrade) where a browser only closes.
 */
class BrowserLikeWebSocket extends WebSocket {
  constructor(...args: ConstructorParameters<typeof WebSocket>) {
    super(...args);
    this.on('error', () => {});
  }
}
(globalThis as { WebSocket?: unknown }).WebSocket = BrowserLikeWebSocket;

const TOKEN_A = 'token-a-0123456789abcdefghijklmnop';
const TOKEN_B = 'token-b-0123456789abcdefghijklmnop';
const logs = quietLogs();
let harness: Harness | null = null;
const extra: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const agent of extra.splice(0)) await agent.close();
  await harness?.close();
  harness = null;
});

/** Counts upgrade attempts, so "no loop" is a number. */
function counting(target: AgentTarget): { transport: Transport; attempts: () => number } {
  const inner = new WebSocketTransport(target);
  let attempts = 0;
  return {
    transport: {
      connect: (handlers) => {
        attempts++;
        return inner.connect(handlers);
      },
    },
    attempts: () => attempts,
  };
}

function storeFor(target: () => AgentTarget): ClientStore {
  return new ClientStore({
    client: 'test',
    retry: { baseMs: 20, maxMs: 40 },
    probe: () => probe(target().origin, target().token),
  });
}

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('U11 token changed', () => {
  it('an agent restarted with a new token: one "token changed" prompt, no retries, and pairing again works', async () => {
    harness = await startHarness({ token: TOKEN_A });
    const origin = harness.baseUrl.replace(/\/$/, '');
    let target: AgentTarget = { origin, token: TOKEN_A };
    const store = storeFor(() => target);
    const first = counting(target);
    store.connect(first.transport, { origin });
    await until(() => store.state.status === 'open');

    // The restart: the old agent says goodbye, a new one with another token takes the same server.
    await harness.agent.close();
    extra.push(attachAgent(harness.server, harness.sessions, { token: TOKEN_B, announce: false }));
    await until(() => store.state.status === 'failed');
    expect(store.state.problem).toMatchObject({ code: 'token', title: 'The agent’s token changed' });
    expect(store.state.problem?.detail).toContain(origin);
    expect(store.state.problem?.fix).toMatch(/Paste the new inspector URL .*\.sessionscope\/agent-token/);
    const attempts = first.attempts();
    await new Promise((r) => setTimeout(r, 300)); // many retry periods
    expect(first.attempts()).toBe(attempts);
    expect(store.state.status).toBe('failed');

    target = { origin, token: TOKEN_B };
    store.connect(new WebSocketTransport(target), { origin });
    await until(() => store.state.status === 'open');
    expect(store.state.problem).toBeNull();
    store.disconnect();
    expect(logs.lines.join('\n')).not.toContain(TOKEN_A);
  });

  it('a remembered pairing whose token is refused at start says it changed; a first wrong token says refused', async () => {
    harness = await startHarness({ token: TOKEN_B });
    const origin = harness.baseUrl.replace(/\/$/, '');
    const target = { origin, token: TOKEN_A };
    const remembered = storeFor(() => target);
    remembered.connect(new WebSocketTransport(target), { origin, remembered: true });
    await until(() => remembered.state.status === 'failed');
    expect(remembered.state.problem?.title).toBe('The agent’s token changed');

    const pasted = storeFor(() => target);
    pasted.connect(new WebSocketTransport(target), { origin });
    await until(() => pasted.state.status === 'failed');
    expect(pasted.state.problem).toMatchObject({ code: 'token', title: 'Token refused' });
  });
});

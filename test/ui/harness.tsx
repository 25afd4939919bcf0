/** Renders UI pieces inside the app context with a store connected to a scripted in-memory agent. */
import type { ComponentChildren } from 'preact';
import type { ClientMessage, CommandMessage, SessionView } from '../../server-agent/agent/protocol.js';
import { ClientStore } from '../../extension/client/store.js';
import { MemoryTransport } from '../../extension/client/transport.js';
import { createNullPlatform } from '../../extension/platform/null.js';
import type { Platform } from '../../extension/platform/types.js';
import { AppContext } from '../../extension/ui/use-store.js';
import { requestEnd, seq, welcome } from './fixtures.js';

export const tick = () => new Promise((r) => setTimeout(r, 0));

/**
 * An in-memory agent that welcomes the client and answers its subscribe with a one-request
 * snapshot; every command goes to `onCommand`, which answers through the transport it is given.
 */
export function scriptedAgent(
  onCommand: (m: CommandMessage, transport: MemoryTransport) => void = () => {},
): MemoryTransport {
  const transport = new MemoryTransport();
  transport.onSend = (m: ClientMessage) => {
    if (m.type === 'hello') queueMicrotask(() => transport.push(welcome()));
    if (m.type === 'subscribe')
      queueMicrotask(() =>
        transport.push({
          v: 1,
          type: 'snapshot',
          seq: 1,
          continuous: false,
          clock: welcome().clock,
          events: [seq(1, requestEnd('r1'))],
        }),
      );
    if (m.type === 'command') onCommand(m, transport);
  };
  return transport;
}

export async function connectedStore(sessionView: SessionView, retry?: { baseMs: number; maxMs: number }) {
  const commands: CommandMessage[] = [];
  const transport = scriptedAgent((m, agent) => {
    commands.push(m);
    if (m.op === 'getSession')
      queueMicrotask(() =>
        agent.push({ v: 1, type: 'ack', id: m.id, op: 'getSession', result: sessionView }),
      );
  });
  const store = new ClientStore({ client: 'test', ...(retry ? { retry } : {}) });
  store.connect(transport);
  await tick();
  await tick();
  return { store, transport, commands };
}

export function withApp(
  store: ClientStore,
  children: ComponentChildren,
  platform: Platform = createNullPlatform('http://localhost:3000'),
) {
  return <AppContext.Provider value={{ store, platform }}>{children}</AppContext.Provider>;
}

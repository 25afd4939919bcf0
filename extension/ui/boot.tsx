/** Shared start-up for both shells: build the store, wire the doctor probe, render. */
import { render } from 'preact';
import type { ClientKind } from '../../server-agent/agent/protocol.js';
import { probe } from '../client/doctor.js';
import { ClientStore } from '../client/store.js';
import { type AgentTarget, WebSocketTransport } from '../client/transport.js';
import type { Platform } from '../platform/types.js';
import { App } from './App.js';
import './styles.css';

export interface Shell {
  store: ClientStore;
  /** (Re)connects to an agent and re-renders with its origin; `remembered`: a saved pairing. */
  connect(target: AgentTarget, remembered?: boolean): void;
  /** Set by the panel: grant host access to the inspected origin (a user gesture) and retry. */
  onGrant?: () => Promise<void>;
  /** The inspected page is on another origin now (the panel follows the tab's navigation). */
  setOrigin(origin: string | null): void;
}

export interface BootOptions {
  client: ClientKind;
  platform: Platform;
  origin: string | null;
  target: AgentTarget | null;
  /** Pairing from pasted input; returns an error message or null. */
  onPair?: (input: string, shell: Shell) => string | null;
  mount: HTMLElement;
}

export function boot(options: BootOptions): Shell {
  let target = options.target;
  let origin = options.origin;
  const store = new ClientStore({
    client: options.client,
    probe: async () => {
      if (!target) throw new Error('probe without a target');
      return probe(target.origin, target.token);
    },
  });
  const shell: Shell = {
    store,
    connect(next, remembered = false) {
      target = next;
      store.connect(new WebSocketTransport(next), { origin: next.origin, remembered });
      draw();
    },
    setOrigin(next) {
      origin = next;
      target = null;
      draw();
    },
  };
  const { onPair } = options;
  function draw(): void {
    render(
      <App
        // Keyed by origin: another site starts from fresh component state (search box, editors).
        key={origin ?? ''}
        store={store}
        platform={options.platform}
        origin={origin}
        agentOrigin={target?.origin ?? origin}
        onPair={onPair ? (input) => onPair(input, shell) : undefined}
        onGrant={() => void shell.onGrant?.()}
      />,
      options.mount,
    );
  }
  // The panel's initial target is the pairing it remembered for the origin; the inspector's is its URL.
  if (target) shell.connect(target, options.client === 'extension');
  else draw();
  return shell;
}

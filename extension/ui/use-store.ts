/** Subscribes a component to the client store; re-renders when the selected slice changes. */
import { createContext } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import type { Platform } from '../platform/types.js';
import type { ClientState } from '../client/state.js';
import type { ClientStore } from '../client/store.js';

export interface AppContextValue {
  store: ClientStore;
  platform: Platform;
}

export const AppContext = createContext<AppContextValue | null>(null);

export function useApp(): AppContextValue {
  const value = useContext(AppContext);
  if (!value) throw new Error('sessionscope UI rendered outside <AppContext.Provider>');
  return value;
}

export function useStoreState<T>(select: (state: ClientState) => T): T {
  const { store } = useApp();
  const [value, setValue] = useState(() => select(store.state));
  useEffect(() => {
    const sync = (): void => setValue(() => select(store.state));
    sync();
    return store.subscribe(sync);
    // The selector is expected to be stable in meaning; re-subscribing per render would thrash.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [store]);
  return value;
}

/** Why writes to the agent are off: said on every write control while it is not connected. */
export const WRITES_OFF =
  'Not connected to the agent: writes are off until it reconnects (it retries by itself); what you typed is kept.';

/**
 * Null while the agent is connected, else the reason writes are off (WRITES_OFF). Write controls
 * are disabled with it as their title, so nothing is sent to an agent that is not there.
 */
export function useWritesOff(): string | null {
  const open = useStoreState((s) => s.status === 'open');
  return open ? null : WRITES_OFF;
}

/** Re-renders every `ms` milliseconds (countdowns). */
export function useTicker(ms: number, now: () => number = Date.now): number {
  const [tick, setTick] = useState(now);
  useEffect(() => {
    const timer = setInterval(() => setTick(now()), ms);
    return () => clearInterval(timer);
  }, [ms, now]);
  return tick;
}

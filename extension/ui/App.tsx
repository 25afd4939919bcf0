/** The whole UI, shared by the DevTools panel and the companion inspector. */
import { useEffect, useState } from 'preact/hooks';
import type { Platform } from '../platform/types.js';
import type { ClientStore } from '../client/store.js';
import { BusBar } from './BusBar.js';
import { ClockBanner, ClockControls } from './ClockBar.js';
import { ConnectionBar } from './ConnectionBar.js';
import { SessionTab, useExpansion } from './SessionTab.js';
import { SessionsList } from './SessionsList.js';
import { Timeline } from './Timeline.js';
import { AppContext, useStoreState } from './use-store.js';

const TABS = ['session', 'timeline', 'sessions'] as const;
type Tab = (typeof TABS)[number];
const TAB_LABELS: Record<Tab, string> = {
  session: 'Session',
  timeline: 'Timeline',
  sessions: 'All sessions',
};

export interface AppProps {
  store: ClientStore;
  platform: Platform;
  /** Origin whose cookie the panel reads (the inspected page). */
  origin: string | null;
  agentOrigin: string | null;
  onPair?: ((input: string) => string | null) | undefined;
  /** Asks the browser for host access to the inspected origin, then looks for its agent again. */
  onGrant?: (() => void) | undefined;
}

export function App(props: AppProps) {
  return (
    <AppContext.Provider value={{ store: props.store, platform: props.platform }}>
      <Shell {...props} />
    </AppContext.Provider>
  );
}

function Shell({ store, platform, origin, agentOrigin, onPair, onGrant }: AppProps) {
  const [tab, setTab] = useState<Tab>('session');
  const [expanded, toggle] = useExpansion();
  const readOnly = useStoreState((s) => s.welcome?.readOnly ?? true);
  const timelineCount = useStoreState((s) => s.timeline.length);
  useEffect(() => {
    const apply = (theme: 'light' | 'dark'): void => {
      document.documentElement.dataset.theme = theme;
    };
    apply(platform.theme());
    // Live: DevTools' theme setting (or the OS preference) can change while the panel is open.
    return platform.onThemeChanged(apply);
  }, [platform]);
  // While the timeline is on screen the agent streams every request whole; otherwise only the
  // followed session's, and one summary per other request (what keeps the agent cheap for the app).
  useEffect(() => store.watchTimeline(tab === 'timeline'), [store, tab]);
  const onTabKey = (e: KeyboardEvent): void => {
    const i = TABS.indexOf(tab);
    if (e.key === 'ArrowRight') setTab(TABS[(i + 1) % TABS.length]!);
    if (e.key === 'ArrowLeft') setTab(TABS[(i + TABS.length - 1) % TABS.length]!);
  };
  return (
    <div class="app">
      <ConnectionBar agentOrigin={agentOrigin} onPair={onPair} onGrant={onGrant} />
      <ClockBanner />
      <BusBar />
      <div class="tabs" role="tablist" tabIndex={-1} onKeyDown={onTabKey}>
        {TABS.map((t) => (
          <button
            key={t}
            type="button"
            role="tab"
            aria-selected={tab === t}
            tabIndex={tab === t ? 0 : -1}
            onClick={() => setTab(t)}
          >
            {TAB_LABELS[t]}
            {t === 'timeline' && timelineCount > 0 && <span class="count">{timelineCount}</span>}
          </button>
        ))}
        <span class="spacer" />
        <ClockControls readOnly={readOnly} />
      </div>
      <div class="content" role="tabpanel">
        {tab === 'session' && <SessionTab origin={origin} expanded={expanded} onToggle={toggle} />}
        {tab === 'timeline' && <Timeline />}
        {tab === 'sessions' && <SessionsList onOpen={() => setTab('session')} />}
      </div>
    </div>
  );
}

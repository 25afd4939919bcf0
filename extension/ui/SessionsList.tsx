/**
 * Every session in the store, paged and searchable. The search runs in the agent over the whole
 * store (handle prefix, key names at any depth, redacted values), a bounded scan per request.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { formatBytes, formatDate, shortHandle } from './format.js';
import { useApp, useStoreState } from './use-store.js';
import './sessions-list.css';

export function SessionsList({ onOpen }: { onOpen(): void }) {
  const { store } = useApp();
  const sessions = useStoreState((s) => s.sessions);
  const connected = useStoreState((s) => s.status === 'open');
  const canList = useStoreState((s) => s.welcome?.session.store.list ?? false);
  const readProblem = useStoreState((s) => s.readProblem);
  const failure = useStoreState((s) => (s.lastFailure?.op === 'listSessions' ? s.lastFailure : null));
  const [query, setQuery] = useState(sessions.query);
  // Typing waits for a 200 ms pause before it asks the agent; opening the tab (or reconnecting)
  // asks at once, so the first page does not sit out a debounce nobody typed into.
  const typed = useRef(false);
  useEffect(() => {
    if (!connected || !canList) return;
    const delay = typed.current ? 200 : 0;
    typed.current = false;
    const timer = setTimeout(() => void store.listSessions(query), delay);
    return () => clearTimeout(timer);
  }, [query, connected, canList, store]);
  if (!canList) return <div class="empty">This store cannot list its sessions (e.g. signed cookies).</div>;
  return (
    <section class="pane" aria-label="All sessions">
      <div class="toolbar">
        <input
          type="search"
          aria-label="Search sessions"
          placeholder="Search handle, key or value"
          value={query}
          onInput={(e) => {
            typed.current = true;
            setQuery(e.currentTarget.value);
          }}
        />
        <span class="muted" data-testid="sessions-count">
          {sessionsCount(sessions)}
        </span>
        <button type="button" onClick={() => void store.listSessions(query)}>
          Refresh
        </button>
      </div>
      {readProblem && (
        <div class="failure" role="status" data-testid="list-read-problem">
          {readProblem}
        </div>
      )}
      {failure && (
        <div class="failure" role="alert">
          Listing failed ({failure.code}): {failure.message.replace(/\.+$/, '')}. Press Refresh to try again.
        </div>
      )}
      <table class="grid sessions">
        <thead>
          <tr>
            <th>Session</th>
            <th>Keys</th>
            <th>Size</th>
            <th>Expires</th>
          </tr>
        </thead>
        <tbody>
          {sessions.items.map((item) => (
            <tr
              key={item.session}
              tabIndex={0}
              class={item.expired ? 'expired' : ''}
              onClick={() => {
                store.select(item.session);
                onOpen();
              }}
              onKeyDown={(e) => {
                if (e.key === 'Enter') {
                  store.select(item.session);
                  onOpen();
                }
              }}
            >
              <td class="mono">{shortHandle(item.session)}</td>
              <td>{item.keys.join(', ') || <span class="muted">empty</span>}</td>
              <td>{formatBytes(item.bytes)}</td>
              <td>
                {item.expired
                  ? 'expired'
                  : item.expiresAt === null
                    ? 'browser close'
                    : formatDate(item.expiresAt)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {sessions.cursor && (
        <button
          type="button"
          disabled={sessions.loading}
          onClick={() => void store.listSessions(sessions.query, sessions.cursor)}
        >
          {sessions.query ? 'Search on' : 'Load more'}
        </button>
      )}
    </section>
  );
}

/**
 * With a search the store's total is not the answer: say how many matched out of how many, and
 * when the agent stopped before the end of the store (its scan limit per request, or the page of
 * matches filled), how far it searched. Without one, "loaded of total".
 */
export function sessionsCount(sessions: {
  items: unknown[];
  total: number | null;
  query: string;
  cursor: string | null;
  scanned: number;
}): string {
  const n = sessions.items.length;
  const count = (x: number) => x.toLocaleString('en');
  const { total } = sessions;
  if (sessions.query) {
    const matches = `${n} ${n === 1 ? 'match' : 'matches'}`;
    if (!sessions.cursor)
      return total !== null ? `${n} of ${count(total)} sessions ${n === 1 ? 'matches' : 'match'}` : matches;
    const searched =
      total !== null
        ? `searched ${count(sessions.scanned)} of ${count(total)}`
        : `searched ${count(sessions.scanned)}`;
    return `${matches} so far · ${searched}`;
  }
  return `${n}${total !== null ? ` of ${count(total)}` : ''} sessions`;
}

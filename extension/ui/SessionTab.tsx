/** The selected session: cookie (browser vs server), expiry, contents, and the session-wide actions. */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { mismatchHints } from '../client/hints.js';
import { displayedView } from '../client/state.js';
import { rewrite } from '../platform/relay.js';
import type { CookieLookup } from '../platform/types.js';
import { CookiePane } from './CookiePane.js';
import { ExpiryPane } from './ExpiryPane.js';
import { formatBytes, shortHandle } from './format.js';
import { Tree } from './Tree.js';
import { useApp, useStoreState, useWritesOff } from './use-store.js';

/** Commands that only read: their failure changed nothing, so there is nothing to roll back. */
const READS = new Set(['getValue', 'listSessions', 'getSession']);

function useBrowserCookie(
  origin: string | null,
  name: string | undefined,
  revision: string | undefined,
): CookieLookup {
  const { platform } = useApp();
  const [lookup, setLookup] = useState<CookieLookup>({ status: 'unavailable' });
  const [bump, setBump] = useState(0);
  useEffect(() => {
    if (!origin || !name) return;
    let live = true;
    void platform.readCookie(`${origin}/`, name).then((result) => live && setLookup(result));
    return () => {
      live = false;
    };
  }, [origin, name, revision, bump, platform]);
  useEffect(
    () => (name ? platform.onCookieChanged(name, () => setBump((n) => n + 1)) : undefined),
    [name, platform],
  );
  return lookup;
}

export function SessionTab({
  origin,
  expanded,
  onToggle,
}: {
  origin: string | null;
  expanded: Set<string>;
  onToggle(id: string): void;
}) {
  const { store, platform } = useApp();
  const state = useStoreState((s) => s);
  const view = displayedView(state);
  const [query, setQuery] = useState('');
  const [confirmFlush, setConfirmFlush] = useState(false);
  const settings = state.welcome?.session;
  const readOnly = state.welcome?.readOnly ?? true;
  const selected = state.selected;
  const writesOff = useWritesOff();
  const lookup = useBrowserCookie(origin, settings?.cookieName, view?.revision ?? String(state.lastSeq));
  const server = selected ? (state.cookies[selected] ?? null) : null;
  const hints = mismatchHints({
    origin,
    browser: lookup,
    server,
    serverExpiresAt: view?.expiry.expiresAt ?? null,
    browserClose: view?.expiry.browserClose ?? false,
    clockOffsetSeconds: state.clock.offsetSeconds,
    storeMissing: state.viewMissing,
  });
  const expiredInfo = selected ? state.expired[selected] : undefined;
  const [cookieProblem, setCookieProblem] = useState<string | null>(null);
  const cycleKey = async (): Promise<void> => {
    const jar = lookup.status === 'found' ? lookup.cookie : null;
    const result = await store.cycleKey(jar?.value);
    // With host access the panel writes the new cookie at once; otherwise the agent's one-hop forward does.
    if (result?.cookieValue && jar && origin) {
      const written = await platform.writeCookie(`${origin}/`, rewrite(jar, result.cookieValue));
      setCookieProblem(
        written.ok
          ? null
          : `The new cookie could not be written (${written.error}); the next request gets it from the server.`,
      );
    }
  };
  return (
    <div class="session-tab">
      <div class="toolbar">
        <span>
          Session{' '}
          <span class="mono" data-testid="session-handle">
            {selected ? shortHandle(selected) : '—'}
          </span>
        </span>
        <label title="Follow the session of the latest request">
          <input
            type="checkbox"
            checked={state.follow}
            onChange={(e) => store.select(e.currentTarget.checked ? null : selected)}
          />{' '}
          Follow latest
        </label>
        {view && (
          <span class="muted">
            {formatBytes(view.bytes)} · rev {view.revision.slice(0, 8)}
          </span>
        )}
        {view && view.redacted > 0 && <span class="badge redacted">{view.redacted} values redacted</span>}
        {state.pending.length > 0 && <span class="badge pending">saving…</span>}
      </div>
      {state.lastFailure && (
        <div class="failure" role="alert" data-testid="nack">
          {state.lastFailure.op} {READS.has(state.lastFailure.op) ? 'failed' : 'refused'} (
          {state.lastFailure.code}): {state.lastFailure.message.replace(/\.+$/, '')}.
          {READS.has(state.lastFailure.op) ? ' Nothing changed; try again.' : ' The change was rolled back.'}
          <button type="button" class="link" onClick={() => store.clearFailure()}>
            dismiss
          </button>
        </div>
      )}
      {writesOff && state.welcome && (
        <div class="offline-note" role="status" data-testid="offline-note">
          The agent is not connected: what you see is what it last sent and may be out of date. Writes are off
          until it reconnects; the panel reconnects and reloads this session by itself.
        </div>
      )}
      {!selected && (
        <div class="empty">
          No session yet: load a page of the app that uses the session, or pick one under "All sessions".
        </div>
      )}
      {selected && state.readProblem && (
        <div class="failure" role="status" data-testid="read-problem">
          {state.readProblem}
        </div>
      )}
      {selected && state.viewMissing && (
        <div class="empty" data-testid="session-gone">
          This session is no longer in the store
          {expiredInfo ? ` (expired: ${expiredInfo.reason})` : ' (flushed, deleted or expired)'}.
        </div>
      )}
      {cookieProblem && (
        <div class="failure" role="alert">
          {cookieProblem}
        </div>
      )}
      <CookiePane
        origin={origin}
        platform={platform}
        lookup={lookup}
        server={server}
        hints={hints}
        onGrant={
          origin && platform.kind === 'extension' ? () => void platform.requestHostAccess(origin) : undefined
        }
      />
      {view && <ExpiryPane view={view} clock={state.clock} expired={expiredInfo} readOnly={readOnly} />}
      {!view && expiredInfo && (
        <section class="pane">
          <div class="error-text" data-testid="expired-reason">
            expired: {expiredInfo.reason}
          </div>
        </section>
      )}
      {view && (
        <section class="pane" aria-label="Contents">
          <header class="pane-head">
            <h2>Contents</h2>
            <input
              type="search"
              aria-label="Search keys and values"
              placeholder="Search key or value"
              value={query}
              onInput={(e) => setQuery(e.currentTarget.value)}
            />
            {!readOnly && (
              <>
                <button
                  type="button"
                  disabled={writesOff !== null}
                  {...(writesOff ? { title: writesOff } : {})}
                  onClick={() => void cycleKey()}
                >
                  Cycle key
                </button>
                <button
                  type="button"
                  class="danger"
                  disabled={writesOff !== null}
                  {...(writesOff ? { title: writesOff } : {})}
                  onClick={() => setConfirmFlush(true)}
                >
                  Flush…
                </button>
              </>
            )}
          </header>
          {confirmFlush && (
            <div class="confirm" role="dialog" aria-label="Confirm flush">
              Flush deletes the session record and its cookie, and drops these keys:{' '}
              <strong>{view.entries.map(([k]) => k).join(', ') || '(none)'}</strong>.
              <button
                type="button"
                class="danger"
                disabled={writesOff !== null}
                {...(writesOff ? { title: writesOff } : {})}
                onClick={() => {
                  setConfirmFlush(false);
                  void store.sessionOp('flush');
                }}
              >
                Flush now
              </button>
              <button type="button" onClick={() => setConfirmFlush(false)}>
                Cancel
              </button>
            </div>
          )}
          <Tree
            entries={view.entries}
            readOnly={readOnly}
            expanded={expanded}
            onToggle={onToggle}
            query={query}
          />
        </section>
      )}
    </div>
  );
}

/** Open tree rows by id (tree-model's pathId for nodes, rangeId for ranges of 100). */
export function useExpansion(): [Set<string>, (id: string) => void] {
  const [expanded, setExpanded] = useState<Set<string>>(() => new Set());
  const toggle = useCallback(
    (id: string): void =>
      setExpanded((prev) => {
        const next = new Set(prev);
        if (next.has(id)) next.delete(id);
        else next.add(id);
        return next;
      }),
    [],
  );
  return [expanded, toggle];
}

/**
 * Session contents as a tree: top-level keys (editable, see TopRow.tsx), nested rows and ranges of
 * 100 (TreeNode.tsx), search over keys and values at any depth, and the full-value viewer.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { ValuePath, ValuePreview } from '../../server-agent/agent/protocol.js';
import { pathKey } from '../client/state.js';
import { AddKey } from './AddKey.js';
import { TopRow } from './TopRow.js';
import { TreeContext, type TreeContextValue } from './TreeNode.js';
import { searchNeedsFetch, searchTree } from './tree-model.js';
import { useApp, useStoreState } from './use-store.js';
import { ValueViewer } from './ValueViewer.js';
import './tree.css';

export interface TreeProps {
  entries: [string, ValuePreview][];
  readOnly: boolean;
  /** Open node and range ids (pathId / rangeId), kept by the caller so they survive tab switches. */
  expanded: Set<string>;
  onToggle(id: string): void;
  query: string;
}

/** Keys fetched whole for one search at most (each is one getValue; the agent rate-limits commands). */
const SEARCH_FETCHES = 20;

/**
 * A search must see whole values, not previews (a 3,000-item array arrives as its first 50): fetch
 * each top-level value the search cannot see into, once, and search again when it lands.
 */
function useSearchFetches(
  entries: [string, ValuePreview][],
  query: string,
  values: Record<string, ValuePreview>,
) {
  const { store } = useApp();
  const asked = useRef(new Set<string>());
  useEffect(() => {
    asked.current.clear();
  }, [entries]);
  useEffect(() => {
    if (!query) return;
    const wanted = entries
      .filter(
        ([key, preview]) => !values[pathKey([key])] && !asked.current.has(key) && searchNeedsFetch(preview),
      )
      .slice(0, SEARCH_FETCHES);
    for (const [key] of wanted) {
      asked.current.add(key);
      void store.loadValue([key]);
    }
  }, [query, entries, values, store]);
}

export function Tree({ entries, readOnly, expanded, onToggle, query }: TreeProps) {
  const values = useStoreState((s) => s.values);
  const [viewing, setViewing] = useState<{ path: ValuePath; preview: ValuePreview } | null>(null);
  const root = useRef<HTMLDivElement>(null);
  useSearchFetches(entries, query, values);
  const search = useMemo(
    () => (query ? searchTree(entries, query, (path) => values[pathKey(path)]) : null),
    [entries, query, values],
  );
  // Reveal the first match: its ancestors and ranges are open (search.open); bring it on screen.
  useEffect(() => {
    if (search?.count) root.current?.querySelector('.tree-row.hit')?.scrollIntoView({ block: 'center' });
  }, [search]);
  const context = useMemo<TreeContextValue>(
    () => ({ expanded, onToggle, search, openViewer: (path, preview) => setViewing({ path, preview }) }),
    [expanded, onToggle, search],
  );
  const visible = search ? entries.filter(([key]) => search.keys.has(key)) : entries;
  return (
    <TreeContext.Provider value={context}>
      <div class="tree" role="tree" aria-label="Session contents" ref={root}>
        {search && (
          <div class="muted search-count" data-testid="tree-search-count">
            {search.count === 0 ? '' : `${search.count} ${search.count === 1 ? 'match' : 'matches'}`}
          </div>
        )}
        {visible.length === 0 && (
          <div class="empty">{entries.length ? 'No key or value matches.' : 'Session is empty.'}</div>
        )}
        {visible.map(([key, preview]) => (
          <TopRow key={key} name={key} preview={preview} readOnly={readOnly} />
        ))}
        {!readOnly && <AddKey />}
      </div>
      {viewing && (
        <ValueViewer path={viewing.path} preview={viewing.preview} onClose={() => setViewing(null)} />
      )}
    </TreeContext.Provider>
  );
}

/** The contents tree wired to the store as SessionTab wires it: its own expansion set and a search box labelled "q". */
import { useState } from 'preact/hooks';
import { displayedView } from '../../extension/client/state.js';
import { Tree } from '../../extension/ui/Tree.js';
import { useStoreState } from '../../extension/ui/use-store.js';

export function LiveTree() {
  const state = useStoreState((s) => s);
  const [expanded, setExpanded] = useState(new Set<string>());
  const [query, setQuery] = useState('');
  const toggle = (id: string) =>
    setExpanded((prev) => {
      const next = new Set(prev);
      next.has(id) ? next.delete(id) : next.add(id);
      return next;
    });
  return (
    <>
      <input aria-label="q" value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
      <Tree
        entries={displayedView(state)?.entries ?? []}
        readOnly={false}
        expanded={expanded}
        onToggle={toggle}
        query={query}
      />
    </>
  );
}

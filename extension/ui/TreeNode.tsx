/**
 * One row of the session tree and the rows under it. Rows are keyed by path, so expansion survives
 * live updates; big values arrive as previews and are fetched by path when opened; more than 100
 * children come as range rows (`[0…99]`, `[100…199]`, …) as in Chrome DevTools, so a 3,000-item
 * array opens to 30 rows, not 3,000.
 */
import { createContext } from 'preact';
import { useContext, useState } from 'preact/hooks';
import type { ValuePath, ValuePreview } from '../../server-agent/agent/protocol.js';
import { pathKey } from '../client/state.js';
import { rowText } from './format.js';
import {
  type Child,
  canView,
  childrenOf,
  type IndexRange,
  isExpandable,
  isLongString,
  needsFetch,
  pathId,
  rangeId,
  rangeLabel,
  rangesFor,
  type TreeSearch,
} from './tree-model.js';
import { useApp, useStoreState } from './use-store.js';

export interface TreeContextValue {
  expanded: Set<string>;
  onToggle(id: string): void;
  search: TreeSearch | null;
  openViewer(path: ValuePath, preview: ValuePreview): void;
}

export const TreeContext = createContext<TreeContextValue | null>(null);

function useTree(): TreeContextValue {
  const value = useContext(TreeContext);
  if (!value) throw new Error('tree rows rendered outside <Tree>');
  return value;
}

const indent = (depth: number): { paddingLeft: string } => ({ paddingLeft: `${4 + depth * 14}px` });

export interface NodeProps {
  path: ValuePath;
  label: string | number;
  preview: ValuePreview;
  depth: number;
  children?: preact.ComponentChildren;
}

export function Node({ path, label, preview, depth, children }: NodeProps) {
  const { store } = useApp();
  const tree = useTree();
  const [loading, setLoading] = useState(false);
  const id = pathId(path);
  const fetched = useStoreState((s) => s.values)[pathKey(path)];
  const shown = fetched ?? preview;
  const expandable = isExpandable(shown);
  const viewable = canView(shown);
  const open = expandable && (tree.expanded.has(id) || Boolean(tree.search?.open.has(id)));
  const toggle = (): void => {
    if (!expandable) return;
    if (!open && needsFetch(shown) && !fetched) {
      setLoading(true);
      void store.loadValue(path).finally(() => setLoading(false));
    }
    tree.onToggle(id);
  };
  const view = (): void => tree.openViewer(path, preview);
  const kids = open && !loading ? childrenOf(shown) : null;
  const hit = Boolean(tree.search?.hits.has(id));
  const text = rowText(shown);
  const missing = kids && 'length' in shown ? shown.length - kids.length : 0;
  return (
    <>
      <div
        class={`tree-row${hit ? ' hit' : ''}`}
        role="treeitem"
        aria-expanded={expandable ? open : undefined}
        tabIndex={0}
        data-path={id}
        style={indent(depth)}
        onKeyDown={(e) => {
          if (e.target !== e.currentTarget) return;
          // → / ← open and close; on a long string (no children) → and Enter open the viewer.
          if (
            !expandable &&
            viewable &&
            (e.key === 'Enter' || (e.key === 'ArrowRight' && isLongString(shown)))
          )
            view();
          else if ((e.key === 'ArrowRight' && !open) || (e.key === 'ArrowLeft' && open) || e.key === 'Enter')
            toggle();
        }}
        onDblClick={(e) => e.target === e.currentTarget && viewable && !expandable && view()}
      >
        <button
          type="button"
          tabIndex={-1}
          aria-hidden="true"
          class={`twisty${expandable ? '' : ' leaf'}`}
          onClick={toggle}
        >
          {expandable ? (open ? '▾' : '▸') : ''}
        </button>
        <span class="key">{label}</span>
        <span class="colon">:</span>
        <span class={`value t-${shown.t}`} title={text.slice(0, 500)}>
          {shown.t === 'redacted' ? <span class="badge redacted">redacted</span> : text}
        </span>
        {(viewable || children) && (
          <span class="row-actions">
            {viewable && (
              <button
                type="button"
                class="icon"
                title={`View ${String(label)} in full (copy, JSON, snippet)`}
                aria-label={`View ${String(label)} in full`}
                onClick={view}
              >
                ⤢
              </button>
            )}
            {children}
          </span>
        )}
      </div>
      {open && !kids && (
        <div class="tree-row muted" style={indent(depth + 1)}>
          loading…
        </div>
      )}
      {kids && <Children path={path} kids={kids} from={0} to={kids.length - 1} depth={depth + 1} />}
      {missing > 0 && (
        <div class="tree-row muted" style={indent(depth + 1)}>
          … {missing.toLocaleString('en-US')} more not sent (the value is over the agent's maxFetchBytes)
        </div>
      )}
    </>
  );
}

interface ChildrenProps {
  path: ValuePath;
  kids: Child[];
  from: number;
  to: number;
  depth: number;
}

/** Children from..to: the rows themselves when they are 100 or fewer, else range rows. */
function Children({ path, kids, from, to, depth }: ChildrenProps) {
  const ranges = rangesFor(from, to);
  if (!ranges)
    return (
      <>
        {kids.slice(from, to + 1).map(([key, child]) => (
          <Node key={String(key)} path={[...path, key]} label={key} preview={child} depth={depth} />
        ))}
      </>
    );
  return (
    <>
      {ranges.map((range) => (
        <RangeRow key={range.from} path={path} kids={kids} range={range} depth={depth} />
      ))}
    </>
  );
}

function RangeRow({ path, kids, range, depth }: Omit<ChildrenProps, 'from' | 'to'> & { range: IndexRange }) {
  const tree = useTree();
  const id = rangeId(path, range);
  const open = tree.expanded.has(id) || Boolean(tree.search?.open.has(id));
  const toggle = (): void => tree.onToggle(id);
  const hits = tree.search?.rangeHits.get(id) ?? 0;
  // An object's range also names its first and last key, so a reader knows where to look.
  const first = kids[range.from]?.[0];
  const last = kids[range.to]?.[0];
  const keys = typeof first === 'string' ? `${first} … ${String(last)}` : '';
  return (
    <>
      <div
        class="tree-row range-row"
        role="treeitem"
        aria-expanded={open}
        tabIndex={0}
        data-range={id}
        style={indent(depth)}
        onKeyDown={(e) => {
          if ((e.key === 'ArrowRight' && !open) || (e.key === 'ArrowLeft' && open) || e.key === 'Enter')
            toggle();
        }}
      >
        <button type="button" tabIndex={-1} aria-hidden="true" class="twisty" onClick={toggle}>
          {open ? '▾' : '▸'}
        </button>
        <span class="range-label">{rangeLabel(range)}</span>
        {keys && <span class="muted range-keys">{keys}</span>}
        {hits > 0 && (
          <span class="badge range-hits">
            {hits} {hits === 1 ? 'match' : 'matches'}
          </span>
        )}
      </div>
      {open && <Children path={path} kids={kids} from={range.from} to={range.to} depth={depth + 1} />}
    </>
  );
}

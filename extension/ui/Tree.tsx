/**
 * Session contents as a tree. Rows are keyed by path, so expansion survives live updates; big values
 * arrive as previews and are fetched by path when opened. Top-level keys can be edited as JSON,
 * added and popped.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ValuePath, ValuePreview } from '../../server-agent/agent/protocol.js';
import { pathKey } from '../client/state.js';
import { previewText } from './format.js';
import {
  childrenOf,
  fullValue,
  isExpandable,
  matches,
  needsFetch,
  parseJsonInput,
  pathId,
} from './tree-model.js';
import { useApp, useStoreState } from './use-store.js';

export interface TreeProps {
  entries: [string, ValuePreview][];
  readOnly: boolean;
  expanded: Set<string>;
  onToggle(path: ValuePath): void;
  query: string;
}

export function Tree({ entries, readOnly, expanded, onToggle, query }: TreeProps) {
  const visible = entries.filter(([key, preview]) => matches(key, preview, query));
  return (
    <div class="tree" role="tree" aria-label="Session contents">
      {visible.length === 0 && (
        <div class="empty">{entries.length ? 'No key or value matches.' : 'Session is empty.'}</div>
      )}
      {visible.map(([key, preview]) => (
        <TopRow
          key={key}
          name={key}
          preview={preview}
          readOnly={readOnly}
          expanded={expanded}
          onToggle={onToggle}
          query={query}
        />
      ))}
      {!readOnly && <AddKey />}
    </div>
  );
}

function TopRow(props: { name: string; preview: ValuePreview } & Omit<TreeProps, 'entries'>) {
  const { store } = useApp();
  const [editing, setEditing] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const connected = useStoreState((s) => s.status === 'open');
  const editor = useRef<HTMLTextAreaElement>(null);
  const editButton = useRef<HTMLButtonElement>(null);
  const isOpen = editing !== null;
  // ✎ puts the caret in the editor (Ctrl+A then selects the value, not the whole panel).
  useEffect(() => {
    if (!isOpen) return;
    editor.current?.focus();
    editor.current?.select();
  }, [isOpen]);
  const value = fullValue(props.preview);
  const close = (): void => {
    setEditing(null);
    setError(null);
    editButton.current?.focus();
  };
  const save = async (): Promise<void> => {
    if (editing === null) return;
    const parsed = parseJsonInput(editing);
    if (!parsed.ok) {
      setError(parsed.error);
      return;
    }
    if (!connected) {
      setError(
        'Not connected to the agent: nothing was sent. Your text stays here; save again once connected.',
      );
      return;
    }
    setError(null);
    // Keep the typed text until the agent took it: a refused or lost write leaves the editor open.
    if (await store.setValue(props.name, parsed.value)) close();
    else
      setError(store.state.lastFailure?.message ?? 'The agent did not take the change; your text is kept.');
  };
  return (
    <div class="tree-top" data-key={props.name}>
      <Node
        path={[props.name]}
        label={props.name}
        preview={props.preview}
        depth={0}
        readOnly={props.readOnly}
        expanded={props.expanded}
        onToggle={props.onToggle}
        query={props.query}
      >
        {!props.readOnly && props.preview.t !== 'redacted' && (
          <span class="row-actions">
            {value !== undefined && (
              <button
                ref={editButton}
                type="button"
                class="icon"
                title={`Edit ${props.name} as JSON`}
                onClick={() => setEditing(JSON.stringify(value, null, 2))}
              >
                ✎
              </button>
            )}
            <button
              type="button"
              class="icon"
              title={`Pop ${props.name}`}
              aria-label={`Pop ${props.name}`}
              onClick={() => void store.pop(props.name)}
            >
              ✕
            </button>
          </span>
        )}
      </Node>
      {editing !== null && (
        <div class="editor">
          <textarea
            ref={editor}
            aria-label={`JSON value of ${props.name}`}
            value={editing}
            rows={Math.min(8, editing.split('\n').length + 1)}
            onInput={(e) => {
              setEditing(e.currentTarget.value);
              setError(null);
            }}
            onKeyDown={(e) => {
              // Enter saves a one-line value (Shift+Enter adds a line); Ctrl+Enter always saves.
              const oneLine = !e.currentTarget.value.includes('\n');
              if (e.key === 'Enter' && (e.ctrlKey || e.metaKey || (oneLine && !e.shiftKey))) {
                e.preventDefault();
                void save();
              }
              if (e.key === 'Escape') close();
            }}
          />
          <div class="editor-bar">
            <button
              type="button"
              onClick={() => void save()}
              title={connected ? undefined : 'Not connected to the agent'}
            >
              Save
            </button>
            <button type="button" onClick={close}>
              Cancel
            </button>
            <span class="muted">
              {connected
                ? 'Enter saves (Shift+Enter: new line), Esc cancels, Tab moves on'
                : 'Not connected to the agent: writes wait; your text is kept'}
            </span>
          </div>
          {error && (
            <div class="inline-error" role="alert">
              {error}
            </div>
          )}
        </div>
      )}
    </div>
  );
}

interface NodeProps extends Omit<TreeProps, 'entries'> {
  path: ValuePath;
  label: string | number;
  preview: ValuePreview;
  depth: number;
  children?: preact.ComponentChildren;
}

function Node({ path, label, preview, depth, expanded, onToggle, query, readOnly, children }: NodeProps) {
  const { store } = useApp();
  const id = pathId(path);
  const fetched = useStoreState((s) => s.values)[pathKey(path)];
  const shown = fetched ?? preview;
  const expandable = isExpandable(shown);
  const forced = query !== '' && childrenOf(shown)?.some(([k, v]) => matches(k, v, query));
  const open = expandable && (expanded.has(id) || Boolean(forced));
  const toggle = (): void => {
    if (!expandable) return;
    if (!open && needsFetch(shown) && !fetched) void store.loadValue(path);
    onToggle(path);
  };
  const kids = open ? childrenOf(shown) : null;
  // Highlight the row itself only when its key or its own (leaf) text matches, not a descendant.
  const hit =
    query !== '' &&
    (expandable ? String(label).toLowerCase().includes(query.toLowerCase()) : matches(label, shown, query));
  return (
    <>
      <div
        class={`tree-row${hit ? ' hit' : ''}`}
        role="treeitem"
        aria-expanded={expandable ? open : undefined}
        tabIndex={0}
        style={{ paddingLeft: `${4 + depth * 14}px` }}
        onKeyDown={(e) => {
          if ((e.key === 'ArrowRight' && !open) || (e.key === 'ArrowLeft' && open) || e.key === 'Enter')
            toggle();
        }}
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
        <span class={`value t-${shown.t}`} title={previewText(shown)}>
          {shown.t === 'redacted' ? <span class="badge redacted">redacted</span> : previewText(shown)}
        </span>
        {children}
      </div>
      {open && !kids && (
        <div class="tree-row muted" style={{ paddingLeft: `${18 + depth * 14}px` }}>
          loading…
        </div>
      )}
      {kids?.map(([k, v]) => (
        <Node
          key={String(k)}
          path={[...path, k]}
          label={k}
          preview={v}
          depth={depth + 1}
          expanded={expanded}
          onToggle={onToggle}
          query={query}
          readOnly={readOnly}
        />
      ))}
    </>
  );
}

function AddKey() {
  const { store } = useApp();
  const [key, setKey] = useState('');
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const add = (e: Event): void => {
    e.preventDefault();
    if (!key.trim()) {
      setError('Name the key to add.');
      return;
    }
    const parsed = parseJsonInput(text);
    if (!parsed.ok) {
      setError(parsed.error);
      return;
    }
    setError(null);
    setKey('');
    setText('');
    void store.setValue(key.trim(), parsed.value);
  };
  return (
    <form class="add-key" onSubmit={add}>
      <input
        aria-label="New key"
        placeholder="key"
        value={key}
        onInput={(e) => setKey(e.currentTarget.value)}
      />
      <input
        aria-label="New value (JSON)"
        placeholder='value as JSON, e.g. "blue"'
        value={text}
        onInput={(e) => setText(e.currentTarget.value)}
      />
      <button type="submit">Add</button>
      {error && (
        <div class="inline-error" role="alert">
          {error}
        </div>
      )}
    </form>
  );
}

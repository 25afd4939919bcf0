/**
 * A top-level key of the session: its row plus ✎ (edit as JSON) and ✕ (pop). A value held only as a
 * preview is fetched whole before it opens in the editor; once fetched (by ✎, the viewer or
 * expanding) the row edits the fetched value.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { JsonValue, ValuePreview } from '../../server-agent/agent/protocol.js';
import { pathKey } from '../client/state.js';
import { formatBytes } from './format.js';
import { Node } from './TreeNode.js';
import { fullValue, needsFetch, parseJsonInput } from './tree-model.js';
import { useApp, useStoreState, useWritesOff } from './use-store.js';

export function TopRow(props: { name: string; preview: ValuePreview; readOnly: boolean }) {
  const { store } = useApp();
  const [editing, setEditing] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const writesOff = useWritesOff();
  const fetched = useStoreState((s) => s.values)[pathKey([props.name])];
  const maxFetch = useStoreState((s) => s.welcome?.limits.maxFetchBytes ?? 0);
  const editor = useRef<HTMLTextAreaElement>(null);
  const editButton = useRef<HTMLButtonElement>(null);
  const isOpen = editing !== null;
  // ✎ puts the caret in the editor (Ctrl+A then selects the value, not the whole panel).
  useEffect(() => {
    if (!isOpen) return;
    editor.current?.focus();
    editor.current?.select();
  }, [isOpen]);
  const value = fullValue(fetched ?? props.preview);
  const canEdit = value !== undefined || needsFetch(props.preview);
  const startEdit = async (): Promise<void> => {
    let whole: JsonValue | undefined = value;
    if (whole === undefined) {
      const got = await store.loadValue([props.name]);
      if (!got) {
        setError(
          writesOff
            ? `Not connected to the agent: ${props.name} is held only as a preview here, so it opens in the editor once the agent is back.`
            : `The agent did not send ${props.name} (${store.state.lastFailure?.message ?? 'no answer'}); press ✎ to try again.`,
        );
        return;
      }
      whole = fullValue(got);
    }
    if (whole === undefined) {
      setError(
        `${props.name} is larger than the agent sends whole (maxFetchBytes ${formatBytes(maxFetch)}), so it cannot be edited here; set it from the app, or raise maxFetchBytes.`,
      );
      return;
    }
    setError(null);
    setEditing(JSON.stringify(whole, null, 2));
  };
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
    if (writesOff) {
      setError(`${writesOff} Nothing was sent; save again once connected.`);
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
      <Node path={[props.name]} label={props.name} preview={props.preview} depth={0}>
        {!props.readOnly && props.preview.t !== 'redacted' && (
          <>
            {canEdit && (
              <button
                ref={editButton}
                type="button"
                class="icon"
                title={`Edit ${props.name} as JSON`}
                onClick={() => void startEdit()}
              >
                ✎
              </button>
            )}
            <button
              type="button"
              class="icon"
              title={writesOff ?? `Pop ${props.name}`}
              aria-label={`Pop ${props.name}`}
              disabled={writesOff !== null}
              onClick={() => void store.pop(props.name)}
            >
              ✕
            </button>
          </>
        )}
      </Node>
      {editing === null && error && (
        <div class="inline-error editor" role="alert">
          {error}
        </div>
      )}
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
              disabled={writesOff !== null}
              {...(writesOff ? { title: writesOff } : {})}
            >
              Save
            </button>
            <button type="button" onClick={close}>
              Cancel
            </button>
            <span class="muted">
              {writesOff ?? 'Enter saves (Shift+Enter: new line), Esc cancels, Tab moves on'}
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

/**
 * The full value of one tree row, readable and copyable: a long string wrapped in a scrollable,
 * read-only text box (Ctrl+A selects the value, not the panel), anything else as indented JSON.
 * Fetched from the agent when the row holds only a preview. Escape closes and gives the focus back.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ValuePath, ValuePreview } from '../../server-agent/agent/protocol.js';
import { pathKey } from '../client/state.js';
import { formatBytes } from './format.js';
import { fullValue, needsFetch } from './tree-model.js';
import { useApp, useStoreState } from './use-store.js';
import { copyText, jsonText, openSnippet, plainText } from './value-copy.js';

export interface ValueViewerProps {
  path: ValuePath;
  preview: ValuePreview;
  onClose(): void;
}

type Load = 'idle' | 'loading' | 'failed';

/** Type, length and size as the agent counts it (compact JSON bytes, as the row and the store say). */
function describe(preview: ValuePreview): string {
  if (preview.t === 'value') {
    const v = preview.value;
    const kind = typeof v === 'string' ? 'string' : Array.isArray(v) ? `Array(${v.length})` : typeof v;
    const chars = typeof v === 'string' ? ` · ${v.length.toLocaleString('en-US')} chars` : '';
    return `${kind}${chars} · ${formatBytes(new TextEncoder().encode(JSON.stringify(v)).length)}`;
  }
  if (preview.t === 'redacted') return `redacted · ${formatBytes(preview.bytes)}`;
  return `${preview.t === 'more' ? preview.type : preview.t} · ${formatBytes(preview.bytes)}`;
}

export function ValueViewer({ path, preview, onClose }: ValueViewerProps) {
  const { store } = useApp();
  const fetched = useStoreState((s) => s.values)[pathKey(path)];
  const handle = useStoreState((s) => s.selected);
  const cookieName = useStoreState((s) => s.welcome?.session.cookieName ?? 'sessionid');
  const maxFetch = useStoreState((s) => s.welcome?.limits.maxFetchBytes ?? 0);
  const [load, setLoad] = useState<Load>('idle');
  const [status, setStatus] = useState('');
  const dialog = useRef<HTMLDivElement>(null);
  const box = useRef<HTMLTextAreaElement>(null);
  const shown = fetched ?? preview;
  const value = fullValue(shown);
  const text = value === undefined ? null : plainText(value);

  useEffect(() => {
    if (fetched || !needsFetch(preview)) return;
    setLoad('loading');
    void store.loadValue(path).then((got) => setLoad(got ? 'idle' : 'failed'));
    // Fetch once per opened path; a new revision clears `values` and the row's preview changes with it.
  }, [pathKey(path), preview]);
  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    box.current?.focus();
    return () => opener?.focus();
  }, []);
  useEffect(() => {
    // Focusing a box scrolls it to the caret: start at the top, as a reader expects.
    if (!box.current) return;
    box.current.setSelectionRange(0, 0);
    box.current.scrollTop = 0;
  }, [text]);

  const copy = async (what: string, label: string): Promise<void> => {
    const ok = await copyText(what, dialog.current ?? undefined);
    setStatus(
      ok
        ? `Copied ${label} (${what.length.toLocaleString('en-US')} characters).`
        : 'The browser refused the clipboard: select the text (Ctrl+A in the box) and press Ctrl+C.',
    );
  };
  const onKeyDown = (e: KeyboardEvent): void => {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      onClose();
      return;
    }
    if (e.key !== 'Tab' || !dialog.current) return;
    // Keep Tab inside the dialog while it is open (it covers the panel).
    const focusable = [...dialog.current.querySelectorAll<HTMLElement>('button:not([disabled]), textarea')];
    const first = focusable[0];
    const last = focusable.at(-1);
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last?.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first?.focus();
    }
  };
  const where = path.map(String).join(' › ');
  const partial =
    value === undefined && load !== 'loading'
      ? load === 'failed'
        ? 'The agent did not send the value (see the error above the tree); showing the preview.'
        : `Larger than the agent sends whole (maxFetchBytes ${formatBytes(maxFetch)}): showing the preview. Raise maxFetchBytes in attachAgent's limits to read it all.`
      : null;
  const previewText =
    shown.t === 'string' ? shown.head : shown.t === 'redacted' ? '' : JSON.stringify(shown, null, 2);
  return (
    <div class="viewer-backdrop">
      <div
        ref={dialog}
        class="viewer"
        role="dialog"
        aria-modal="true"
        aria-labelledby="viewer-title"
        onKeyDown={onKeyDown}
      >
        <header class="viewer-head">
          <h2 id="viewer-title" class="mono">
            {where}
          </h2>
          <span class="muted" data-testid="viewer-size">
            {load === 'loading' ? 'loading…' : describe(shown)}
          </span>
          <span class="spacer" />
          <button type="button" class="icon" aria-label="Close (Esc)" title="Close (Esc)" onClick={onClose}>
            ✕
          </button>
        </header>
        {partial && (
          <div class="hint warn" role="status">
            {partial}
          </div>
        )}
        <textarea
          ref={box}
          class="viewer-text"
          readOnly
          aria-label={`Full value of ${where}`}
          value={load === 'loading' ? '' : (text ?? previewText)}
          spellcheck={false}
        />
        <footer class="viewer-bar">
          <button
            type="button"
            disabled={text === null}
            onClick={() => text !== null && void copy(text, 'the value')}
          >
            Copy
          </button>
          <button
            type="button"
            disabled={value === undefined}
            onClick={() => value !== undefined && void copy(jsonText(value), 'as JSON')}
          >
            Copy as JSON
          </button>
          <button
            type="button"
            disabled={value === undefined || !handle}
            title="A snippet for Node that writes this value into the session with sessions.open(…); it names the session by its handle, never by its key"
            onClick={() =>
              value !== undefined &&
              handle &&
              void copy(openSnippet({ handle, cookieName, path, value }), 'a sessions.open(…) snippet')
            }
          >
            Copy as sessions.open(…) snippet
          </button>
          <span class="muted" role="status" data-testid="viewer-status">
            {status}
          </span>
        </footer>
      </div>
    </div>
  );
}

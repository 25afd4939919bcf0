/** Small display helpers shared by the components. */
import type { ValuePreview } from '../../server-agent/agent/protocol.js';

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function formatTime(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

export function formatDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
}

/** One-line rendering of a preview, as a tree row or a diff cell shows it. */
export function previewText(preview: ValuePreview | undefined): string {
  if (!preview) return '—';
  switch (preview.t) {
    case 'value':
      return JSON.stringify(preview.value) ?? 'undefined';
    case 'redacted':
      return `‹redacted, ${formatBytes(preview.bytes)}›`;
    case 'string':
      return `${JSON.stringify(preview.head)}… (${preview.length} chars, ${formatBytes(preview.bytes)})`;
    case 'array':
      return `Array(${preview.length}) ${formatBytes(preview.bytes)}`;
    case 'object':
      return `{…} ${preview.length} keys, ${formatBytes(preview.bytes)}`;
    case 'more':
      return `${preview.type === 'array' ? `Array(${preview.length})` : preview.type === 'object' ? `{…} ${preview.length} keys` : `string(${preview.length})`} ${formatBytes(preview.bytes)}`;
  }
}

export function shortHandle(handle: string): string {
  return handle.length > 10 ? `${handle.slice(0, 8)}…` : handle;
}

const ROW_CHARS = 300;
const clip = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max)}…` : text);

/**
 * A tree row's one line: previewText, but a long string keeps its length and size in view (the
 * head is cut, not the suffix) and a big array or object says how many it holds first. The full
 * value is in the viewer; this keeps a 200 KB string out of the row's DOM.
 */
export function rowText(preview: ValuePreview): string {
  if (preview.t === 'string')
    return `${clip(JSON.stringify(preview.head.slice(0, 200)), ROW_CHARS)}… (${preview.length} chars, ${formatBytes(preview.bytes)})`;
  if (preview.t === 'value') {
    const v = preview.value;
    if (typeof v === 'string' && v.length > 200)
      return `${JSON.stringify(v.slice(0, 200))}… (${v.length} chars)`;
    const text = JSON.stringify(v) ?? 'undefined';
    if (text.length <= ROW_CHARS) return text;
    if (Array.isArray(v)) return `Array(${v.length}) ${clip(text, ROW_CHARS)}`;
    if (v !== null && typeof v === 'object')
      return `{…} ${Object.keys(v).length} keys ${clip(text, ROW_CHARS)}`;
  }
  return clip(previewText(preview), ROW_CHARS);
}

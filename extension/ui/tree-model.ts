/** Turns a session's entries (previews) into tree rows: what can expand, what needs fetching, what matches. */
import type { JsonValue, ValuePath, ValuePreview } from '../../server-agent/agent/protocol.js';

export type Child = [string | number, ValuePreview];

/** Children known locally, or null when the node is a leaf or must be fetched first. */
export function childrenOf(preview: ValuePreview): Child[] | null {
  switch (preview.t) {
    case 'value': {
      const v = preview.value;
      if (Array.isArray(v)) return v.map((item, i) => [i, { t: 'value', value: item }]);
      if (v !== null && typeof v === 'object')
        return Object.entries(v).map(([k, item]) => [k, { t: 'value', value: item }]);
      return null;
    }
    case 'array':
      return preview.items.map((item, i) => [i, item]);
    case 'object':
      return preview.entries;
    default:
      return null;
  }
}

/** Can the row open at all (locally or after a fetch)? */
export function isExpandable(preview: ValuePreview): boolean {
  if (preview.t === 'more') return true;
  if (preview.t === 'string') return true; // truncated: expanding fetches the whole string
  if (preview.t === 'array' || preview.t === 'object') return true;
  return childrenOf(preview) !== null;
}

/** Needs a getValue round trip to show everything. */
export function needsFetch(preview: ValuePreview): boolean {
  if (preview.t === 'more' || preview.t === 'string') return true;
  if (preview.t === 'array') return preview.items.length < preview.length;
  if (preview.t === 'object') return preview.entries.length < preview.length;
  return false;
}

/** The full JSON when the preview carries it (editable as JSON), else undefined. */
export function fullValue(preview: ValuePreview): JsonValue | undefined {
  return preview.t === 'value' ? preview.value : undefined;
}

function textOf(preview: ValuePreview): string {
  if (preview.t === 'value') return JSON.stringify(preview.value) ?? '';
  if (preview.t === 'string') return preview.head;
  if (preview.t === 'array') return preview.items.map(textOf).join(' ');
  if (preview.t === 'object') return preview.entries.map(([k, v]) => `${k} ${textOf(v)}`).join(' ');
  return '';
}

/** Search by key and value: does this node or anything below it match? */
export function matches(key: string | number, preview: ValuePreview, query: string): boolean {
  if (!query) return true;
  const q = query.toLowerCase();
  return String(key).toLowerCase().includes(q) || textOf(preview).toLowerCase().includes(q);
}

export function pathId(path: ValuePath): string {
  return JSON.stringify(path);
}

/** Parses an edit; returns the value or a message naming the problem (nothing is sent on error). */
export function parseJsonInput(text: string): { ok: true; value: JsonValue } | { ok: false; error: string } {
  if (!text.trim())
    return { ok: false, error: 'Empty: type a JSON value, e.g. "text", 42, true, null, [1,2] or {"a":1}.' };
  try {
    return { ok: true, value: JSON.parse(text) as JsonValue };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { ok: false, error: `Invalid JSON: ${detail}. Strings need double quotes.` };
  }
}

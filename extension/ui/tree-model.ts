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
  if (isLongString(preview)) return false; // opens in the viewer (fetched whole there)
  if (preview.t === 'more') return true;
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

// ---- ranges ---------------------------------------------------------------------------------------

/** Children per range row, as Chrome DevTools groups a big array: `[0…99]`, `[100…199]`, … */
export const RANGE_SIZE = 100;

/** Indexes from..to, both included. */
export interface IndexRange {
  from: number;
  to: number;
}

/**
 * The range rows for children from..to, or null when they fit in one level (≤ 100). Buckets grow
 * by ×100 (100, 10,000, 1,000,000…) until no level lists more than 100 rows, so a 3,000-item array
 * opens to 30 ranges of 100 and a 20,000-item one to 2 ranges of 10,000 holding 100 ranges each.
 */
export function rangesFor(from: number, to: number): IndexRange[] | null {
  const count = to - from + 1;
  if (count <= RANGE_SIZE) return null;
  let bucket = RANGE_SIZE;
  while (Math.ceil(count / bucket) > RANGE_SIZE) bucket *= RANGE_SIZE;
  const ranges: IndexRange[] = [];
  for (let start = from; start <= to; start += bucket)
    ranges.push({ from: start, to: Math.min(to, start + bucket - 1) });
  return ranges;
}

export function rangeLabel(range: IndexRange): string {
  return `[${range.from}…${range.to}]`;
}

/** Expansion id of a range row under the node at `path` (node ids are pathId). */
export function rangeId(path: ValuePath, range: IndexRange): string {
  return `${pathId(path)}${rangeLabel(range)}`;
}

/** Every range row (outermost first) that holds child `index` of a node with `count` children. */
export function rangesHolding(path: ValuePath, count: number, index: number): string[] {
  const ids: string[] = [];
  let level = rangesFor(0, count - 1);
  while (level) {
    const range = level.find((r) => index >= r.from && index <= r.to);
    if (!range) break;
    ids.push(rangeId(path, range));
    level = rangesFor(range.from, range.to);
  }
  return ids;
}

// ---- search ---------------------------------------------------------------------------------------

/** What a query reveals: which top-level keys stay, which rows open to show a match, which match. */
export interface TreeSearch {
  /** Top-level keys with a match at or below them. */
  keys: Set<string>;
  /** Node and range ids to open so every match is on screen. */
  open: Set<string>;
  /** Ids of rows whose own key, or own leaf value, matches. */
  hits: Set<string>;
  /** Matches found (rows), for the count the search box shows. */
  count: number;
  /** Matches inside each range row (by rangeId), shown on the row when it stays closed. */
  rangeHits: Map<string, number>;
}

/**
 * Range rows a search opens at most. A broad query ("item") matches every row of a 3,000-item array;
 * opening every range would render 3,000 rows (over a second). The ranges of the first matches
 * open; the others stay closed and say how many matches they hold.
 */
export const SEARCH_OPEN_RANGES = 3;

/** The text a leaf row is searched by: what it shows, without the quotes a string gets. */
function leafText(preview: ValuePreview): string {
  if (preview.t === 'value')
    return typeof preview.value === 'string' ? preview.value : (JSON.stringify(preview.value) ?? '');
  if (preview.t === 'string') return preview.head;
  return '';
}

/**
 * Searches keys and values at every depth, using what the client holds for each path (a fetched
 * value where there is one, else the preview). Case-insensitive. One walk over the data, so a
 * 3,000-item array costs 3,000 visits, not one per row rendered.
 */
export function searchTree(
  entries: [string, ValuePreview][],
  query: string,
  fetched: (path: ValuePath) => ValuePreview | undefined = () => undefined,
): TreeSearch {
  const result: TreeSearch = {
    keys: new Set(),
    open: new Set(),
    hits: new Set(),
    count: 0,
    rangeHits: new Map(),
  };
  const q = query.toLowerCase();
  let rangesLeft = SEARCH_OPEN_RANGES;
  const reveal = (ids: string[]): void => {
    for (const id of ids) result.rangeHits.set(id, (result.rangeHits.get(id) ?? 0) + 1);
    if (ids.every((id) => result.open.has(id))) return;
    if (rangesLeft <= 0) return;
    rangesLeft--;
    for (const id of ids) result.open.add(id);
  };
  const walk = (path: ValuePath, label: string | number, preview: ValuePreview): boolean => {
    const shown = fetched(path) ?? preview;
    const kids = childrenOf(shown);
    let found = false;
    if (String(label).toLowerCase().includes(q) || (!kids && leafText(shown).toLowerCase().includes(q))) {
      result.hits.add(pathId(path));
      result.count++;
      found = true;
    }
    if (kids) {
      let below = false;
      const grouped = rangesFor(0, kids.length - 1) !== null;
      kids.forEach(([key, child], index) => {
        if (!walk([...path, key], key, child)) return;
        below = true;
        if (grouped) reveal(rangesHolding(path, kids.length, index));
      });
      if (below) result.open.add(pathId(path));
      found ||= below;
    }
    return found;
  };
  if (!q) return result;
  for (const [key, preview] of entries) if (walk([key], key, preview)) result.keys.add(key);
  return result;
}

/** A preview the client must fetch before it can search the value whole. */
export function searchNeedsFetch(preview: ValuePreview): boolean {
  if (preview.t === 'value' || preview.t === 'redacted') return false;
  if (needsFetch(preview)) return true;
  const kids = childrenOf(preview);
  return Boolean(kids?.some(([, child]) => searchNeedsFetch(child)));
}

/**
 * Worth opening in the full-value viewer: long or multi-line strings, truncated strings and any
 * array or object (pretty JSON). Short scalars read fine in the row; redacted values never open.
 */
export function canView(preview: ValuePreview): boolean {
  switch (preview.t) {
    case 'value': {
      const v = preview.value;
      if (typeof v === 'string') return v.length > 60 || v.includes('\n');
      return v !== null && typeof v === 'object';
    }
    case 'redacted':
      return false;
    default:
      return true;
  }
}

/** A string too long for its row: it opens in the viewer instead of expanding in place. */
export function isLongString(preview: ValuePreview): boolean {
  return preview.t === 'string' || (preview.t === 'more' && preview.type === 'string');
}

/**
 * What an "All sessions" search may look at: exactly what the agent would show. The handle, key
 * names at every depth, and values after redaction: a value under a secret-looking key (at any
 * depth) is never searched, so probing with guesses ("hunter2", "sk_live_") learns nothing the
 * views do not already say. A value bigger than one getValue answer (`maxFetchBytes`) is searched on
 * its preview only (the head of a long string, the first children of a big container), since that is
 * all the panel could show of it without a fetch that would be refused.
 */
import { jsonBytes, preview } from './preview.js';
import type { CommandContext } from './command-context.js';
import type { SearchField, ValuePreview } from './protocol.js';
import type { JsonValue, SessionData } from '../sessions/serializer.js';

/** Deeper than this the views show `{t:'more'}`; the search stops there too. */
const MAX_DEPTH = 32;

interface Search {
  query: string;
  keys: boolean;
  values: boolean;
  ctx: CommandContext;
}

export function sessionMatches(
  ctx: CommandContext,
  handle: string,
  data: SessionData,
  query: string,
  field: SearchField,
): boolean {
  if ((field === 'handle' || field === 'any') && handle.toLowerCase().startsWith(query)) return true;
  if (field === 'handle') return false;
  const search: Search = {
    query,
    ctx,
    keys: field === 'key' || field === 'any',
    values: field === 'value' || field === 'any',
  };
  for (const [key, value] of data) {
    if (search.keys && key.toLowerCase().includes(query)) return true;
    if (ctx.redact(key)) continue;
    if (jsonBytes(value) > ctx.limits.maxFetchBytes) {
      if (previewMatches(preview(value, key, ctx.redact, ctx.previewLimits), search)) return true;
    } else if (valueMatches(value, search, 0)) return true;
  }
  return false;
}

function scalarMatches(value: JsonValue, search: Search): boolean {
  return search.values && value !== null && String(value).toLowerCase().includes(search.query);
}

function valueMatches(value: JsonValue, search: Search, depth: number): boolean {
  if (value === null || typeof value !== 'object') return scalarMatches(value, search);
  if (depth >= MAX_DEPTH) return false;
  if (Array.isArray(value)) return value.some((item) => valueMatches(item, search, depth + 1));
  for (const [key, item] of Object.entries(value)) {
    if (search.keys && key.toLowerCase().includes(search.query)) return true;
    if (!search.ctx.redact(key) && valueMatches(item, search, depth + 1)) return true;
  }
  return false;
}

/** The same walk over what a preview shows (redaction already applied by `preview`). */
function previewMatches(shown: ValuePreview, search: Search): boolean {
  switch (shown.t) {
    case 'value':
      return valueMatches(shown.value, search, 0);
    case 'string':
      return search.values && shown.head.toLowerCase().includes(search.query);
    case 'array':
      return shown.items.some((item) => previewMatches(item, search));
    case 'object':
      return shown.entries.some(
        ([key, item]) =>
          (search.keys && key.toLowerCase().includes(search.query)) || previewMatches(item, search),
      );
    default:
      return false;
  }
}

/**
 * listSessions: the store's pages, optionally filtered by handle prefix, key name or value text.
 * A search scans a bounded number of records per command and hands back a cursor to go on, so
 * one click never walks a million-row table. Values under redacted keys never match (no oracle).
 */
import { jsonBytes } from './preview.js';
import type { CommandMessage, CommandResults, SessionSummary } from './protocol.js';
import { type CommandContext, CommandFailure, revisionOf } from './command-context.js';
import type { JsonValue, SessionData } from '../sessions/serializer.js';

const SCAN_PAGE = 200;
const MAX_SCANNED = 5000;

type ListCommand = Extract<CommandMessage, { op: 'listSessions' }>;

export async function listSessions(
  ctx: CommandContext,
  command: ListCommand,
): Promise<CommandResults['listSessions']> {
  const { store, handles, clock } = ctx.sessions;
  if (!store.list || !store.capabilities.list) {
    throw new CommandFailure(
      'unsupported',
      `The ${store.engine} store cannot enumerate its sessions; open one from a request instead.`,
    );
  }
  const limit = Math.min(command.limit ?? 50, ctx.limits.maxPageSize);
  const query = command.query?.toLowerCase() ?? '';
  const field = command.field ?? 'any';
  const items: SessionSummary[] = [];
  let cursor = command.cursor ?? null;
  let scanned = 0;
  let total: number | null = null;
  const now = clock.nowMs();
  do {
    const page = await store.list({
      cursor,
      limit: query ? SCAN_PAGE : limit,
      includeExpired: command.includeExpired ?? false,
    });
    total = page.total;
    for (const record of page.items) {
      scanned++;
      const handle = handles.handleFor(record.key);
      if (query && !matches(ctx, handle, record.data, query, field)) continue;
      items.push({
        session: handle,
        expiresAt: record.expiresAt?.getTime() ?? null,
        expired: record.expiresAt !== null && record.expiresAt.getTime() <= now,
        bytes: record.bytes,
        keys: [...record.data.keys()],
        revision: revisionOf(record.data),
      });
    }
    // Pages end where the store's cursor says (SQL keyset, Redis SCAN), so a search may return a
    // few more than `limit` rather than lose the rest of a page.
    cursor = page.cursor;
    if (items.length >= limit) break;
  } while (cursor && query && scanned < MAX_SCANNED);
  return { items, cursor, total, scanned };
}

function matches(
  ctx: CommandContext,
  handle: string,
  data: SessionData,
  query: string,
  field: string,
): boolean {
  if ((field === 'handle' || field === 'any') && handle.toLowerCase().startsWith(query)) return true;
  for (const [key, value] of data) {
    if ((field === 'key' || field === 'any') && key.toLowerCase().includes(query)) return true;
    if ((field === 'value' || field === 'any') && !ctx.redact(key) && valueMatches(value, query, ctx, 0))
      return true;
  }
  return false;
}

function valueMatches(value: JsonValue, query: string, ctx: CommandContext, depth: number): boolean {
  if (value === null || depth > 32) return false;
  if (typeof value !== 'object') return String(value).toLowerCase().includes(query);
  if (jsonBytes(value) > ctx.limits.maxFetchBytes) return false;
  if (Array.isArray(value)) return value.some((item) => valueMatches(item, query, ctx, depth + 1));
  return Object.entries(value).some(
    ([key, item]) => !ctx.redact(key) && valueMatches(item, query, ctx, depth + 1),
  );
}

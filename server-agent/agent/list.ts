/**
 * listSessions: the store's pages, optionally filtered by handle prefix, key names or value text
 * (search.ts: what may match). A search runs here, over the whole store, but scans a bounded amount
 * per command (records and bytes) and hands back a cursor to go on, so one keystroke never walks a
 * million-row table; `scanned` tells the UI how far it got ("searched 5,000 of 20,003").
 */
import type { CommandMessage, CommandResults, SessionSummary } from './protocol.js';
import { type CommandContext, CommandFailure, revisionOf } from './command-context.js';
import { sessionMatches } from './search.js';

const SCAN_PAGE = 200;
/** Records one search command reads at most before it answers with a cursor. */
export const MAX_SCANNED = 5000;
/** Stored bytes one search command reads at most (a few huge sessions end a call early too). */
export const MAX_SCANNED_BYTES = 16 * 1024 * 1024;

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
  let scannedBytes = 0;
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
      scannedBytes += record.bytes;
      const handle = handles.handleFor(record.key);
      if (query && !sessionMatches(ctx, handle, record.data, query, field)) continue;
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
    // Between pages of a search, let the app's own requests run: a 5,000-record scan costs about
    // 0.1–0.2 s of CPU (docs/agent.md) and must not be one block of the event loop.
    if (cursor && query) await new Promise<void>((resolve) => setImmediate(resolve));
  } while (cursor && query && scanned < MAX_SCANNED && scannedBytes < MAX_SCANNED_BYTES);
  return { items, cursor, total, scanned };
}

/**
 * Virtual clock moves with their consequences: sessions whose expiry the new "now" has passed get a
 * `session.expired` event (reason clock-travel), found by listing the store before and after.
 */
import type { SessionManager } from '../sessions/manager.js';

/** Records looked at before a move; beyond this the events are skipped, the move still happens. */
const MAX_SCANNED = 10_000;
const PAGE = 500;

async function liveExpiries(sessions: SessionManager): Promise<Map<string, number>> {
  const expiries = new Map<string, number>();
  const { store } = sessions;
  if (!store.list || !store.capabilities.list) return expiries;
  let cursor: string | null = null;
  do {
    const page = await store.list({ cursor, limit: PAGE, includeExpired: false });
    for (const item of page.items) if (item.expiresAt) expiries.set(item.key, item.expiresAt.getTime());
    cursor = page.cursor;
  } while (cursor && expiries.size < MAX_SCANNED);
  return expiries;
}

/** Runs `move` (a clock change) and returns the handles of the sessions it expired. */
export async function expiredByTravel(
  sessions: SessionManager,
  move: () => void,
  requestId: string,
): Promise<string[]> {
  // A reset must never fail (S2): should listing fail, the clock still moves, without events.
  const before = await liveExpiries(sessions).catch(() => new Map<string, number>());
  move();
  const now = sessions.clock.nowMs();
  const expired: string[] = [];
  for (const [key, expiresAt] of before) {
    if (expiresAt > now) continue;
    const handle = sessions.handles.handleFor(key);
    expired.push(handle);
    if (sessions.events.active) {
      sessions.events.emit('session.expired', {
        at: now,
        requestId,
        session: handle,
        reason: 'clock-travel',
        expiredAt: expiresAt,
      });
    }
  }
  return expired;
}

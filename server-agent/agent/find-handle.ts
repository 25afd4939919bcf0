/**
 * The key behind a handle this process has not seen: with the agent bus, a panel connected to one
 * process acts on sessions another process served. The bus never carries keys, so the key is found
 * by hashing the store's own keys (handles are shared across the deployment) until one matches,
 * over a bounded number of records. Stores that cannot list have no way to do this.
 */
import type { SessionManager } from '../sessions/manager.js';

const PAGE = 500;
const MAX_SCANNED = 50_000;

export async function findKey(sessions: SessionManager, handle: string): Promise<string | null> {
  const known = sessions.handles.keyFor(handle);
  if (known !== null) return known;
  const { store, handles } = sessions;
  // Without shared handles a foreign handle cannot match anything here: do not scan for nothing.
  if (!handles.shared || !store.list || !store.capabilities.list) return null;
  let cursor: string | null = null;
  let scanned = 0;
  do {
    const page = await store.list({ cursor, limit: PAGE, includeExpired: true });
    for (const record of page.items) {
      scanned++;
      if (handles.handleFor(record.key) === handle) return record.key;
    }
    cursor = page.cursor;
  } while (cursor && scanned < MAX_SCANNED);
  return null;
}

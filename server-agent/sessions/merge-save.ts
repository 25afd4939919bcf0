/**
 * The opt-in `merge` save strategy (SESSION_SAVE_STRATEGY='merge'). Django's save replaces the
 * whole record, so two concurrent requests writing different keys lose one of the writes (C1).
 * A merge save re-reads the stored record and applies only what this request changed: each key
 * whose value differs from what was loaded is set, each loaded key now absent is removed. Changes
 * are found by comparing against a snapshot taken at load, so nested mutation (`cart.push(x)`
 * followed by `modified = true`) counts as a change too.
 *
 * The re-read and the write run under a per-session lock, so merges inside one process never
 * interleave. Across processes, stores with compare-and-swap (SQL, Redis, cached_db) close the
 * window between re-read and write: see cas.ts. The file store keeps it (docs/security.md).
 */
import type { JsonValue, SessionData } from './serializer.js';

/** What each loaded key looked like, as canonical JSON text. */
export type Baseline = Map<string, string>;

function fingerprint(value: JsonValue | undefined): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined; // not JSON (BigInt, cycle): always a change; the serializer rejects it at save
  }
}

export function takeBaseline(data: SessionData): Baseline {
  const baseline: Baseline = new Map();
  for (const [key, value] of data) baseline.set(key, fingerprint(value) ?? '');
  return baseline;
}

/** The stored data with this request's changes applied on top. */
export function mergeChanges(stored: SessionData, baseline: Baseline, current: SessionData): SessionData {
  const merged: SessionData = new Map(stored);
  for (const key of baseline.keys()) if (!current.has(key)) merged.delete(key);
  for (const [key, value] of current) {
    const before = baseline.get(key);
    const now = fingerprint(value);
    if (before === undefined || now === undefined || before !== now) merged.set(key, value);
  }
  return merged;
}

/**
 * The keys a write of `writing` reverts: changed in the store since the load (stored ≠ baseline)
 * and set back by this write (writing ≠ stored). What a last-writer-wins save loses.
 */
export function revertedKeys(stored: SessionData, baseline: Baseline, writing: SessionData): string[] {
  const reverted: string[] = [];
  for (const key of new Set([...stored.keys(), ...baseline.keys()])) {
    const now = stored.has(key) ? (fingerprint(stored.get(key)) ?? '') : undefined;
    if (now === baseline.get(key)) continue;
    const mine = writing.has(key) ? (fingerprint(writing.get(key)) ?? '') : undefined;
    if (mine !== now) reverted.push(key);
  }
  return reverted;
}

const locks = new WeakMap<object, Map<string, Promise<unknown>>>();

/** Runs `task` after every earlier task for the same store and key has settled. */
export function withSessionLock<T>(store: object, key: string, task: () => Promise<T>): Promise<T> {
  let byKey = locks.get(store);
  if (!byKey) {
    byKey = new Map();
    locks.set(store, byKey);
  }
  const previous = byKey.get(key) ?? Promise.resolve();
  const run = previous.then(task, task);
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  byKey.set(key, settled);
  void settled.then(() => {
    if (byKey.get(key) === settled) byKey.delete(key);
  });
  return run;
}

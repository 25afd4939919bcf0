/**
 * Compare-and-swap saves (issue 14 item 2): a load remembers the record's version (the stored
 * session_data, the cache value's bytes) and a save goes through the store's saveIf, which writes
 * only while the record is still that version. A write made in between, by any process or host
 * (a Django app too, on Django's unchanged schema), is therefore seen at save time:
 *
 * - SESSION_SAVE_STRATEGY 'merge': re-read, merge this request's per-key changes onto what is
 *   stored now, try again; bounded (MAX_CAS_ATTEMPTS), then SaveConflict (409) and a
 *   SESSION_SAVE_CONFLICT warning event. Without contention this is one statement, where the
 *   in-process merge needs a read and a write.
 * - 'replace' (Django's default): the save still happens as Django's does (last writer wins), but
 *   a `session.conflict` event names the keys it reverted, so the panel's lost-update marker works
 *   across processes. Only done while someone listens to events and wants this request's detail
 *   (events.detail: the agent wants it for sessions a client watches whole): otherwise it is plain
 *   save(). For the other sessions the agent's in-process tracker (agent/conflicts.ts) still marks
 *   lost updates between this process's own requests; a write by another process goes unnoticed
 *   there, which is the price of not paying a loaded-value snapshot and a compare per save.
 */
import { SaveConflict, UpdateError } from './errors.js';
import { type Baseline, mergeChanges, revertedKeys, takeBaseline } from './merge-save.js';
import type { SessionData } from './serializer.js';
import type { SessionContext } from './session-context.js';
import { mergeWithStored, storeCall } from './session-storage.js';
import type { RecordVersion, SaveIfOutcome, SaveOutcome, SaveRecord, SessionStore } from './store.js';

/** Enough for 32 writers racing on one session (bench/cas.ts) to all get through. */
export const MAX_CAS_ATTEMPTS = 16;

/** Full jitter, 0 to min(2^attempt, 100) ms: racing writers spread out instead of colliding again. */
const backoff = (attempt: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(2 ** attempt, 100)));

type CasStore = SessionStore & Required<Pick<SessionStore, 'saveIf'>>;

export function casStore(ctx: SessionContext): CasStore | null {
  const store = ctx.store;
  return store.capabilities.compareAndSwap && typeof store.saveIf === 'function' ? (store as CasStore) : null;
}

export interface CasSaved {
  outcome: SaveOutcome;
  record: SaveRecord;
  /** What was written: this request's data, merged onto the stored record when it had changed. */
  data: SessionData;
}

export interface Where {
  key: string;
  requestId: string | undefined;
  /** The session's handle for events (computed only when an event is emitted). */
  handle: () => string | undefined;
}

/**
 * What was loaded (or just saved), when something will compare against it: merge needs it to find
 * this request's changes; a conflict event needs it to name the reverted keys.
 */
export function baselineFor(
  ctx: SessionContext,
  requestId: string | undefined,
  data: SessionData,
): Baseline | undefined {
  const wanted =
    ctx.settings.sessionSaveStrategy === 'merge' || (casStore(ctx) !== null && ctx.events.detail(requestId));
  return wanted ? takeBaseline(data) : undefined;
}

/**
 * A save outside the merge strategy: Django's, with a compare-and-swap first while someone listens.
 * Not an async function: every save of every request comes through here, and one then() costs a
 * promise less than an async frame's await. A throw (a record too large to store) still rejects.
 */
export function persist(
  ctx: SessionContext,
  where: Where,
  data: SessionData,
  mustCreate: boolean,
  version: RecordVersion | undefined,
  baseline: Baseline | undefined,
  build: (data: SessionData) => SaveRecord,
  /** What the caller does with the save, run in persist's own then(): a promise less than a then() on it. */
  committed: (saved: CasSaved) => void,
): Promise<void> {
  let record: SaveRecord;
  let saving: Promise<SaveOutcome | undefined>;
  try {
    record = build(data);
    const cas = mustCreate || !ctx.store.capabilities.serverSide ? null : casStore(ctx);
    saving =
      cas &&
      version !== undefined &&
      ctx.settings.sessionSaveStrategy === 'replace' &&
      ctx.events.detail(where.requestId)
        ? saveReplacing(ctx, cas, where, record, version, baseline)
        : storeCall(ctx, () => ctx.store.save(where.key, record, mustCreate));
  } catch (error) {
    return Promise.reject(error);
  }
  return saving.then((outcome) => committed({ outcome: outcome ?? {}, record, data }));
}

/** The merge strategy: over compare-and-swap where the store has it, else the in-process re-read. */
export async function mergeSave(
  ctx: SessionContext,
  where: Where,
  data: SessionData,
  version: RecordVersion | undefined,
  baseline: Baseline,
  build: (data: SessionData) => SaveRecord,
): Promise<CasSaved> {
  const cas = casStore(ctx);
  if (cas && version !== undefined) return saveMerging(ctx, cas, where, data, version, baseline, build);
  const merged = await mergeWithStored(ctx, where.key, baseline, data);
  const record = build(merged);
  const outcome = await storeCall(ctx, () => ctx.store.save(where.key, record, false));
  return { outcome: outcome ?? {}, record, data: merged };
}

const gone = () => new UpdateError('Forced update did not affect any rows.');

/** The replace strategy with a compare-and-swap first: Django's outcome, plus the conflict event. */
export async function saveReplacing(
  ctx: SessionContext,
  store: CasStore,
  where: Where,
  record: SaveRecord,
  version: RecordVersion,
  baseline: Baseline | undefined,
): Promise<SaveOutcome | undefined> {
  let expected = version;
  const overwritten = new Set<string>();
  let outcome: SaveOutcome | undefined;
  // Still compare-and-swap after the first loss: each re-read names what this write reverts, and
  // the swap makes sure nothing landed in between unnamed. Bounded, then a plain save (Django's).
  for (let attempt = 1; attempt <= MAX_CAS_ATTEMPTS && !outcome; attempt++) {
    const result: SaveIfOutcome = await storeCall(ctx, () => store.saveIf(where.key, record, expected));
    if (result.written) outcome = result;
    else if (result.reason === 'gone') throw gone();
    else {
      const stored = await storeCall(ctx, () => store.load(where.key));
      if (stored.outcome === 'miss') throw gone();
      if (stored.outcome !== 'hit' || stored.version === undefined) break;
      if (baseline) for (const key of revertedKeys(stored.data, baseline, record.data)) overwritten.add(key);
      expected = stored.version;
      if (attempt < MAX_CAS_ATTEMPTS) await backoff(attempt);
    }
  }
  outcome ??= await storeCall(ctx, () => store.save(where.key, record, false));
  if (overwritten.size > 0)
    ctx.events.emit('session.conflict', {
      at: ctx.clock.nowMs(),
      requestId: where.requestId,
      session: where.handle(),
      overwrittenKeys: [...overwritten],
      detectedBy: 'store',
    });
  return outcome;
}

/** The merge strategy over compare-and-swap: write, and on a lost race re-read, merge, retry. */
export async function saveMerging(
  ctx: SessionContext,
  store: CasStore,
  where: Where,
  data: SessionData,
  version: RecordVersion,
  baseline: Baseline,
  build: (data: SessionData) => SaveRecord,
): Promise<CasSaved> {
  let current = data;
  let expected = version;
  for (let attempt = 1; attempt <= MAX_CAS_ATTEMPTS; attempt++) {
    const record = build(current);
    const result = await storeCall(ctx, () => store.saveIf(where.key, record, expected));
    if (result.written) return { outcome: result, record, data: current };
    if (result.reason === 'gone')
      throw new UpdateError('The session was deleted by another request before this merge save.');
    const stored = await storeCall(ctx, () => store.load(where.key));
    if (stored.outcome === 'miss')
      throw new UpdateError('The session was deleted by another request before this merge save.');
    if (stored.outcome !== 'hit' || stored.version === undefined) {
      // Expired or unreadable meanwhile: nothing to compare against; merge onto empty, as before.
      const merged = mergeChanges(new Map(), baseline, data);
      const plain = build(merged);
      return {
        outcome: (await storeCall(ctx, () => store.save(where.key, plain, false))) ?? {},
        record: plain,
        data: merged,
      };
    }
    current = mergeChanges(stored.data, baseline, data);
    expected = stored.version;
    if (attempt < MAX_CAS_ATTEMPTS) await backoff(attempt);
  }
  const error = new SaveConflict(MAX_CAS_ATTEMPTS);
  if (ctx.events.active)
    ctx.events.emit('session.warning', {
      at: ctx.clock.nowMs(),
      requestId: where.requestId,
      session: where.handle(),
      code: error.code,
      message: error.message,
    });
  throw error;
}

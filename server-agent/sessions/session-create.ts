/**
 * Django's create(): a fresh key, saved with must_create, tried again on the rare collision. Apart
 * from session.ts, which owns the key and the save this drives.
 */
import { CreateError, SessionError } from './errors.js';
import { generateSessionKey } from './keys.js';
import type { SessionContext } from './session-context.js';

const MAX_CREATE_ATTEMPTS = 10_000;

export interface NewRecord {
  /** Adopts `key` as the session's key (the save that follows writes under it). */
  useKey(key: string): void;
  /** The save with must_create: rejects with CreateError when the key is taken. */
  saveNew(): Promise<void>;
  /** Django's exists(), for stores without an atomic create. */
  exists(key: string): Promise<boolean>;
  /** The record is saved under its new key. */
  created(): void;
}

export async function createRecord(ctx: SessionContext, record: NewRecord): Promise<void> {
  for (let attempt = 0; attempt < MAX_CREATE_ATTEMPTS; attempt++) {
    // 165 random bits never collide in practice; where the insert is atomic a collision still
    // ends in CreateError and a retry, so Django's exists() probe (and its await) is skipped.
    record.useKey(ctx.store.capabilities.atomicCreate ? generateSessionKey() : await unusedKey(record));
    try {
      await record.saveNew();
      record.created();
      return;
    } catch (error) {
      if (!(error instanceof CreateError)) throw error;
    }
  }
  throw new SessionError(
    'SESSION_CREATE_EXHAUSTED',
    'Unable to create a new session key. It is likely that the store is unavailable.',
  );
}

/** Django's _get_new_session_key. */
async function unusedKey(record: NewRecord): Promise<string> {
  for (;;) {
    const key = generateSessionKey();
    if (!(await record.exists(key))) return key;
  }
}

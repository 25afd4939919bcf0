/**
 * Sessions appear in events, logs and the inspector as a salted handle, never the raw key (ID-6).
 * The salt is per process, so handles cannot be matched across restarts or reversed offline; the
 * agent resolves a handle it has seen back to the key in memory only.
 */
import { createHmac, randomBytes } from 'node:crypto';

const REMEMBERED = 10_000;

export class SessionHandles {
  private readonly salt = randomBytes(32);
  private readonly keysByHandle = new Map<string, string>();
  /** One request emits several events for the same key: remember the HMAC instead of redoing it. */
  private readonly handlesByKey = new Map<string, string>();

  handleFor(key: string): string {
    const known = this.handlesByKey.get(key);
    if (known !== undefined) return known;
    const handle = createHmac('sha256', this.salt).update(key).digest('base64url').slice(0, 16);
    if (this.handlesByKey.size >= REMEMBERED) {
      const oldestKey = this.handlesByKey.keys().next().value;
      if (oldestKey !== undefined) {
        const oldestHandle = this.handlesByKey.get(oldestKey);
        this.handlesByKey.delete(oldestKey);
        if (oldestHandle !== undefined) this.keysByHandle.delete(oldestHandle);
      }
    }
    this.handlesByKey.set(key, handle);
    this.keysByHandle.set(handle, key);
    return handle;
  }

  /** The key behind a handle this process has issued recently, or null. */
  keyFor(handle: string): string | null {
    return this.keysByHandle.get(handle) ?? null;
  }
}

/**
 * Sessions appear in events, logs and the inspector as a salted handle, never the raw key (ID-6).
 * The salt is per process (shared by a deployment's processes only when the agent bus is on, see
 * share()), so handles cannot be reversed offline; the agent resolves a handle it has seen back to
 * the key in memory, or by hashing the store's keys until one matches.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { HmacKey } from './hmac-pads.js';
import { InsertionRing } from './insertion-ring.js';

const REMEMBERED = 10_000;

export class SessionHandles {
  /** The salt's HMAC pads, prepared once: a handle costs two one-shot hashes, not a createHmac. */
  private mac = new HmacKey('sha256', randomBytes(32));
  /** True once share() made handles the same in every process of the deployment. */
  shared = false;
  private readonly keysByHandle = new Map<string, string>();
  /** One request emits several events for the same key: remember the HMAC instead of redoing it. */
  private readonly handlesByKey = new Map<string, string>();
  /** Which key handlesByKey drops next (a load test of new sessions drops one per request). */
  private readonly order = new InsertionRing<string>(REMEMBERED);

  /**
   * The last key asked for: one request asks for its key's handle seven times (its events, its
   * cookie's redaction), and a string compare of 32 characters costs less than a Map lookup
   * (profiled: the lookups were ~3 µs of a streamed request).
   */
  private lastKey: string | undefined;
  private lastHandle = '';

  handleFor(key: string): string {
    if (key === this.lastKey) return this.lastHandle;
    const handle = this.lookup(key);
    this.lastKey = key;
    this.lastHandle = handle;
    return handle;
  }

  private lookup(key: string): string {
    const known = this.handlesByKey.get(key);
    if (known !== undefined) return known;
    const handle = this.mac.base64url(key).slice(0, 16);
    const oldestKey = this.order.push(key);
    if (oldestKey !== undefined) {
      const oldestHandle = this.handlesByKey.get(oldestKey);
      this.handlesByKey.delete(oldestKey);
      if (oldestHandle !== undefined) this.keysByHandle.delete(oldestHandle);
    }
    this.handlesByKey.set(key, handle);
    this.keysByHandle.set(handle, key);
    return handle;
  }

  /**
   * Several processes on one agent bus must issue the same handle for the same key: derive the
   * salt from SECRET_KEY and the bus scope instead of drawing it. Handles then stay stable across
   * restarts of that deployment; they are still HMACs under a secret only the app holds, so they
   * cannot be reversed or forged without SECRET_KEY (docs/security.md, "Agent bus").
   */
  share(secretKey: string, scope: string): void {
    this.mac = new HmacKey(
      'sha256',
      createHmac('sha256', secretKey).update(`sessionscope.agent.handles:${scope}`).digest(),
    );
    this.keysByHandle.clear();
    this.handlesByKey.clear();
    this.order.clear();
    this.lastKey = undefined;
    this.shared = true;
  }

  /** The key behind a handle this process has issued recently, or null. */
  keyFor(handle: string): string | null {
    return this.keysByHandle.get(handle) ?? null;
  }
}

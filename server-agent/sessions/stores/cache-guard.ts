/**
 * S7: how cached_db calls its cache. A frozen Redis (SIGSTOP, a full swap, a stalled network)
 * answers nothing, where a dead one refuses at once; waiting the whole store timeout for it left
 * no time for the database, so each request answered 503 until the stall watchdog dropped the
 * connection. Here a cache call gets a share of the store budget, and one that runs out of it
 * skips the cache for a while (a probe per period), so a frozen cache costs what a dead one
 * costs. A cache that fails fast (refused, out of memory) is asked every time, as before.
 */
import { StoreUnavailable } from '../errors.js';
import type { StoreContext } from '../store.js';

const CACHE_SHARE = 0.2;
const MIN_CACHE_BUDGET_MS = 25;
const MAX_CACHE_BUDGET_MS = 250;
export const SKIP_AFTER_TIMEOUT_MS = 1000;

export interface CacheGuard {
  /** The call's value, or undefined when it failed, ran out of budget, or the cache is skipped (`force`: not skipped). */
  guarded<T>(what: string, operation: () => Promise<T>, force?: boolean): Promise<T | undefined>;
  /** A call that must succeed (a logout's delete): StoreUnavailable at once while the cache is skipped. */
  required<T>(what: string, operation: () => Promise<T>): Promise<T>;
  /** True while a timed-out cache is being skipped. */
  skipping(): boolean;
}

export function createCacheGuard(context: StoreContext, where: string): CacheGuard {
  const budgetMs = Math.min(
    MAX_CACHE_BUDGET_MS,
    Math.max(MIN_CACHE_BUDGET_MS, context.settings.storeTimeoutMs * CACHE_SHARE),
  );
  let skipUntil = 0;
  const skipping = () => performance.now() < skipUntil;

  const withinBudget = async <T>(operation: () => Promise<T>): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    try {
      const call = operation();
      // A late failure of an abandoned call must not surface as an unhandled rejection.
      call.catch(() => undefined);
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          skipUntil = performance.now() + SKIP_AFTER_TIMEOUT_MS;
          reject(
            new Error(
              `no answer within ${Math.round(budgetMs)} ms (a frozen or overloaded Redis?); the cache is skipped for ${SKIP_AFTER_TIMEOUT_MS} ms`,
            ),
          );
        }, budgetMs);
      });
      return await Promise.race([call, late]);
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    skipping,
    async guarded(what, operation, force = false) {
      if (!force && skipping()) return undefined;
      try {
        return await withinBudget(operation);
      } catch (error) {
        context.log.error(`Error ${what} the session cache (${where}); using the database`, error);
        return undefined;
      }
    },
    async required(what, operation) {
      if (skipping())
        throw new StoreUnavailable(
          `The session cache (${where}) is not answering, so ${what} cannot be done; the session is kept until it can. Check that Redis is running.`,
        );
      try {
        return await withinBudget(operation);
      } catch (error) {
        if (error instanceof StoreUnavailable) throw error;
        throw new StoreUnavailable(`The session cache (${where}) failed: ${(error as Error).message}`, {
          cause: error,
        });
      }
    },
  };
}

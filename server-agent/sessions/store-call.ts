/**
 * Store calls fail fast: a store that does not answer within the limit is unavailable (503). A
 * failure leaves here with every session key scrubbed out of it (S5, key-scrub.ts).
 */
import { StoreUnavailable } from './errors.js';
import { storeFailure } from './key-scrub.js';
import type { SessionStore } from './store.js';

export async function callStore<T>(
  store: SessionStore,
  limitMs: number,
  operation: () => Promise<T>,
  key?: string | null,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new StoreUnavailable(`The ${store.engine} session store did not answer within ${limitMs} ms.`),
        ),
      limitMs,
    );
  });
  try {
    return await Promise.race([operation(), timeout]);
  } catch (error) {
    throw storeFailure(error, store.engine, [key]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * BENCH_PROMISES=1 in the request-path benches: the promises a request creates, counted with
 * async_hooks over `requests` sequential requests. Exact and the same on any machine, unlike CPU
 * time: each promise is an allocation and usually a microtask hop.
 */
import { createHook } from 'node:async_hooks';

export async function promisesPerRequest(request: () => Promise<unknown>, requests = 1000): Promise<number> {
  let created = 0;
  const hook = createHook({
    init(_id, type) {
      if (type === 'PROMISE') created++;
    },
  });
  hook.enable();
  try {
    for (let i = 0; i < requests; i++) await request();
  } finally {
    hook.disable();
  }
  // To a tenth: the hook also sees the promise of the loop's own last await.
  return Math.round((created / requests) * 10) / 10;
}

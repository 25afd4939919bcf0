/**
 * Random interleavings of async session steps. Each step waits a random number of event-loop
 * turns (microtasks and, sometimes, a macrotask) first, so requests against the same record
 * overlap in different orders from trial to trial, on in-process and networked stores alike.
 */
export type Rand = () => number;

export async function jitter(rand: Rand, maxTurns = 6): Promise<void> {
  const turns = Math.floor(rand() * maxTurns);
  for (let i = 0; i < turns; i++) {
    if (rand() < 0.2) await new Promise<void>((resolve) => setImmediate(resolve));
    else await Promise.resolve();
  }
}

/** Runs `count` trials with at most `parallel` in flight, each on its own session key. */
export async function runTrials(
  count: number,
  parallel: number,
  trial: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      await trial(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, count) }, worker));
}

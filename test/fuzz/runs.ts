/**
 * Fuzz settings shared by every target: FUZZ_RUNS cases per target (10^5 in CI; `npm run fuzz`
 * sets 10^6) and one seed per run, printed so a failure can be replayed with FUZZ_SEED=<n>.
 * fast-check also prints the seed and path of a counterexample when a property fails.
 */
import fc from 'fast-check';

export const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 100_000);
export const FUZZ_SEED = process.env.FUZZ_SEED
  ? Number(process.env.FUZZ_SEED)
  : Math.floor(Math.random() * 2 ** 31);

/** Time allowed per target: generous, since 10^6 runs on a busy 2-core box take a while. */
export const FUZZ_TIMEOUT_MS = Math.max(180_000, FUZZ_RUNS / 2);

export function fuzzParameters(target: string, runs = FUZZ_RUNS): fc.Parameters<unknown> {
  process.stdout.write(
    `[fuzz] ${target}: ${runs} runs, seed=${FUZZ_SEED} (replay with FUZZ_SEED=${FUZZ_SEED})\n`,
  );
  return { numRuns: runs, seed: FUZZ_SEED, endOnFailure: true };
}

/** Strings over a given alphabet (fast-check 4 builds these from a character arbitrary). */
export function stringOf(chars: string, constraints: fc.StringConstraints = {}): fc.Arbitrary<string> {
  return fc.string({ ...constraints, unit: fc.constantFrom(...chars.split('')) });
}

/**
 * The Vitest config Stryker runs (stryker.config.mjs picks the test files per group). Fuzz
 * targets run a few hundred cases instead of 10^5: a mutant that survives 300 generated cases
 * is triaged by hand, and the full runs stay in CI.
 * MUTATION_RUN=1 tells the few tests with a wall-clock bar (ND-1) that the code is instrumented
 * (every statement counts itself, several times slower) on a shared machine: they keep their bar in
 * normal runs and CI, and under Stryker widen it (test/helpers/timing.ts), so a bar never decides
 * whether a mutant lives; a mutant that makes parsing pathological still fails the wide bar or
 * Stryker's own timeout.
 */
import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

export default mergeConfig(
  base,
  defineConfig({
    test: {
      env: { FUZZ_RUNS: '300', MUTATION_RUN: '1' },
      reporters: ['default'],
      testTimeout: 30_000,
    },
  }),
);

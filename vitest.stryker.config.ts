/**
 * The Vitest config Stryker runs (stryker.config.mjs picks the test files per group). Fuzz
 * targets run a few hundred cases instead of 10^5: a mutant that survives 300 generated cases
 * is triaged by hand, and the full runs stay in CI.
 */
import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

export default mergeConfig(
  base,
  defineConfig({
    test: {
      env: { FUZZ_RUNS: '300' },
      reporters: ['default'],
      testTimeout: 30_000,
    },
  }),
);

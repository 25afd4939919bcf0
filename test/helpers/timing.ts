/**
 * Wall-clock bars in tests. A bar holds as written in normal runs and CI; under mutation testing
 * (vitest.stryker.config.ts sets MUTATION_RUN=1) the code is instrumented and runs several times
 * slower on a shared machine, so the bar widens by MUTATION_SLOWDOWN: a mutant must then be killed
 * by what the code answers, not by how fast, while a mutant that turns linear work quadratic still
 * blows through the wide bar (or Stryker's own timeout).
 */
export const MUTATION_SLOWDOWN = 20;

export function timingBarMs(normalMs: number): number {
  return process.env.MUTATION_RUN === '1' ? normalMs * MUTATION_SLOWDOWN : normalMs;
}

/**
 * Mutation testing (StrykerJS + its Vitest runner): `npm run mutate [group…]`, never in CI.
 * One group per run keeps each run bounded on a shared 2-core machine: the group names the files
 * to mutate and the test files allowed to kill their mutants (only those are loaded, and per-test
 * coverage then runs only the tests that reach a mutant), in two passes (see `pass`). Results are
 * incremental per group, so a re-run only tests mutants whose code or tests changed. Scores and the survivors' triage:
 * docs/testing.md.
 */
const GROUPS = {
  signing: {
    mutate: [
      'server-agent/sessions/signing.ts',
      'server-agent/sessions/codec.ts',
      'server-agent/sessions/serializer.ts',
      // The 16 MiB inflate cap (CR-8) lives here since the codec became byte-identical to Django's.
      'server-agent/sessions/zlib-codec.ts',
    ],
    tests: [
      'test/sessions/signing.test.ts',
      'test/sessions/signing-edges.test.ts',
      'test/sessions/signing-django.test.ts',
      'test/sessions/signing-api.test.ts',
      'test/sessions/zlib-payload.test.ts',
      'test/sessions/serializer.test.ts',
      'test/sessions/serializer-edges.test.ts',
      'test/sessions/serializer-refusals.test.ts',
      // assertStorable (U3) is reached through set() and the tracked object.
      'test/sessions/storable-values.test.ts',
      'test/sessions/codec-guarantees.test.ts',
      // The kept scratch buffers on each side of their size limits, and the shared inflate chunk.
      'test/sessions/codec-buffers.test.ts',
      'test/fuzz/signing.test.ts',
      'test/fuzz/payload.test.ts',
    ],
    more: ['test/stores/signed-cookies.test.ts'],
  },
  session: {
    mutate: ['server-agent/sessions/session*.ts', 'server-agent/sessions/expiry.ts'],
    // store-outage: onStoreUnavailable 'continue' while loading (a Redis that refuses at once).
    tests: [
      // Not codec-buffers/hmac-pads: they test codec.ts and hmac-pads.ts only (the signing rewrite), and
      // codec-buffers' 200,000-character round trips outgrow the 30 s test timeout on a loaded box.
      'test/sessions/!(codec-buffers|hmac-pads).test.ts',
      'test/stores/cache-memory.test.ts',
      'test/stores/store-outage.test.ts',
      // SESSION_ABSOLUTE_LIFETIME / SESSION_IDLE_TIMEOUT on SQLite :memory: (fast).
      'test/reliability/lifetime-caps.test.ts',
    ],
    more: [
      'test/stores/sqlite.test.ts',
      'test/stores/signed-cookies.test.ts',
      'test/security/lifecycle.test.ts',
    ],
  },
  http: {
    mutate: ['server-agent/http/middleware.ts', 'server-agent/http/cookies.ts'],
    tests: [
      'test/http/cookies.test.ts',
      // The framework-free core driven directly: middleware.ts gets a unit pass too.
      'test/http/middleware-core.test.ts',
      'test/fuzz/cookie-header.test.ts',
      'test/fuzz/set-cookie.test.ts',
    ],
    more: [
      'test/http/node.test.ts',
      'test/http/adapter-misuse.test.ts',
      'test/http/node-response.test.ts',
      // identifiers.test.ts (10,000-request floods) outgrows its timeout once instrumented.
      'test/security/lifecycle.test.ts',
    ],
  },
  agent: {
    mutate: [
      'server-agent/agent/guard.ts',
      'server-agent/agent/redact.ts',
      'server-agent/agent/preview.ts',
      'server-agent/agent/validate.ts',
    ],
    tests: [
      'test/agent/guard.test.ts',
      'test/agent/preview.test.ts',
      'test/agent/preview-limits.test.ts',
      'test/agent/validate.test.ts',
      'test/fuzz/agent-frames.test.ts',
    ],
    more: ['test/agent/security.test.ts', 'test/agent/commands.test.ts', 'test/agent/stream.test.ts'],
  },
};

const name = process.env.MUTATE_GROUP ?? 'signing';
const group = GROUPS[name];
if (!group) throw new Error(`MUTATE_GROUP=${name} is not one of ${Object.keys(GROUPS).join(', ')}`);
const only = process.env.MUTATE_FILES?.split(',').filter(Boolean);
// Pass "unit" loads only the group's fast unit tests (one import graph, ~1 s per mutant); pass
// "full" adds the integration suites, and incremental mode then re-tests only what pass "unit"
// left alive (a killed mutant is reused while its killing test is unchanged).
const pass = process.env.MUTATE_PASS ?? 'full';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.stryker.config.ts', related: false },
  mutate: only ?? group.mutate,
  testFiles: pass === 'unit' ? group.tests : [...group.tests, ...group.more],
  coverageAnalysis: 'perTest',
  // 2 cores shared by 8 engineers: one runner by default, MUTATE_CONCURRENCY=2 when the box is quiet.
  concurrency: Number(process.env.MUTATE_CONCURRENCY ?? 1),
  incremental: true,
  incrementalFile: `reports/mutation/${name}.incremental.json`,
  ignoreStatic: true,
  timeoutMS: 10_000,
  timeoutFactor: 2,
  dryRunTimeoutMinutes: 15,
  ignorePatterns: ['dist', 'reports', 'test-results', 'coverage', '.cache', 'docs', 'bench'],
  reporters: ['clear-text', 'progress', 'json', 'html'],
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  htmlReporter: { fileName: `reports/mutation/${name}.html` },
  clearTextReporter: { allowColor: false, logTests: false, maxTestsToLog: 0 },
  thresholds: { high: 90, low: 85, break: null },
  // One sandbox folder per group, so two groups can run side by side.
  tempDirName: `.stryker-tmp-${name}`,
  cleanTempDir: true,
};

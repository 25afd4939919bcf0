#!/usr/bin/env node
// Runs the compiled CLI: dist/ ships in the package (built by prepack); in a clone, `npm run build` first.
// Imports are dynamic, so the version check runs before the CLI's modules are even linked: an
// unsupported Node, or a clone that was not built, gets one line and exit code 1, not a stack trace.
try {
  await import('../dist/server-agent/node-version.js');
} catch (error) {
  const missing = error?.code === 'ERR_MODULE_NOT_FOUND';
  process.stderr.write(
    `${missing ? 'sessionscope: dist/ is not built; in a clone of the repository, run `npm run build` first.' : error?.message}\n`,
  );
  process.exit(1);
}
const { main } = await import('../dist/server-agent/cli.js');
process.exitCode = await main(process.argv.slice(2));

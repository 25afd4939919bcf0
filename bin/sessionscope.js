#!/usr/bin/env node
// Runs the compiled CLI: dist/ ships in the package (built by prepack); in a clone, `npm run build` first.
// The version check loads first, so an unsupported Node gets one line naming the minimum.
import '../dist/server-agent/node-version.js';
import { main } from '../dist/server-agent/cli.js';

process.exitCode = await main(process.argv.slice(2));

#!/usr/bin/env node
// Runs the compiled CLI (dist/ is built by `npm run build`, which `npm install` runs via prepare).
import { main } from '../dist/server-agent/cli.js';

process.exitCode = await main(process.argv.slice(2));

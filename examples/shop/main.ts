/**
 * `npm start [-- --engine redis|postgres|file|signed_cookies|cached_db] [--port N]`: the demo shop.
 * Builds the extension first when the UI build exists and has not run yet.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ENGINES } from './engines.js';
import { startShop } from './server.js';

const { values } = parseArgs({
  options: {
    engine: { type: 'string', default: 'db' },
    port: { type: 'string', default: process.env.PORT ?? '8000' },
    host: { type: 'string', default: '127.0.0.1' },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log(`Usage: npm start -- [--engine ${ENGINES.join('|')}] [--port 8000] [--host 127.0.0.1]`);
  process.exit(0);
}

const scripts =
  (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts?: Record<string, string> }).scripts ?? {};
if (scripts['build:ui'] && !existsSync('dist/extension/manifest.json')) {
  console.log('Building the inspector UI and extension (npm run build:ui) …');
  const built = spawnSync('npm', ['run', 'build:ui'], { stdio: 'inherit' });
  if (built.status !== 0) console.log('The UI build failed; the shop runs anyway, without the inspector UI.');
}

try {
  const shop = await startShop({ engine: values.engine, port: Number(values.port), host: values.host });
  console.log(`sessionscope shop (${values.engine} engine) at ${shop.url}`);
  if (shop.inspectorUrl) console.log(`Inspector: ${shop.inspectorUrl}`);
  else console.log('Inspector: off (NODE_ENV=production).');
  if (shop.extensionDir)
    console.log(
      `DevTools extension: load ${shop.extensionDir} unpacked (chrome://extensions → Developer mode → Load unpacked).`,
    );
  else console.log('DevTools extension: not built (npm run build:ui, then load dist/extension unpacked).');
  const stop = () => {
    void shop.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (error) {
  console.error(`The shop could not start: ${(error as Error).message}`);
  process.exit(1);
}

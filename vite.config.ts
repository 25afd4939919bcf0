/**
 * Two builds from one config, chosen by `--mode`:
 *
 * - `vite build` (mode `production`): the MV3 extension into `dist/extension/`, loadable unpacked.
 *   Pages keep their source-relative paths (`extension/devtools.html`, `extension/panel.html`) so the
 *   root `manifest.json` needs only its `.ts` entries renamed; `scripts/package-extension.ts` then
 *   writes the Firefox variant and one zip per browser.
 * - `vite build --mode inspector`: the companion inspector into `dist/inspector/` (index.html +
 *   assets), which the agent serves under `/__sessionscope/`. Relative asset URLs keep it working
 *   under any mount path.
 *
 * Plain Vite multi-page input rather than a web-extension plugin: the manifest has three entries,
 * and owning the manifest rewrite keeps the Chrome and Firefox variants in one small function.
 */
import { readFileSync, renameSync } from 'node:fs';
import { resolve } from 'node:path';
import preact from '@preact/preset-vite';
import { defineConfig, type Plugin } from 'vite';

const root = import.meta.dirname;

/** Copies the root manifest into the extension build with `.ts` entries pointed at their output. */
function manifestPlugin(): Plugin {
  return {
    name: 'sessionscope-manifest',
    generateBundle() {
      const manifest = JSON.parse(readFileSync(resolve(root, 'manifest.json'), 'utf8')) as {
        background: { service_worker: string };
      };
      manifest.background.service_worker = manifest.background.service_worker.replace(/\.ts$/, '.js');
      this.emitFile({
        type: 'asset',
        fileName: 'manifest.json',
        source: `${JSON.stringify(manifest, null, 2)}\n`,
      });
      for (const size of [16, 48, 128]) {
        const fileName = `extension/icons/icon-${size}.png`;
        this.emitFile({ type: 'asset', fileName, source: readFileSync(resolve(root, fileName)) });
      }
    },
  };
}

/** The agent serves `dist/inspector/index.html`; Vite names the page after its source file. */
function inspectorIndexPlugin(): Plugin {
  return {
    name: 'sessionscope-inspector-index',
    writeBundle(options) {
      const dir = options.dir ?? resolve(root, 'dist/inspector');
      renameSync(resolve(dir, 'inspector.html'), resolve(dir, 'index.html'));
    },
  };
}

export default defineConfig(({ mode }) => {
  const inspector = mode === 'inspector';
  const input: Record<string, string> = inspector
    ? { inspector: resolve(root, 'extension/inspector.html') }
    : {
        devtools: resolve(root, 'extension/devtools.html'),
        panel: resolve(root, 'extension/panel.html'),
        background: resolve(root, 'extension/background.ts'),
      };
  return {
    // The inspector page builds from inside extension/ so it lands at dist/inspector/inspector.html
    // with `./assets/…` URLs; writeBundle renames it to index.html in the same folder.
    root: inspector ? resolve(root, 'extension') : root,
    base: './',
    publicDir: false,
    plugins: [
      preact({ devToolsEnabled: false, prefreshEnabled: false }),
      inspector ? inspectorIndexPlugin() : manifestPlugin(),
    ],
    build: {
      outDir: resolve(root, inspector ? 'dist/inspector' : 'dist/extension'),
      emptyOutDir: true,
      target: 'chrome120',
      modulePreload: false,
      sourcemap: false,
      reportCompressedSize: false,
      rollupOptions: {
        input,
        output: {
          // The service worker must sit at the path the manifest names.
          entryFileNames: (chunk) =>
            chunk.name === 'background' ? 'extension/background.js' : 'assets/[name]-[hash].js',
          chunkFileNames: 'assets/[name]-[hash].js',
          assetFileNames: 'assets/[name]-[hash][extname]',
        },
      },
    },
  };
});

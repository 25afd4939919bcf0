/**
 * The DevTools "Sessions" panel: finds the agent for the inspected tab's origin by itself
 * (same origin, /__sessionscope/ws), uses the pairing remembered for that origin, follows the tab's
 * requests through the agent's request-id header, and reads the cookie jar through the platform.
 */
import { REQUEST_ID_HEADER } from '../server-agent/agent/protocol.js';
import { diagnose, probe } from './client/doctor.js';
import { loadPairing, parsePairing, savePairing } from './client/pairing.js';
import { createExtensionPlatform } from './platform/extension.js';
import { boot } from './ui/boot.js';

async function start(): Promise<void> {
  const platform = createExtensionPlatform();
  const origin = await platform.inspectedOrigin();
  const target = origin ? await loadPairing(platform.storage, origin) : null;
  const shell = boot({
    client: 'extension',
    platform,
    origin,
    target,
    mount: document.getElementById('app')!,
    onPair(input, current) {
      const parsed = parsePairing(input, origin);
      if (!parsed.ok) return parsed.error;
      if (origin) void savePairing(platform.storage, origin, parsed.target);
      current.connect(parsed.target);
      return null;
    },
  });
  if (!origin) shell.store.setProblem(diagnose('unreachable', 'The inspected page is not an http(s) page.'));
  else if (!target) {
    // Look for the agent on the inspected origin first, so "not paired" is never shown for an app
    // that has no agent at all.
    const found = await probe(origin, '');
    shell.store.setProblem(
      found.code === 'unreachable'
        ? found
        : diagnose('no_token', `Agent found at ${origin}; no pairing remembered yet.`),
    );
  }
  platform.onRequestFinished((request) => {
    const id = request.responseHeaders[REQUEST_ID_HEADER];
    if (id) shell.store.noteRequest(id);
  });
  platform.onNavigated((url) => shell.store.navigated(url));
}

void start();

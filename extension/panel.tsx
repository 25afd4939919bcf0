/**
 * The DevTools "Sessions" panel: finds the agent for the inspected tab's origin by itself
 * (same origin, /__sessionscope/ws), uses the pairing remembered for that origin, follows the tab's
 * requests through the agent's request-id header and its navigation from site to site
 * (client/inspected-origin.ts), and reads the cookie jar through the platform.
 */
import { REQUEST_ID_HEADER } from '../server-agent/agent/protocol.js';
import { probe } from './client/doctor.js';
import { followOrigins, originOf } from './client/inspected-origin.js';
import { parsePairing, savePairing } from './client/pairing.js';
import { createExtensionPlatform } from './platform/extension.js';
import { boot } from './ui/boot.js';

async function start(): Promise<void> {
  const platform = createExtensionPlatform();
  const shell = boot({
    client: 'extension',
    platform,
    origin: null,
    target: null,
    mount: document.getElementById('app')!,
    onPair(input, current) {
      // Pairings are per inspected origin: the one the tab is on now.
      const origin = follower.origin ?? null;
      const parsed = parsePairing(input, origin);
      if (!parsed.ok) return parsed.error;
      if (origin) void savePairing(platform.storage, origin, parsed.target);
      current.connect(parsed.target);
      return null;
    },
  });
  const follower = followOrigins({
    shell,
    storage: platform.storage,
    probe,
    hasHostAccess: (origin) => platform.hasHostAccess(origin),
  });
  shell.onGrant = async () => {
    const origin = follower.origin;
    if (origin && (await platform.requestHostAccess(origin))) await follower.retry();
  };
  await follower.arrive(await platform.inspectedOrigin());
  platform.onRequestFinished((request) => {
    const id = request.responseHeaders[REQUEST_ID_HEADER];
    if (id) shell.store.noteRequest(id);
  });
  platform.onNavigated((url) => {
    // Same site: the timeline rule (keep the redirect chain). Another site: another agent.
    if (follower.origin === originOf(url)) shell.store.navigated(url);
    else void follower.arrive(url);
  });
}

void start();

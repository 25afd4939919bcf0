/**
 * The companion inspector: the same UI served by the agent at /__sessionscope/, with the null
 * platform. The token arrives in the URL fragment (never sent to the server in a request line).
 * When it is missing or refused (the agent restarted with a new one), the pairing form takes the
 * new URL or token, puts it back in the fragment (so a reload keeps it) and reconnects.
 */
import { diagnose } from './client/doctor.js';
import { parsePairing, tokenFromFragment } from './client/pairing.js';
import { createNullPlatform } from './platform/null.js';
import { boot, type Shell } from './ui/boot.js';

const origin = location.origin;
const token = tokenFromFragment(location.hash);

/** Pairs with a pasted URL or token; this page can only talk to the agent that served it. */
function pair(input: string, shell: Shell): string | null {
  const parsed = parsePairing(input, origin);
  if (!parsed.ok) return parsed.error;
  if (parsed.target.origin !== origin)
    return `This inspector belongs to ${origin}; open ${parsed.target.origin}/__sessionscope/ for that agent, or paste this agent’s token.`;
  history.replaceState(null, '', `${location.pathname}${location.search}#token=${parsed.target.token}`);
  shell.connect(parsed.target);
  return null;
}

const shell = boot({
  client: 'inspector',
  platform: createNullPlatform(origin),
  origin,
  target: token ? { origin, token } : null,
  onPair: pair,
  mount: document.getElementById('app')!,
});
if (!token)
  shell.store.setProblem(diagnose('no_token', 'Open the URL the server printed: it ends in #token=….'));

// Pasting the new URL into the address bar changes only the fragment: no reload, so follow it here.
window.addEventListener('hashchange', () => {
  const next = tokenFromFragment(location.hash);
  if (next) shell.connect({ origin, token: next });
});

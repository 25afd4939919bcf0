/**
 * The companion inspector: the same UI served by the agent at /__sessionscope/, with the null
 * platform. The token arrives in the URL fragment (never sent to the server in a request line).
 */
import { tokenFromFragment } from './client/pairing.js';
import { diagnose } from './client/doctor.js';
import { createNullPlatform } from './platform/null.js';
import { boot } from './ui/boot.js';

const origin = location.origin;
const token = tokenFromFragment(location.hash);
const shell = boot({
  client: 'inspector',
  platform: createNullPlatform(origin),
  origin,
  target: token ? { origin, token } : null,
  mount: document.getElementById('app')!,
});
if (!token)
  shell.store.setProblem(diagnose('no_token', 'Open the URL the server printed: it ends in #token=….'));

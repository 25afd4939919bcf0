/**
 * The oldest Node this package runs on, checked before anything else loads (index.ts imports this
 * first; require.cts repeats the check for CommonJS callers), so an app on an older Node gets one
 * line naming the minimum instead of ERR_REQUIRE_ESM or an error from deeper down.
 * 20.19 is where require() of an ES module works without a flag, which is how CommonJS apps load
 * sessionscope (one build, no dual-package hazard); Node 20 itself is past its end of life.
 */
export const MINIMUM_NODE = '20.19.0';

export function unsupportedNode(version: string): string | null {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
  const [wantMajor = 0, wantMinor = 0] = MINIMUM_NODE.split('.').map(Number);
  if (major > wantMajor || (major === wantMajor && minor >= wantMinor)) return null;
  return `sessionscope needs Node.js ${MINIMUM_NODE} or newer; this is Node.js ${version.replace(/^v?/, 'v')}. Upgrade Node (22 or 24 LTS recommended).`;
}

const problem = unsupportedNode(process.versions.node);
if (problem) throw new Error(problem);

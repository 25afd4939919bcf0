/**
 * The Chrome id of sessionscope's own DevTools extension, as code: an installed package has no
 * manifest.json, and the agent must still accept `chrome-extension://<this id>` by default.
 * It is derived from the `key` in the root manifest.json (sha256 of the public key, Chrome's
 * a-p alphabet); test/agent/extension-id.test.ts fails if the two ever drift apart.
 */
export const EXTENSION_ID = 'bbbecghifmkhegpglelinmnokfgalggg';

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MINIMUM_NODE, unsupportedNode } from '../../server-agent/node-version.js';

describe('I10 unsupported Node: one line naming the minimum version', () => {
  it('names the minimum and the running version for Node 20.10 and 18', () => {
    const message = unsupportedNode('20.10.0');
    expect(message).toBe(
      'sessionscope needs Node.js 20.19.0 or newer; this is Node.js v20.10.0. Upgrade Node (22 or 24 LTS recommended).',
    );
    expect(message).not.toContain('\n');
    expect(unsupportedNode('v18.20.4')).toContain('20.19.0');
  });

  it('accepts 20.19, 22 and 24', () => {
    for (const version of ['20.19.0', '20.20.2', '22.5.0', '24.0.0', '25.1.0'])
      expect(unsupportedNode(version)).toBeNull();
  });

  it('the minimum is the one package.json declares in engines', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      engines: { node: string };
    };
    expect(pkg.engines.node).toBe(`>=${MINIMUM_NODE.replace(/\.0$/, '')}`);
    // require.cts repeats the check (an old Node cannot require the ES module that holds it).
    const shim = readFileSync(new URL('../../server-agent/require.cts', import.meta.url), 'utf8');
    expect(shim).toContain(`const MINIMUM_NODE = '${MINIMUM_NODE}';`);
    expect(shim).toContain('major === 20 && minor < 19');
  });
});

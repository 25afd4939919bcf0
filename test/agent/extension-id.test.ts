import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXTENSION_ID } from '../../server-agent/agent/extension-id.js';
import { chromeExtensionId } from '../../server-agent/agent/guard.js';
import { Client, type Harness, quietLogs, startHarness } from './harness.js';

describe('I10 pinned extension id as code', () => {
  let harness: Harness;
  let logs: ReturnType<typeof quietLogs>;
  beforeAll(async () => {
    logs = quietLogs();
    harness = await startHarness();
  });
  afterAll(async () => {
    await harness.close();
    logs.restore();
  });

  it('EXTENSION_ID is the id Chrome derives from the key in manifest.json', () => {
    const manifest = JSON.parse(readFileSync(new URL('../../manifest.json', import.meta.url), 'utf8')) as {
      key: string;
    };
    expect(chromeExtensionId(manifest.key)).toBe(EXTENSION_ID);
  });

  it('an agent with default options accepts the extension origin and refuses another id', async () => {
    const client = await Client.connect(harness.agent.wsUrl, harness.agent.token, {
      origin: `chrome-extension://${EXTENSION_ID}`,
    });
    expect((await client.hello()).type).toBe('welcome');
    client.ws.close();
    await expect(
      Client.connect(harness.agent.wsUrl, harness.agent.token, {
        origin: 'chrome-extension://ponmlkjihgfedcbaponmlkjihgfedcba',
      }),
    ).rejects.toThrow(/refused 403/);
  });
});

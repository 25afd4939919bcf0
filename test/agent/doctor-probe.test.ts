/** U13 the connection doctor never puts the token in a request line (no ?token= on any retry). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fetcher, probe } from '../../extension/client/doctor.js';
import { type Harness, quietLogs, startHarness } from './harness.js';

describe('U13 connection doctor probe', () => {
  let harness: Harness;
  let logs: ReturnType<typeof quietLogs>;
  const urls: string[] = [];
  const recording: Fetcher = (url, init) => {
    urls.push(url);
    return fetch(url, init);
  };

  beforeAll(async () => {
    logs = quietLogs();
    harness = await startHarness();
  });
  afterAll(async () => {
    await harness.close();
    logs.restore();
  });

  it('sends the token in a header, never in the URL, and the agent still tells right from wrong', async () => {
    const origin = new URL(harness.baseUrl).origin;
    const right = await probe(origin, harness.agent.token, recording);
    expect(right.code).toBe('closed'); // "the agent accepts these credentials"
    const wrong = await probe(origin, 'x'.repeat(43), recording);
    expect(wrong.code).toBe('token');
    const none = await probe(origin, '', recording);
    expect(none.code).toBe('token');
    expect(urls).toHaveLength(3);
    for (const url of urls) {
      expect(url).not.toContain('token');
      expect(url).not.toContain(harness.agent.token);
    }
  });
});

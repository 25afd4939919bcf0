/**
 * Issue 12 items on the agent: S1 (upgrades to other paths are never held), S6 (NODE_ENV read
 * case-insensitively and trimmed).
 */
import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachAgent, startAgent } from '../../server-agent/agent/agent.js';
import { createSessions } from '../../server-agent/create.js';
import { isProduction } from '../../server-agent/sessions/env.js';
import { quietLogs, SECRET } from './harness.js';

let logs: ReturnType<typeof quietLogs>;
beforeAll(() => {
  logs = quietLogs();
});
afterAll(() => logs.restore());

describe('S6 NODE_ENV', () => {
  it.each(['Production', 'PRODUCTION', 'production ', ' production\n', '\tProDuction'])(
    'S6 NODE_ENV=%j refuses the agent',
    async (value) => {
      const sessions = createSessions({ SECRET_KEY: SECRET, SESSION_ENGINE: 'db', DATABASE_URL: ':memory:' });
      const server = createServer();
      expect(() => attachAgent(server, sessions, { env: { NODE_ENV: value }, announce: false })).toThrow(
        /NODE_ENV=production/,
      );
      expect(server.listenerCount('upgrade')).toBe(0);
      await expect(startAgent(sessions, { env: { NODE_ENV: value }, announce: false })).rejects.toMatchObject(
        {
          code: 'SESSION_AGENT_REFUSED',
        },
      );
      await sessions.close();
    },
  );

  it('S6 other values are not production', () => {
    for (const value of ['development', 'test', 'productionish', 'prod', '', undefined])
      expect(isProduction({ NODE_ENV: value })).toBe(false);
  });

  it('S6 a production SECRET_KEY check applies to NODE_ENV=" Production"', () => {
    expect(() =>
      createSessions({ SECRET_KEY: 'short', DATABASE_URL: ':memory:', env: { NODE_ENV: ' Production' } }),
    ).toThrow(/too weak for production/);
  });
});

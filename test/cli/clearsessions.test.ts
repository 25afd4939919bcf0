import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../server-agent/cli.js';
import { createSessionManager } from '../../server-agent/sessions/manager.js';

describe('sessionscope clearsessions', () => {
  let out: string[];
  beforeEach(() => {
    out = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out.push(String(chunk));
      return true;
    });
  });
  afterEach(() => vi.restoreAllMocks());

  it('removes only expired rows, in batches, with settings from environment variables', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'sessionscope-cli-')), 'sessions.sqlite3');
    const env = { SECRET_KEY: 'test-secret-key', DATABASE_URL: `sqlite:${db}`, NODE_ENV: 'test' };
    const settings = { SECRET_KEY: env.SECRET_KEY, DATABASE_URL: env.DATABASE_URL };
    const sessions = createSessionManager({ ...settings, env });
    for (let i = 0; i < 7; i++) {
      const s = sessions.open();
      await s.set('i', i);
      if (i < 5) await s.setExpiry(-60);
      await s.save();
    }
    await sessions.close();
    expect(await main(['clearsessions', '--batch-size', '2'], env)).toBe(0);
    expect(out.join('')).toMatch(/Removed 5 expired sessions from 'db'.*settings from environment variables/);
    const after = createSessionManager({ ...settings, env });
    const page = await after.store.list!({ limit: 100, includeExpired: true });
    expect(page.items).toHaveLength(2);
    await after.close();
  });

  it('prints help, and refuses bad options with the fix', async () => {
    expect(await main(['--help'], {})).toBe(0);
    expect(out.join('')).toContain('clearsessions');
    const errors: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      errors.push(String(chunk));
      return true;
    });
    expect(await main(['clearsessions', '--batch-size', 'lots'], {})).toBe(2);
    expect(errors.join('')).toContain('--batch-size must be a positive whole number');
    expect(await main(['frobnicate'], {})).toBe(2);
    expect(await main(['clearsessions'], { SECRET_KEY: 'k', SESSION_ENGINE: 'mongo' })).toBe(1);
    expect(errors.join('')).toMatch(
      /SESSION_ENGINE "mongo" is not an engine.*SESSION_IMPROPERLY_CONFIGURED/s,
    );
  });
});

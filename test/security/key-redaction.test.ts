/**
 * S5: no raw session key in any log line, error message or response, on every engine's error
 * paths. The file engine's OS errors name `…/sessionid<key>`; a read-only or full disk answers
 * 503. Express's default error handler is used on purpose: outside production it prints the
 * error's stack into the response, so a key anywhere in the error would show.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { createSessions } from '../../server-agent/create.js';
import { KEY_PLACEHOLDER, scrubKeys } from '../../server-agent/sessions/key-scrub.js';
import type { SessionManagerOptions } from '../../server-agent/sessions/manager.js';
import { listen, send } from '../helpers/http.js';
import { captureLogs } from '../helpers/log-capture.js';

const SECRET_KEY = 'key-redaction-secret-0123456789abcdefgh';
const isRoot = process.getuid?.() === 0;

function mountTmpfs(options: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'sessionscope-s5-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir]);
  return dir;
}
const unmount = (dir: string) => {
  execFileSync('umount', [dir]);
  rmSync(dir, { recursive: true, force: true });
};

interface Outcome {
  status: number;
  body: string;
}

/** An Express app (/read, /write, /big, /logout) on `options`; runs `probe` with the seeded key. */
async function withApp(
  options: SessionManagerOptions,
  probe: (app: {
    get(path: string, key: string): Promise<Outcome>;
    seed(): Promise<string>;
  }) => Promise<void>,
): Promise<void> {
  const sessions = createSessions({ SECRET_KEY, SESSION_STORE_TIMEOUT_MS: 300, ...options });
  const app = express();
  app.use(sessions.middleware());
  app.get('/read', async (req, res) => void res.send(String(await req.session.get('n', 0))));
  app.get('/write', async (req, res) => {
    await req.session.set('n', 1);
    res.send('written');
  });
  app.get('/big', async (req, res) => {
    await req.session.set('blob', Array.from({ length: 40_000 }, () => Math.random().toString(36)).join(''));
    res.send('big');
  });
  app.get('/logout', async (req, res) => {
    await req.session.flush();
    res.send('bye');
  });
  const http = await listen(createServer(app));
  try {
    await probe({
      get: async (path, key) => {
        const reply = await send(http.url + path, { cookie: `sessionid=${key}` });
        return { status: reply.status, body: reply.body };
      },
      async seed() {
        const session = sessions.open();
        await session.set('n', 0);
        await session.save();
        return session.sessionKey as string;
      },
    });
  } finally {
    await http.close();
    await sessions.close();
  }
}

/** Every log record, message and error (message, stack, cause) as one text. */
function logText(records: ReturnType<typeof captureLogs>['records']): string {
  return records
    .map((r) => {
      const error = r.error as (Error & { cause?: unknown }) | undefined;
      const cause = error?.cause as Error | undefined;
      return [r.message, error?.message, error?.stack, cause?.message, cause?.stack].join('\n');
    })
    .join('\n');
}

describe('S5 no raw session key in logs, errors or responses', () => {
  it('S5 scrubKeys removes known keys of any length and key-shaped runs, with the file prefix', () => {
    const key = 'abcdefghijklmnopqrstuvwxyz012345';
    expect(scrubKeys(`EROFS: read-only file system, unlink '/tmp/x/sessionid${key}'`)).toBe(
      `EROFS: read-only file system, unlink '/tmp/x/${KEY_PLACEHOLDER}'`,
    );
    expect(scrubKeys('cookie bogusbogusbogus failed', ['bogusbogusbogus'])).toBe(
      `cookie ${KEY_PLACEHOLDER} failed`,
    );
    expect(scrubKeys('nothing secret here: /tmp/sessionscope-s5-AbC')).toBe(
      'nothing secret here: /tmp/sessionscope-s5-AbC',
    );
  });

  it.skipIf(!isRoot)(
    'S5 file engine on a read-only filesystem: logout and writes answer 503, and no response, error or log line holds the key',
    async () => {
      const dir = mountTmpfs('size=1m');
      const logs = captureLogs();
      try {
        await withApp({ SESSION_ENGINE: 'file', SESSION_FILE_PATH: dir }, async (app) => {
          const key = await app.seed();
          execFileSync('mount', ['-o', 'remount,ro', dir]);
          const answers = [await app.get('/write', key), await app.get('/logout', key)];
          for (const answer of answers) {
            expect(answer.status).toBe(503);
            expect(answer.body).not.toContain(key);
          }
          expect(answers[1]?.body).toMatch(/read-only|not writable/);
          expect(logText(logs.records)).not.toContain(key);
          // Reads still work on a read-only disk.
          expect(await app.get('/read', key)).toEqual({ status: 200, body: '0' });
        });
      } finally {
        logs.stop();
        unmount(dir);
      }
    },
  );

  it.skipIf(!isRoot)('S5 file engine on a full disk: 503, no key anywhere', async () => {
    const dir = mountTmpfs('size=64k');
    const logs = captureLogs();
    try {
      await withApp({ SESSION_ENGINE: 'file', SESSION_FILE_PATH: dir }, async (app) => {
        const key = await app.seed();
        const answer = await app.get('/big', key);
        expect(answer.status).toBe(503);
        expect(answer.body).not.toContain(key);
        expect(logText(logs.records)).not.toContain(key);
      });
    } finally {
      logs.stop();
      unmount(dir);
    }
  });

  const KEY = 'abcdefghijklmnopqrstuvwxyz012345';
  const deadEngines: [string, SessionManagerOptions][] = [
    [
      'db on PostgreSQL (refused connection)',
      { SESSION_ENGINE: 'db', DATABASE_URL: 'postgres://postgres@127.0.0.1:1/test' },
    ],
    [
      'cache on Redis (refused connection)',
      {
        SESSION_ENGINE: 'cache',
        CACHES: { default: { BACKEND: 'redis', LOCATION: 'redis://127.0.0.1:1/0' } },
      },
    ],
    [
      'cached_db (dead Redis, dead PostgreSQL)',
      {
        SESSION_ENGINE: 'cached_db',
        DATABASE_URL: 'postgres://postgres@127.0.0.1:1/test',
        CACHES: { default: { BACKEND: 'redis', LOCATION: 'redis://127.0.0.1:1/0' } },
      },
    ],
  ];
  it.each(deadEngines)('S5 %s: every error path answers without the key', async (_name, options) => {
    const logs = captureLogs();
    try {
      await withApp(options, async (app) => {
        for (const path of ['/read', '/write', '/logout']) {
          const answer = await app.get(path, KEY);
          expect(answer.status, path).toBe(503);
          expect(answer.body, path).not.toContain(KEY);
        }
      });
      expect(logText(logs.records)).not.toContain(KEY);
    } finally {
      logs.stop();
    }
  });
});

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ImproperlyConfigured } from '../../server-agent/sessions/errors.js';
import { createSessionManager } from '../../server-agent/sessions/manager.js';
import { createSqliteStore } from '../../server-agent/sessions/stores/sqlite.js';
import {
  loadSqliteEngine,
  type SqliteEngineName,
} from '../../server-agent/sessions/stores/sqlite-engines.js';
import { describeStore } from '../conformance/describe-store.js';

const SECRET_KEY = 'test-secret-key';

/** Why an engine cannot run on this Node (better-sqlite3 is built for one ABI; node:sqlite needs 22.13+). */
function unavailable(name: SqliteEngineName): string | null {
  try {
    loadSqliteEngine(name);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

describeStore('db on SQLite (in memory)', {
  make: () => createSessionManager({ SECRET_KEY, DATABASE_URL: ':memory:' }),
});

const folder = mkdtempSync(join(tmpdir(), 'sessionscope-sqlite-'));
let n = 0;
describeStore('db on SQLite (file, WAL)', {
  make: () => createSessionManager({ SECRET_KEY, DATABASE_URL: `sqlite:${join(folder, `s${++n}.sqlite3`)}` }),
});

// I10: the same conformance suite on each SQLite library this Node can load. On Node 20 that is
// better-sqlite3 only (no node:sqlite); on Node 22/24 in CI, node:sqlite (the repository's
// better-sqlite3 is compiled for Node 20's ABI). .ci/run runs this file on all three.
for (const engine of ['better-sqlite3', 'node:sqlite'] as const) {
  const reason = unavailable(engine);
  const title = `db on SQLite via ${engine} (file, WAL)`;
  if (reason) {
    describe.skip(`${title}: skipped, ${reason}`, () => {
      it('needs the driver', () => {});
    });
    continue;
  }
  describeStore(title, {
    make: () =>
      createSessionManager({
        SECRET_KEY,
        SESSION_ENGINE: (context: Parameters<typeof createSqliteStore>[0]) =>
          createSqliteStore(context, join(folder, `${engine.replace(':', '-')}-${++n}.sqlite3`), engine),
      }),
  });
}

describe('I10 SQLite drivers', () => {
  it('node:sqlite and better-sqlite3 read each other’s files (same SQL, same format)', async (context) => {
    if (unavailable('node:sqlite') || unavailable('better-sqlite3'))
      return context.skip('needs both drivers on one Node (Node 22/24 with a better-sqlite3 built for it)');
    const path = join(folder, 'shared.sqlite3');
    const make = (engine: SqliteEngineName) =>
      createSessionManager({
        SECRET_KEY,
        SESSION_ENGINE: (c: Parameters<typeof createSqliteStore>[0]) => createSqliteStore(c, path, engine),
      });
    const writer = make('node:sqlite');
    const session = writer.open();
    await session.set('user', 'ada');
    await session.save();
    const reader = make('better-sqlite3');
    expect(await reader.open(session.sessionKey ?? '').get('user')).toBe('ada');
    await writer.close();
    await reader.close();
  });

  it('asking for a driver this Node cannot load fails with ImproperlyConfigured naming the fix', () => {
    const failures = (['better-sqlite3', 'node:sqlite'] as const).filter((name) => unavailable(name));
    for (const name of failures) {
      expect(() => loadSqliteEngine(name)).toThrow(ImproperlyConfigured);
      expect(() => loadSqliteEngine(name)).toThrow(/npm (install|rebuild) better-sqlite3/);
    }
    // The default picks whichever loads; on every Node CI runs, one does.
    expect(['better-sqlite3', 'node:sqlite']).toContain(loadSqliteEngine().name);
  });
});

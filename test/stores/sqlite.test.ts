import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSessionManager } from '../../server-agent/sessions/manager.js';
import { describeStore } from '../conformance/describe-store.js';

const SECRET_KEY = 'test-secret-key';

describeStore('db on SQLite (in memory)', {
  make: () => createSessionManager({ SECRET_KEY, DATABASE_URL: ':memory:' }),
});

const folder = mkdtempSync(join(tmpdir(), 'sessionscope-sqlite-'));
let n = 0;
describeStore('db on SQLite (file, WAL)', {
  make: () => createSessionManager({ SECRET_KEY, DATABASE_URL: `sqlite:${join(folder, `s${++n}.sqlite3`)}` }),
});

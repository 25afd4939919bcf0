/**
 * The two SQLite libraries the `db` engine runs on, behind one small synchronous interface:
 * better-sqlite3 when it is installed and loads, else Node's built-in `node:sqlite` (Node 22.13+
 * and 24: nothing to compile). Both run the same SQL (sql.ts) on the same file format.
 * better-sqlite3 is an optional peer: a native module built per Node ABI, so one built for another
 * Node fails to load and the built-in takes over. Resolved when the store is created, so a
 * machine with neither fails at `createSessions` with the command that fixes it.
 */
import { createRequire } from 'node:module';
import { ImproperlyConfigured } from '../errors.js';
import { createLogger } from '../log.js';

const log = createLogger('sessionscope:sqlite');

export type SqliteEngineName = 'better-sqlite3' | 'node:sqlite';

export interface SqliteConnection {
  exec(sql: string): void;
  /** Rows of a statement that returns rows. */
  all<Row>(sql: string, params: unknown[]): Row[];
  /** The number of rows changed by a statement that returns none. */
  run(sql: string, params: unknown[]): number;
  close(): void;
}

export interface SqliteEngine {
  readonly name: SqliteEngineName;
  open(path: string): SqliteConnection;
}

/** The slice of better-sqlite3 and node:sqlite used here (node:sqlite has no types in @types/node 20). */
interface Statement {
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): { changes: number | bigint };
}
interface Database {
  exec(sql: string): unknown;
  prepare(sql: string): Statement;
  close(): unknown;
}
type DatabaseClass = new (path: string) => Database;

/** Our statements return rows exactly when they start with SELECT (sql.ts); no RETURNING. */
const returnsRows = (sql: string) => /^\s*select\b/i.test(sql);

function wrap(db: Database): SqliteConnection {
  const statements = new Map<string, Statement>();
  const prepare = (sql: string) => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
  return {
    exec: (sql) => void db.exec(sql),
    all: <Row>(sql: string, params: unknown[]) => prepare(sql).all(...params) as Row[],
    run(sql, params) {
      if (returnsRows(sql)) throw new Error(`run() of a statement that returns rows: ${sql}`);
      return Number(prepare(sql).run(...params).changes);
    },
    close() {
      statements.clear();
      db.close();
    },
  };
}

let betterSqliteClass: DatabaseClass | undefined;

function betterSqlite(): DatabaseClass {
  if (betterSqliteClass) return betterSqliteClass;
  const Class = createRequire(import.meta.url)('better-sqlite3') as DatabaseClass;
  // The native addon loads in the constructor, not at require: open one in memory to know now
  // whether it was built for this Node's ABI.
  new Class(':memory:').close();
  betterSqliteClass = Class;
  return Class;
}

/** `node:sqlite` when this Node has it unflagged (22.13+, 24); undefined on Node 20. */
function nodeSqlite(): DatabaseClass | undefined {
  const mod = process.getBuiltinModule('node:sqlite') as { DatabaseSync?: DatabaseClass } | undefined;
  return mod?.DatabaseSync;
}

const engine = (name: SqliteEngineName, Class: DatabaseClass): SqliteEngine => ({
  name,
  open: (path) => wrap(new Class(path)),
});

export const SQLITE_DRIVER_MISSING =
  'The db engine on SQLite needs a SQLite driver: run Node.js 22.13+ or 24 (built-in node:sqlite), or npm install better-sqlite3@12';

/** The named library, or the first that loads: better-sqlite3, then node:sqlite. */
export function loadSqliteEngine(preferred?: SqliteEngineName): SqliteEngine {
  if (preferred === 'node:sqlite') {
    const Class = nodeSqlite();
    if (!Class)
      throw new ImproperlyConfigured(
        `node:sqlite is not available on Node.js ${process.version} (it needs 22.13+ or 24): npm install better-sqlite3@12`,
      );
    return engine('node:sqlite', Class);
  }
  let betterError: unknown;
  try {
    return engine('better-sqlite3', betterSqlite());
  } catch (error) {
    betterError = error;
    if (preferred === 'better-sqlite3')
      throw new ImproperlyConfigured(
        `better-sqlite3 does not load (${(error as Error).message.split('\n', 1)[0]}): npm install better-sqlite3@12, or npm rebuild better-sqlite3 after changing Node versions`,
        { cause: error },
      );
  }
  const Class = nodeSqlite();
  if (Class) {
    if ((betterError as { code?: string }).code !== 'MODULE_NOT_FOUND')
      log.debug('better-sqlite3 is installed but does not load on this Node; using node:sqlite instead');
    return engine('node:sqlite', Class);
  }
  throw new ImproperlyConfigured(SQLITE_DRIVER_MISSING, { cause: betterError });
}

/**
 * The `sessionscope` command: clearsessions (Django's management command, batched, with progress),
 * inspect (a standalone agent over an existing store) and help.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { packageRoot } from './agent/package-root.js';
import { databaseOf, loadCliSettings, refuseMissingDatabase } from './cli-config.js';
import type { DatabaseTarget } from './sessions/database-url.js';
import { SessionError } from './sessions/errors.js';
import { createSessionManager } from './sessions/manager.js';
import { redactUrl } from './sessions/stores/url.js';

const HELP = `Usage: sessionscope <command> [options]

Commands:
  clearsessions   Remove expired sessions from the configured store (Django's clearsessions).
                  Can be run as a cronjob or directly to clean out expired sessions.
  inspect         Start a standalone inspector agent over an existing session store.
  token rotate    Replace the agent's development token in .sessionscope/ (token check: is it usable).
  help            Show this help.
  --version       Print the version.

Settings come from --config <file> (JSON, or a .js/.mjs module exporting the settings object; a .ts
module where Node runs TypeScript itself or tsx is installed), or else from environment variables with
Django's names: SECRET_KEY, SESSION_ENGINE, DATABASE_URL, SESSION_FILE_PATH, SESSION_COOKIE_NAME,
SESSION_COOKIE_AGE, SESSION_STORE_TIMEOUT_MS, CACHES (JSON) or REDIS_URL.

Options for clearsessions:
  --config <file>     Settings file.
  --batch-size <n>    Rows deleted per SQL statement (default 5000), so big tables are never locked long.
  --create            Create the SQLite database when it does not exist (by default that is an error:
                      it usually means the wrong folder or DATABASE_URL).
  --quiet             No progress output.
`;

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'clearsessions':
        return await clearSessions(rest, env);
      case 'inspect': {
        // Loaded on demand: clearsessions must not pay for the agent (ws) at start-up.
        const modulePath = './agent/inspect-command.js';
        const { runInspect } = (await import(modulePath)) as {
          runInspect: (argv: string[]) => Promise<number>;
        };
        return await runInspect(rest);
      }
      case 'token': {
        const { runToken } = await import('./cli-token.js');
        return runToken(rest);
      }
      case '--version':
      case '-v':
      case 'version':
        process.stdout.write(`sessionscope ${packageRoot().version}\n`);
        return 0;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(HELP);
        return command === undefined ? 1 : 0;
      default:
        process.stderr.write(`Unknown command ${JSON.stringify(command)}.\n\n${HELP}`);
        return 2;
    }
  } catch (error) {
    const code = error instanceof SessionError ? ` [${error.code}]` : '';
    process.stderr.write(`sessionscope ${command}: ${(error as Error).message}${code}\n`);
    return 1;
  }
}

async function clearSessions(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: 'string' },
      'batch-size': { type: 'string' },
      quiet: { type: 'boolean' },
      create: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const batchSize = values['batch-size'] ? Number(values['batch-size']) : undefined;
  if (batchSize !== undefined && !(Number.isInteger(batchSize) && batchSize > 0)) {
    process.stderr.write('--batch-size must be a positive whole number.\n');
    return 2;
  }
  const { settings, source } = await loadCliSettings(values.config, env);
  const database = databaseOf(settings);
  refuseMissingDatabase(settings, source, values.create);
  const sessions = createSessionManager({ ...settings, env });
  const engine =
    typeof sessions.settings.sessionEngine === 'string'
      ? sessions.settings.sessionEngine
      : sessions.store.engine;
  const out = (line: string) => {
    if (!values.quiet) process.stdout.write(line);
  };
  try {
    const capabilities = sessions.store.capabilities ?? { expiresOnItsOwn: false, serverSide: true };
    if (capabilities.expiresOnItsOwn || !capabilities.serverSide) {
      out(
        `Session engine '${engine}' expires sessions on its own; there is nothing to clear. (settings from ${source})\n`,
      );
      await sessions.clearExpired();
      return 0;
    }
    const tty = process.stdout.isTTY && !values.quiet;
    const started = Date.now();
    const removed = await sessions.clearExpired({
      batchSize,
      onProgress: (soFar) => {
        if (tty) process.stdout.write(`\r${progressBar(soFar, Date.now() - started)}`);
      },
    });
    if (tty) process.stdout.write('\n');
    out(
      `Removed ${removed ?? 0} expired session${removed === 1 ? '' : 's'} from '${engine}'${describeDatabase(database)} in ${Date.now() - started} ms. (settings from ${source})\n`,
    );
    return 0;
  } finally {
    await sessions.close();
  }
}

/** The database by name, so a run in the wrong folder or against the wrong URL shows at once. */
function describeDatabase(database: DatabaseTarget | null): string {
  if (!database) return '';
  if (database.kind === 'postgres') return ` (PostgreSQL ${redactUrl(database.url)})`;
  return database.path === ':memory:' ? ' (SQLite in memory)' : ` (SQLite ${resolve(database.path)})`;
}

/** Total is unknown up front (counting a huge table is itself slow), so the bar shows throughput. */
function progressBar(removed: number, ms: number): string {
  const spinner = '|/-\\'[Math.floor(ms / 120) % 4];
  const rate = ms > 0 ? Math.round((removed / ms) * 1000) : 0;
  return `${spinner} removed ${removed.toLocaleString('en')} expired sessions (${rate.toLocaleString('en')}/s)`;
}

/**
 * The `sessionscope` command: clearsessions (Django's management command, batched, with progress),
 * inspect (a standalone agent over an existing store) and help.
 */
import { parseArgs } from 'node:util';
import { loadCliSettings } from './cli-config.js';
import { SessionError } from './sessions/errors.js';
import { createSessionManager } from './sessions/manager.js';

const HELP = `Usage: sessionscope <command> [options]

Commands:
  clearsessions   Remove expired sessions from the configured store (Django's clearsessions).
                  Can be run as a cronjob or directly to clean out expired sessions.
  inspect         Start a standalone inspector agent over an existing session store.
  help            Show this help.

Settings come from --config <file> (JSON, or a .js/.mjs/.ts module exporting the settings object),
or else from environment variables with Django's names: SECRET_KEY, SESSION_ENGINE, DATABASE_URL,
SESSION_FILE_PATH, SESSION_COOKIE_NAME, SESSION_COOKIE_AGE, CACHES (JSON) or REDIS_URL.

Options for clearsessions:
  --config <file>     Settings file.
  --batch-size <n>    Rows deleted per SQL statement (default 5000), so big tables are never locked long.
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
  const sessions = createSessionManager({ ...settings, env });
  const engine =
    typeof sessions.settings.sessionEngine === 'string'
      ? sessions.settings.sessionEngine
      : sessions.store.engine;
  const out = (line: string) => {
    if (!values.quiet) process.stdout.write(line);
  };
  try {
    if (sessions.store.capabilities.expiresOnItsOwn || !sessions.store.capabilities.serverSide) {
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
      `Removed ${removed ?? 0} expired session${removed === 1 ? '' : 's'} from '${engine}' in ${Date.now() - started} ms. (settings from ${source})\n`,
    );
    return 0;
  } finally {
    await sessions.close();
  }
}

/** Total is unknown up front (counting a huge table is itself slow), so the bar shows throughput. */
function progressBar(removed: number, ms: number): string {
  const spinner = '|/-\\'[Math.floor(ms / 120) % 4];
  const rate = ms > 0 ? Math.round((removed / ms) * 1000) : 0;
  return `${spinner} removed ${removed.toLocaleString('en')} expired sessions (${rate.toLocaleString('en')}/s)`;
}

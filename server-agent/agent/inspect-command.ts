/**
 * `sessionscope inspect`: a standalone agent over an existing store, for apps that do not embed the
 * agent (a Django app included: same table, same Redis keys, same SECRET_KEY). Runs until SIGINT.
 */
import { parseArgs } from 'node:util';
import { loadCliSettings, refuseMissingDatabase } from '../cli-config.js';
import type { SessionSettingsInput } from '../sessions/settings.js';
import { createSessionManager } from '../sessions/manager.js';
import { startAgent } from './agent.js';

const HELP = `Usage: sessionscope inspect [options]

Starts the inspector agent on a loopback port over an existing session store and prints the
inspector URL (token included). Settings come from --config or Django-named environment
variables (see \`sessionscope help\`); these flags override them:

  --engine <name>         db | cache | cached_db | file | signed_cookies (or a Django dotted path)
  --database-url <url>    SQLite path or postgres://… URL (the django_session table)
  --redis-url <url>       redis://… for the cache engines (Django's RedisCache keys)
  --key-prefix <prefix>   The cache KEY_PREFIX the app uses
  --file-path <dir>       SESSION_FILE_PATH for the file engine
  --secret-key <key>      The app's SECRET_KEY (or set SECRET_KEY / SESSIONSCOPE_SECRET_KEY)
  --cookie-name <name>    SESSION_COOKIE_NAME (default sessionid)
  --port <n>              Port to listen on (default: a free one)
  --host <addr>           127.0.0.1 (default) or ::1
  --read-only             Refuse every command that changes a session
  --bus <url|true>        Show every process of the deployment in one timeline: the agent bus on
                          redis://… or postgres://… (true: the store's own server), as the apps'
                          SESSION_AGENT_BUS
  --deployment <name>     SESSION_AGENT_DEPLOYMENT of the apps (default "default")
  --config <file>         Settings file
`;

export async function runInspect(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      engine: { type: 'string' },
      'database-url': { type: 'string' },
      'redis-url': { type: 'string' },
      'key-prefix': { type: 'string' },
      'file-path': { type: 'string' },
      'secret-key': { type: 'string' },
      'cookie-name': { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      'read-only': { type: 'boolean' },
      bus: { type: 'string' },
      deployment: { type: 'string' },
      config: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!(Number.isInteger(port) && port >= 0 && port <= 65535)) {
    process.stderr.write('--port must be a whole number from 0 to 65535.\n');
    return 2;
  }
  const { settings, source } = await loadCliSettings(values.config, env);
  const overrides: SessionSettingsInput = { ...settings };
  if (values.engine) overrides.SESSION_ENGINE = values.engine;
  if (values['database-url']) overrides.DATABASE_URL = values['database-url'];
  if (values['file-path']) overrides.SESSION_FILE_PATH = values['file-path'];
  if (values['secret-key']) overrides.SECRET_KEY = values['secret-key'];
  if (values['cookie-name']) overrides.SESSION_COOKIE_NAME = values['cookie-name'];
  if (values['redis-url']) {
    overrides.CACHES = {
      default: {
        BACKEND: 'django.core.cache.backends.redis.RedisCache',
        LOCATION: values['redis-url'],
        ...(values['key-prefix'] ? { KEY_PREFIX: values['key-prefix'] } : {}),
      },
    };
  }
  refuseMissingDatabase(overrides, values['database-url'] ? '--database-url' : source);
  const sessions = createSessionManager({ ...overrides, env });
  const agent = await startAgent(sessions, {
    port,
    host: values.host,
    readOnly: values['read-only'] ?? false,
    env,
    announce: false,
    appName: 'sessionscope inspect',
    ...(values.bus !== undefined ? { bus: values.bus === 'true' ? true : values.bus } : {}),
    ...(values.deployment !== undefined ? { deployment: values.deployment } : {}),
  });
  await agent.ready;
  // The one line a developer needs; stdout so it can be piped or copied.
  process.stdout.write(`sessionscope inspector: ${agent.url}\n`);
  const link = agent.hub.link;
  if (link) process.stdout.write(`agent bus: ${link.bus.describe} (every process of the deployment)\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await agent.close();
  await sessions.close();
  return 0;
}

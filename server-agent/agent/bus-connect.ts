/**
 * Picks the bus: an explicit redis:// or postgres:// URL (SESSION_AGENT_BUS or the agent's `bus`
 * option), or with `true` the store's own server: the Redis of the cache engines, else the
 * PostgreSQL of the db engine. Anything else fails at once with the fix.
 */
import { ImproperlyConfigured } from '../sessions/errors.js';
import type { Logger } from '../sessions/log.js';
import type { SessionManager } from '../sessions/manager.js';
import { resolveCacheSpec } from '../sessions/stores/cache-backend.js';
import { AgentBus, type BusTransport } from './bus.js';
import { postgresBus } from './bus-postgres.js';
import { redisBus } from './bus-redis.js';

export type BusOption = boolean | string | BusTransport;

export interface BusChoice {
  bus?: BusOption | undefined;
  deployment?: string | undefined;
  appName?: string | undefined;
}

/** `sessionscope:<cookie name>:<deployment>`: two apps (or two deployments) on one Redis never mix. */
export function busChannel(cookieName: string, deployment: string): string {
  return `sessionscope:${cookieName}:${deployment}`;
}

function storeUrl(sessions: SessionManager): string {
  const { settings } = sessions;
  const engine = typeof settings.sessionEngine === 'string' ? settings.sessionEngine : sessions.store.engine;
  if (engine === 'cache' || engine === 'cached_db') {
    const spec = resolveCacheSpec(settings);
    const location = spec.locations[0];
    if (spec.kind === 'redis' && location && !spec.options.cluster && !Array.isArray(spec.options.sentinels))
      return location.includes('://') ? location : `redis://${location}`;
  }
  if ((engine === 'db' || engine === 'cached_db') && /^postgres(ql)?:\/\//.test(settings.databaseUrl)) {
    // `?schema=` is sessionscope's, not libpq's: the bus needs the server, not the table.
    const url = new URL(settings.databaseUrl);
    url.searchParams.delete('schema');
    return url.toString();
  }
  throw new ImproperlyConfigured(
    `SESSION_AGENT_BUS: true uses the store's own Redis or PostgreSQL, but the ${engine} engine here has neither. ` +
      "Pass a URL instead, e.g. SESSION_AGENT_BUS: 'redis://127.0.0.1:6379'.",
  );
}

/** null when no bus is configured. */
export function createAgentBus(sessions: SessionManager, choice: BusChoice, log: Logger): AgentBus | null {
  const option = choice.bus ?? sessions.settings.sessionAgentBus;
  if (option === false) return null;
  const deployment = choice.deployment ?? sessions.settings.sessionAgentDeployment;
  if (!/^[A-Za-z0-9._-]{1,40}$/.test(deployment))
    throw new ImproperlyConfigured(
      `The bus deployment name ${JSON.stringify(deployment)} must be 1-40 letters, digits, dots, dashes or underscores.`,
    );
  const channel = busChannel(sessions.settings.sessionCookieName, deployment);
  let transport: BusTransport;
  if (typeof option === 'object') transport = option;
  else {
    const url = option === true ? storeUrl(sessions) : option;
    if (/^rediss?:\/\//.test(url)) transport = redisBus(url, channel, log);
    else if (/^postgres(ql)?:\/\//.test(url)) transport = postgresBus(url, channel, log);
    else
      throw new ImproperlyConfigured(
        `The agent bus URL must start with redis://, rediss:// or postgres:// (got ${JSON.stringify(url.split(':', 1)[0])}).`,
      );
  }
  return new AgentBus(transport, {
    deployment,
    channel,
    ...(choice.appName ? { appName: choice.appName } : {}),
  });
}

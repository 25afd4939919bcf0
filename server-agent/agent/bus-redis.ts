/**
 * The bus on Redis pub/sub: one connection publishes, one subscribes (a subscribed Redis connection
 * can do nothing else). Publishes fail fast while Redis is away (no offline queue), so the bus
 * counts them as dropped instead of piling them up; ioredis reconnects and resubscribes on its own.
 */
import { createRequire } from 'node:module';
import { ImproperlyConfigured } from '../sessions/errors.js';
import type { Logger } from '../sessions/log.js';
import { redactUrl } from '../sessions/stores/url.js';
import type { BusTransport } from './bus.js';

type Redis = import('ioredis').Redis;

function loadIoredis(): typeof import('ioredis') {
  const require = createRequire(import.meta.url);
  try {
    return require('ioredis');
  } catch (error) {
    throw new ImproperlyConfigured('The agent bus on Redis needs the ioredis package: npm install ioredis', {
      cause: error,
    });
  }
}

export function redisBus(url: string, channel: string, log: Logger): BusTransport {
  const { Redis } = loadIoredis();
  const options = {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 2000,
    retryStrategy: (attempt: number) => Math.min(attempt * 100, 2000),
  };
  let pub: Redis | null = null;
  let sub: Redis | null = null;
  const where = redactUrl(url);
  let warned = false;
  const onError = (error: Error) => {
    // ioredis retries by itself; say it once, not on every attempt.
    if (!warned)
      log.warn(
        `agent bus: Redis at ${where} unavailable (${error.message}); events are dropped until it is back`,
      );
    warned = true;
  };
  return {
    describe: `Redis ${where} channel ${channel}`,
    maxPayload: 512 * 1024,
    async start(onMessage) {
      pub = new Redis(url, options);
      sub = new Redis(url, { ...options, enableOfflineQueue: true });
      pub.on('error', onError);
      sub.on('error', onError);
      sub.on('ready', () => {
        warned = false;
      });
      sub.on('message', (from: string, payload: string) => {
        if (from === channel) onMessage(payload);
      });
      await Promise.all([pub.connect(), sub.connect()]);
      await sub.subscribe(channel);
    },
    async publish(payload) {
      if (!pub) throw new Error('bus not started');
      await pub.publish(channel, payload);
    },
    async close() {
      pub?.disconnect();
      sub?.disconnect();
    },
  };
}

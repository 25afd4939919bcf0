/**
 * The bus on PostgreSQL LISTEN/NOTIFY, for deployments without Redis: one dedicated connection
 * (not the store's pool) listens and notifies. NOTIFY payloads are limited to 8000 bytes, so the
 * bus splits batches below that. On a lost connection it reconnects with backoff and listens again.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { ImproperlyConfigured } from '../sessions/errors.js';
import type { Logger } from '../sessions/log.js';
import { redactUrl } from '../sessions/stores/url.js';
import type { BusTransport } from './bus.js';

type PgClient = import('pg').Client;

function loadPg(): typeof import('pg') {
  const require = createRequire(import.meta.url);
  try {
    return require('pg');
  } catch (error) {
    throw new ImproperlyConfigured('The agent bus on PostgreSQL needs the pg package: npm install pg@8', {
      cause: error,
    });
  }
}

/** PostgreSQL truncates identifiers to 63 bytes: long channel names are hashed instead of cut. */
export function postgresChannel(channel: string): string {
  if (Buffer.byteLength(channel) <= 63) return channel;
  return `sessionscope_${createHash('sha256').update(channel).digest('hex').slice(0, 40)}`;
}

export function postgresBus(url: string, channelName: string, log: Logger): BusTransport {
  const { Client } = loadPg();
  const channel = postgresChannel(channelName);
  const where = redactUrl(url);
  let client: PgClient | null = null;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;
  let attempt = 0;
  let onMessage: (payload: string) => void = () => {};

  const connect = async (): Promise<void> => {
    const next = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
    next.on('notification', (note) => {
      if (note.channel === channel && note.payload !== undefined) onMessage(note.payload);
    });
    next.on('error', (error) => {
      if (attempt === 0)
        log.warn(
          `agent bus: PostgreSQL at ${where} lost (${error.message}); reconnecting, events dropped meanwhile`,
        );
      reconnect(next);
    });
    next.on('end', () => reconnect(next));
    await next.connect();
    await next.query(`LISTEN "${channel.replace(/"/g, '""')}"`);
    client = next;
    attempt = 0;
  };
  const reconnect = (dead: PgClient) => {
    if (client === dead) client = null;
    if (closed || retry) return;
    attempt++;
    retry = setTimeout(
      () => {
        retry = undefined;
        connect().catch(() => reconnect(dead));
      },
      Math.min(attempt * 200, 5000),
    );
    retry.unref();
  };

  return {
    describe: `PostgreSQL ${where} channel ${channel}`,
    maxPayload: 7900,
    async start(handler) {
      onMessage = handler;
      await connect();
    },
    async publish(payload) {
      if (!client) throw new Error('bus connection down');
      await client.query('SELECT pg_notify($1, $2)', [channel, payload]);
    },
    async close() {
      closed = true;
      clearTimeout(retry);
      const open = client;
      client = null;
      await open?.end().catch(() => {});
    },
  };
}

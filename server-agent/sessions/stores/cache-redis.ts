/**
 * The Redis cache through ioredis (loaded only when used): a URL, a Sentinel set or a Cluster.
 * Fails fast instead of queueing: no offline queue, command timeouts, an `error` listener so the
 * process never crashes on a lost connection, and quick reconnects so it recovers by itself.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { ImproperlyConfigured, StoreUnavailable } from '../errors.js';
import type { Logger } from '../log.js';
import type { CacheBackend, CacheSpec, ScanPage } from './cache-backend.js';
import { redactUrl } from './url.js';

type IORedis = typeof import('ioredis');
type Client = import('ioredis').Redis | import('ioredis').Cluster;
type Node = import('ioredis').Redis;

export interface RedisCacheOptions {
  spec: CacheSpec;
  /** Per-command limit (ms): a command that takes longer fails. */
  timeoutMs: number;
  log: Logger;
}

/** Reconnect quickly (50 ms, 100 ms … capped at 500 ms) so the app is back within ~0.5 s of Redis. */
const retryStrategy = (attempt: number) => Math.min(attempt * 50, 500);

function loadIoredis(): IORedis {
  const require = createRequire(import.meta.url);
  try {
    return require('ioredis');
  } catch (error) {
    throw new ImproperlyConfigured('The Redis session cache needs the ioredis package: npm install ioredis', {
      cause: error,
    });
  }
}

function describe(spec: CacheSpec): string {
  const options = spec.options;
  if (Array.isArray(options.sentinels)) {
    const sentinels = (options.sentinels as { host?: string; port?: number }[]).map(
      (s) => `${s.host ?? '127.0.0.1'}:${s.port ?? 26379}`,
    );
    return `Redis Sentinel "${String(options.name ?? 'mymaster')}" via ${sentinels.join(', ')}`;
  }
  const where = spec.locations.map(redactUrl).join(', ');
  return options.cluster ? `Redis Cluster ${where}` : `Redis at ${where}`;
}

function createClient(spec: CacheSpec, timeoutMs: number): Client {
  const { Redis, Cluster } = loadIoredis();
  const { cluster, sentinels, name, ...options } = spec.options;
  // Django's own OPTIONS (PICKLE_VERSION, CLIENT_CLASS, …) are upper case; ioredis's are camelCase.
  const rest = Object.fromEntries(Object.entries(options).filter(([key]) => !/^[A-Z][A-Z0-9_]*$/.test(key)));
  const failFast = {
    enableOfflineQueue: false,
    connectTimeout: Math.max(timeoutMs, 1000),
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 0,
    retryStrategy,
    // Commands issued in the same tick (many requests at once) go out in one write: under load
    // the socket writes, not the session code, dominated a save+load (profiled).
    enableAutoPipelining: true,
  };
  if (cluster) {
    const nodes = spec.locations.map((location) => {
      const url = new URL(location.includes('://') ? location : `redis://${location}`);
      return { host: url.hostname, port: Number(url.port || 6379) };
    });
    return new Cluster(nodes, {
      enableOfflineQueue: false,
      enableAutoPipelining: true,
      clusterRetryStrategy: retryStrategy,
      slotsRefreshTimeout: Math.max(timeoutMs, 1000),
      redisOptions: { ...failFast, commandTimeout: timeoutMs, ...rest },
    });
  }
  if (Array.isArray(sentinels)) {
    return new Redis({
      ...failFast,
      ...rest,
      sentinels: sentinels as { host: string; port: number }[],
      name: String(name ?? 'mymaster'),
    });
  }
  // Django's RedisCache: the first LOCATION is the server that takes writes.
  return new Redis(spec.locations[0] ?? 'redis://127.0.0.1:6379', { ...failFast, ...rest });
}

const isOk = (reply: string | null) => reply === 'OK';

/** Compare-and-swap in one atomic step: write only when the stored bytes are what was loaded. */
const REPLACE_IF = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
  return 1
end
return 0`;
interface Scripted {
  sessionscopeReplaceIf(
    key: string,
    expected: string | Buffer,
    value: string | Buffer,
    ttl: number,
  ): Promise<number>;
}

/**
 * A connection that stops answering (a half-open socket, a frozen server) would leave commands
 * waiting forever. Rather than a timer per command (ioredis's commandTimeout costs ~2 µs a
 * command), one timer checks whether the oldest command awaiting a reply is still the same after
 * a whole period, and if so drops the connection: every waiting command fails, and ioredis
 * reconnects. (The Cluster client keeps commandTimeout.)
 */
function watchStalls(client: Node, periodMs: number, onStall: () => void): () => void {
  let previousHead: unknown;
  const timer = setInterval(() => {
    const head = client.commandQueue.peekFront();
    if (head !== undefined && head === previousHead && client.status === 'ready') {
      onStall();
      client.disconnect(true);
    }
    previousHead = head;
  }, periodMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** SCAN's glob syntax: escape the prefix so a KEY_PREFIX with `*` or `[` matches only itself. */
const globEscape = (text: string) => text.replace(/[*?[\]\\]/g, '\\$&');

export function createRedisCache(options: RedisCacheOptions): CacheBackend & { readonly client: Client } {
  const description = describe(options.spec);
  const client = createClient(options.spec, options.timeoutMs);
  // EVALSHA with a fallback to EVAL: the script travels once per connection.
  client.defineCommand('sessionscopeReplaceIf', { numberOfKeys: 1, lua: REPLACE_IF });
  let lastError: Error | null = null;
  let reportedDown = false;
  let closing = false;
  const reportDown = (error: Error) => {
    if (!reportedDown && !closing) {
      reportedDown = true;
      options.log.warn(`${description} is unreachable; session requests fail fast until it is back`, error);
    }
  };
  // Listening to 'error' is what keeps a lost connection from crashing the process.
  client.on('error', (error: Error) => {
    lastError = error;
    reportDown(error);
  });
  client.on('close', () => reportDown(lastError ?? new Error('connection closed')));
  client.on('ready', () => {
    if (reportedDown) options.log.notice(`${description} is reachable again`);
    reportedDown = false;
    lastError = null;
  });

  const stopWatchdog = client.isCluster
    ? () => undefined
    : watchStalls(client as Node, options.timeoutMs, () => {
        options.log.warn(`${description} stopped answering for ${options.timeoutMs} ms; reconnecting`);
      });

  const unavailable = (error: unknown) =>
    new StoreUnavailable(
      `The session cache (${description}) is unavailable: ${(error as Error)?.message ?? String(error)}. Check CACHES and that Redis is running.`,
      {
        cause: error,
      },
    );

  /** Before the first connection completes, wait for it (bounded); after that, never wait. */
  const whenReady = (): Promise<void> | null => {
    if (client.status === 'ready') return null;
    if (
      client.status === 'end' ||
      client.status === 'close' ||
      client.status === 'reconnecting' ||
      lastError
    ) {
      return Promise.reject(unavailable(lastError ?? new Error(`connection is ${client.status}`)));
    }
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => finish(unavailable(new Error(`no connection within ${options.timeoutMs} ms`))),
        options.timeoutMs,
      );
      const onReady = () => finish(null);
      const onError = (error: Error) => finish(unavailable(error));
      const finish = (error: Error | null) => {
        clearTimeout(timer);
        client.off('ready', onReady);
        client.off('error', onError);
        error ? reject(error) : resolve();
      };
      client.once('ready', onReady);
      client.once('error', onError);
    });
  };

  const fail = (error: unknown): never => {
    throw unavailable(error);
  };
  /** Connected: run the command straight away (the hot path, no extra await). Not yet: wait first. */
  const call = <T>(command: () => Promise<T>): Promise<T> => {
    if (client.status === 'ready') return command().then(undefined, fail);
    const waiting = whenReady();
    return waiting
      ? waiting
          .then(command)
          .catch((error: unknown) =>
            error instanceof StoreUnavailable ? Promise.reject(error) : fail(error),
          )
      : command().catch(fail);
  };

  /** SET … EX … NX|XX, its answer and its failure in one promise on the hot path (one SET, no GET). */
  const setIf = (key: string, value: string | Buffer, ttl: number, mode: 'NX' | 'XX'): Promise<boolean> =>
    client.status === 'ready'
      ? client.set(key, value, 'EX', Math.max(1, ttl), mode as 'NX').then(isOk, fail)
      : call(() => client.set(key, value, 'EX', Math.max(1, ttl), mode as 'NX').then(isOk));

  // A listing cursor names a master by its index, so the order must not change between pages: ioredis
  // lists nodes in connection order, which a slot refresh can reshuffle (a page then skips a node).
  const masters = (): Node[] =>
    'nodes' in client && typeof client.nodes === 'function' && client.isCluster
      ? client.nodes('master').sort((a, b) => nodeName(a).localeCompare(nodeName(b)))
      : [client as Node];

  return {
    description,
    client,
    expiresOnItsOwn: true,
    get: (key) => call(() => client.get(key)),
    add: (key, value, ttl) => setIf(key, value, ttl, 'NX'),
    replace: (key, value, ttl) => setIf(key, value, ttl, 'XX'),
    set: (key, value, ttl) =>
      call(async () => {
        await client.set(key, value, 'EX', Math.max(1, ttl));
      }),
    getRaw: (key) =>
      call(async () => {
        // Two commands in one tick: auto-pipelining sends them in one write.
        const [value, ttl] = await Promise.all([client.getBuffer(key), client.pttl(key)]);
        return value === null ? null : { value, ttlMs: ttl >= 0 ? ttl : null };
      }),
    getManyRaw: (keys) =>
      call(async () => {
        if (keys.length === 0) return [];
        if (client.isCluster) return Promise.all(keys.map((key) => client.getBuffer(key)));
        return client.mgetBuffer(keys);
      }),
    replaceIf: (key, expected, value, ttl) =>
      call(
        async () =>
          (await (client as unknown as Scripted).sessionscopeReplaceIf(
            key,
            expected,
            value,
            Math.max(1, ttl),
          )) === 1,
      ),
    has: (key) => call(async () => (await client.exists(key)) > 0),
    delete: (key) =>
      call(async () => {
        await client.del(key);
      }),
    scan: (prefix, cursor, count) => call(() => scanPage(masters(), `${globEscape(prefix)}*`, cursor, count)),
    getMany: (keys) =>
      call(async () => {
        if (keys.length === 0) return [];
        // MGET across cluster slots fails with CROSSSLOT; one GET per key works everywhere.
        if (client.isCluster) return Promise.all(keys.map((key) => client.get(key)));
        return client.mget(keys);
      }),
    async close() {
      closing = true;
      stopWatchdog();
      try {
        await client.quit();
      } catch {
        client.disconnect();
      }
    },
  };
}

const nodeName = (node: Node): string => `${node.options.host}:${String(node.options.port).padStart(5, '0')}`;

/**
 * One page of SCAN over every master. The cursor is "node:scanCursor:seen": SCAN returns batches
 * of its own size, so a page that ends mid-batch re-reads that batch on the next page and leaves
 * out what it already returned. "seen" names those keys by a short hash, not by position: a
 * batch re-read after Redis finished rehashing its keyspace can come back in another order (a
 * position-based skip then returned one key twice and never returned another). Hashes, not keys,
 * because the cursor reaches the panel and no session key may.
 */
export async function scanPage(
  nodes: Node[],
  match: string,
  cursor: string | null,
  count: number,
): Promise<ScanPage> {
  const [nodePart = '0', scanPart = '0', seenPart = ''] = cursor ? cursor.split(':') : [];
  let node = Number(nodePart) || 0;
  // Redis cursors are unsigned 64-bit: kept as text, never rounded through a double.
  let scan = /^\d+$/.test(scanPart) ? scanPart : '0';
  let seen = new Set(seenPart ? seenPart.split(',') : []);
  const keys = new Set<string>();
  while (node < nodes.length && keys.size < count) {
    const target = nodes[node];
    if (!target) break;
    const [next, batch] = await target.scan(scan, 'MATCH', match, 'COUNT', Math.max(count, 100));
    const fresh = batch.filter((key) => !seen.has(keyHash(key)) && !keys.has(key));
    const room = count - keys.size;
    if (fresh.length > room) {
      for (const key of fresh.slice(0, room)) {
        keys.add(key);
        seen.add(keyHash(key));
      }
      return { keys: [...keys], cursor: `${node}:${scan}:${[...seen].join(',')}` };
    }
    for (const key of fresh) keys.add(key);
    seen = new Set();
    scan = next;
    if (scan === '0') node += 1;
  }
  return { keys: [...keys], cursor: node >= nodes.length ? null : `${node}:${scan}:` };
}

/** 8 hex digits of SHA-1: enough to tell apart the keys of one SCAN batch, and no key in the cursor. */
const keyHash = (key: string): string => createHash('sha1').update(key).digest('hex').slice(0, 8);

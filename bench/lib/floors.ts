/**
 * The floors (issue 13 item 3): Express apps that issue the store commands sessionscope's engine
 * issues, straight on the driver, with an unsigned cookie holding the raw key and the session as
 * plain JSON. No library, no signing, no compression, no expiry maths: what a session costs at
 * the least on that store. Read = one GET / SELECT; write = GET + SET EX XX / SELECT + UPDATE;
 * new = SET EX NX / INSERT … ON CONFLICT DO NOTHING, as the engines do.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import express from 'express';
import { Redis } from 'ioredis';
import { type BenchApp, createServer, REDIS_DB, REDIS_URL, serve, tmp } from './app-kit.js';

const COOKIE = 'sid';
const TTL_SECONDS = 1_209_600;

function keyOf(req: express.Request): string | null {
  const header = req.headers.cookie;
  if (!header) return null;
  const at = header.indexOf(`${COOKIE}=`);
  if (at < 0) return null;
  const end = header.indexOf(';', at);
  return header.slice(at + COOKIE.length + 1, end < 0 ? undefined : end);
}

const newKey = () => randomBytes(16).toString('hex');
const setCookie = (res: express.Response, key: string) =>
  res.setHeader('Set-Cookie', `${COOKIE}=${key}; Path=/; HttpOnly; Max-Age=${TTL_SECONDS}`);

interface FloorStore {
  read(key: string): Promise<string | null> | string | null;
  update(key: string, json: string): Promise<void> | void;
  create(key: string, json: string): Promise<void> | void;
  close(): Promise<void>;
}

function floorApp(store: string, library: string, open: () => Promise<FloorStore>): BenchApp {
  return {
    framework: 'Express',
    store,
    library,
    async start() {
      const db = await open();
      let ops = 0;
      const app = express();
      const load = async (req: express.Request): Promise<{ n?: number }> => {
        const key = keyOf(req);
        if (!key) return {};
        ops++;
        const json = await db.read(key);
        return json ? (JSON.parse(json) as { n?: number }) : {};
      };
      app.get('/none', (_req, res) => void res.send('ok'));
      app.get('/untouched', (_req, res) => void res.send('ok'));
      app.get('/read', async (req, res) => void res.send(String((await load(req)).n ?? 0)));
      app.get('/write', async (req, res) => {
        const data = await load(req);
        data.n = (data.n ?? 0) + 1;
        let key = keyOf(req);
        ops++;
        if (key) await db.update(key, JSON.stringify(data));
        else {
          key = newKey();
          await db.create(key, JSON.stringify(data));
        }
        setCookie(res, key);
        res.send(String(data.n));
      });
      app.get('/new', async (_req, res) => {
        const key = newKey();
        ops++;
        await db.create(key, JSON.stringify({ n: 1 }));
        setCookie(res, key);
        res.send('1');
      });
      return serve(
        createServer(app),
        () => ops,
        () => db.close(),
      );
    },
  };
}

/** Raw ioredis, auto-pipelining as the engine's client, in its own db and key prefix. */
export function redisFloorApp(): BenchApp {
  return floorApp('redis', 'floor: raw ioredis', async () => {
    const client = new Redis(`${REDIS_URL}/${REDIS_DB}`, { enableAutoPipelining: true, lazyConnect: true });
    await client.connect();
    const prefix = `benchfloor${process.pid}:`;
    return {
      read: (key) => client.get(prefix + key),
      update: async (key, json) => void (await client.set(prefix + key, json, 'EX', TTL_SECONDS, 'XX')),
      create: async (key, json) => void (await client.set(prefix + key, json, 'EX', TTL_SECONDS, 'NX')),
      close: async () => void (await client.quit()),
    };
  });
}

/** Raw better-sqlite3 on Django's django_session table, WAL + synchronous=NORMAL like the engine. */
export function sqliteFloorApp(): BenchApp {
  return floorApp('sqlite', 'floor: raw better-sqlite3', async () =>
    openSqliteFloor(join(tmp(), 'floor.sqlite3')),
  );
}

/** The SQLite floor's statements on a new file; synchronous (bench/request-path.ts calls it too). */
export function openSqliteFloor(path: string): FloorStore & {
  read(key: string): string | null;
  update(key: string, json: string): void;
  create(key: string, json: string): void;
} {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(
    'CREATE TABLE django_session (session_key varchar(40) NOT NULL PRIMARY KEY, session_data text NOT NULL, expire_date datetime NOT NULL)',
  );
  // Django's migration makes this index (clearsessions deletes by expire_date), and so does the
  // engine's schema: without it the floor's UPDATE wrote half the WAL pages the same UPDATE writes on
  // Django's table (strace, 13,000 write requests: 26,050 pwrite64 and 45 checkpoint fsyncs against
  // 52,128 and 92), so the floor did less than any store on Django's table can.
  db.exec('CREATE INDEX django_session_expire_date_a5c62663 ON django_session (expire_date)');
  const select = db.prepare('SELECT session_data, expire_date FROM django_session WHERE session_key = ?');
  const update = db.prepare(
    'UPDATE django_session SET session_data = ?, expire_date = ? WHERE session_key = ?',
  );
  const insert = db.prepare(
    'INSERT INTO django_session (session_key, session_data, expire_date) VALUES (?, ?, ?) ON CONFLICT (session_key) DO NOTHING',
  );
  const expiry = () => new Date(Date.now() + TTL_SECONDS * 1000).toISOString();
  return {
    read: (key) => (select.get(key) as { session_data: string } | undefined)?.session_data ?? null,
    update: (key, json) => void update.run(json, expiry(), key),
    create: (key, json) => void insert.run(key, json, expiry()),
    close: async () => void db.close(),
  };
}

/**
 * CPU profile of the Express write route on SQLite, for finding per-request overhead:
 * `node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/profile-http.ts`.
 */
import autocannon from 'autocannon';
import express from 'express';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSessions } from '../server-agent/create.js';

const engine = process.env.ENGINE ?? 'db';
const sessions = createSessions({
  SECRET_KEY: 'x'.repeat(50),
  SESSION_ENGINE: engine,
  DATABASE_URL: `sqlite:${join(mkdtempSync(join(tmpdir(), 'prof-')), 's.sqlite3')}`,
});
const app = express();
app.use(sessions.middleware());
app.get('/write', async (req, res) => {
  const n = (await req.session.get<number>('n')) ?? 0;
  await req.session.set('n', n + 1);
  res.send(String(n));
});
const server = app.listen(0, '127.0.0.1');
await new Promise((r) => server.once('listening', r));
const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/write`;
const first = await fetch(url);
const cookie = first.headers.get('set-cookie')!.split(';')[0]!;
const result = await autocannon({
  url,
  connections: 10,
  duration: Number(process.env.SECONDS ?? 5),
  headers: { cookie },
});
process.stdout.write(`${engine}: ${Math.round(result.requests.average)} req/s\n`);
server.close();
await sessions.close();

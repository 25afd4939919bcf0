/**
 * A CPU profile of sessionscope's write path without HTTP: load, set, save on the SQLite store,
 * in a loop. `node --cpu-prof --import tsx bench/profile-write.ts` (or tsx) and open the .cpuprofile.
 */
import { createSessionManager } from '../server-agent/sessions/manager.js';

const sessions = createSessionManager({ SECRET_KEY: 'x'.repeat(50), DATABASE_URL: ':memory:' });
const first = sessions.open();
await first.set('counter', 0);
await first.save();
const key = first.sessionKey;
const rounds = Number(process.env.ROUNDS ?? 50_000);
const started = performance.now();
for (let i = 0; i < rounds; i++) {
  const s = sessions.open(key);
  const n = (await s.get<number>('counter')) ?? 0;
  await s.set('counter', n + 1);
  await s.save();
}
const us = ((performance.now() - started) * 1000) / rounds;
process.stdout.write(`${rounds} load+set+save: ${us.toFixed(1)} µs each\n`);
await sessions.close();

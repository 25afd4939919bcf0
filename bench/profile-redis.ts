/** CPU profile of save+load on the Redis cache engine: `node --cpu-prof --import tsx bench/profile-redis.ts`. */
import { createSessionManager } from '../server-agent/sessions/manager.js';

const sessions = createSessionManager({
  SECRET_KEY: 'x'.repeat(50),
  SESSION_ENGINE: 'cache',
  CACHES: { default: { BACKEND: 'redis', LOCATION: 'redis://127.0.0.1:6379/9', KEY_PREFIX: 'profile' } },
});
const first = sessions.open();
await first.update({ user: 'ada', cart: { tea: 2, mug: 1 }, note: 'x'.repeat(120) });
await first.save();
const key = first.sessionKey;
const rounds = Number(process.env.ROUNDS ?? 30_000);
const started = performance.now();
await Promise.all(
  Array.from({ length: 32 }, async () => {
    for (let i = 0; i < rounds / 32; i++) {
      const s = sessions.open(key);
      await s.set('n', i);
      await s.save();
    }
  }),
);
process.stdout.write(
  `${rounds} load+save: ${(((performance.now() - started) * 1000) / rounds).toFixed(1)} µs each (wall)\n`,
);
await sessions.store.delete(key!);
await sessions.close();

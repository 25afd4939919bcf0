/**
 * Every server-side engine that exists in this build, on real services, for the concurrency and
 * security tests. An engine that is not registered yet is left out with the reason printed; a
 * registered engine whose service is down fails under CI=true (requireService).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImproperlyConfigured, NotSupported } from '../../server-agent/sessions/errors.js';
import {
  createSessionManager,
  type SessionManager,
  type SessionManagerOptions,
} from '../../server-agent/sessions/manager.js';
import { requireService } from '../helpers/services.js';

export const SECRET_KEY = 'reliability-secret-key-0123456789abcdef';
export const REDIS_URL = 'redis://127.0.0.1:6379/0';
export const POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';

export interface EngineUnderTest {
  name: string;
  make(extra?: SessionManagerOptions): SessionManager;
}

const runPrefix = `rel${process.pid}x${Date.now().toString(36)}`;
const redisCache = (prefix: string) => ({
  default: { BACKEND: 'redis', LOCATION: REDIS_URL, KEY_PREFIX: prefix },
});

interface Candidate {
  name: string;
  service?: { name: string; port: number };
  options: () => SessionManagerOptions;
}

const CANDIDATES: Candidate[] = [
  { name: 'db (SQLite)', options: () => ({ DATABASE_URL: ':memory:' }) },
  {
    name: 'db (PostgreSQL)',
    service: { name: 'PostgreSQL', port: 5432 },
    options: () => ({ DATABASE_URL: POSTGRES_URL }),
  },
  {
    name: 'cache (Redis)',
    service: { name: 'Redis', port: 6379 },
    options: () => ({ SESSION_ENGINE: 'cache', CACHES: redisCache(runPrefix) }),
  },
  {
    name: 'cached_db (Redis + SQLite)',
    service: { name: 'Redis', port: 6379 },
    options: () => ({ SESSION_ENGINE: 'cached_db', CACHES: redisCache(runPrefix), DATABASE_URL: ':memory:' }),
  },
  { name: 'cache (memory)', options: () => ({ SESSION_ENGINE: 'cache' }) },
  {
    name: 'file',
    options: () => ({
      SESSION_ENGINE: 'file',
      SESSION_FILE_PATH: mkdtempSync(join(tmpdir(), 'sessionscope-rel-')),
    }),
  },
];

export interface EngineList {
  engines: EngineUnderTest[];
  /** Engines left out and why, printed by the tests. */
  missing: string[];
}

export async function serverSideEngines(): Promise<EngineList> {
  const engines: EngineUnderTest[] = [];
  const missing: string[] = [];
  for (const candidate of CANDIDATES) {
    if (candidate.service && !(await requireService(candidate.service.name, candidate.service.port))) {
      missing.push(`${candidate.name}: ${candidate.service.name} not answering`);
      continue;
    }
    const make = (extra: SessionManagerOptions = {}) =>
      createSessionManager({ SECRET_KEY, ...candidate.options(), ...extra });
    try {
      await make().close();
    } catch (error) {
      if (error instanceof ImproperlyConfigured || error instanceof NotSupported) {
        missing.push(`${candidate.name}: not in this build yet (${error.message.slice(0, 80)})`);
        continue;
      }
      throw error;
    }
    engines.push({ name: candidate.name, make });
  }
  if (missing.length) process.stdout.write(`[reliability] engines left out: ${missing.join('; ')}\n`);
  return { engines, missing };
}

/** A seed for this run: SEED=<n> reproduces one; printed by every randomized test. */
export function runSeed(label: string): number {
  const seed = process.env.SEED ? Number(process.env.SEED) : Math.floor(Math.random() * 2 ** 31);
  process.stdout.write(`[${label}] seed=${seed} (reproduce with SEED=${seed})\n`);
  return seed;
}

/** Small, fast, seedable PRNG (mulberry32) for interleavings. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

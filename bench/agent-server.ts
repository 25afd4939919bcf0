/**
 * The app under test for bench/agent.ts, in its own process so its CPU time per request can be read
 * apart from the load generator's and the streaming client's. node:http + the session middleware
 * on SQLite, a route that reads and writes the session, with or without the agent (argv[2]:
 * none | attached | streaming; the last two are the same server, the client is the parent's).
 * Talks to the parent over IPC: sends `{ url, wsUrl, token }` when listening, answers 'cpu' with
 * its process.cpuUsage() total in µs, exits on 'stop'. With BENCH_CPU_PROF=dir it profiles itself
 * between the first and second 'cpu' (the measured window only: no start-up, no warm-up) and writes
 * dir/<mode>-<requests>req-<pid>.cpuprofile, so profiles of two modes compare per request.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session as InspectorSession } from 'node:inspector/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { attachAgent, createSessions, setLogSink } from './lib/library.js';
import { listenOn } from './lib/measure.js';

export interface ServerReady {
  url: string;
  wsUrl: string;
  token: string;
}

setLogSink(() => {});
const mode = process.argv[2] ?? 'none';
const dir = mkdtempSync(join(tmpdir(), 'sessionscope-bench-agent-'));
const sessions = createSessions({
  SECRET_KEY: 'bench-secret-key-0123456789abcdefghijklmnop',
  SESSION_ENGINE: 'db',
  DATABASE_URL: join(dir, 's.sqlite3'),
});
const middleware = sessions.middleware();
let served = 0;
const server = createServer((req, res) => {
  served++;
  middleware(req, res, async () => {
    const count = ((await req.session.get('count')) as number | undefined) ?? 0;
    await req.session.set('count', count + 1);
    res.end('ok');
  });
});
const url = await listenOn(server);
// Five clients in the five-client rows: one more than the default cap.
// BENCH_SUMMARIES_PER_SECOND: another summary budget (limits.summariesPerSecond) than the default.
const summaries = process.env.BENCH_SUMMARIES_PER_SECOND;
const limits = {
  maxClients: 5,
  ...(summaries === undefined ? {} : { summariesPerSecond: Number(summaries) }),
};
const agent = mode === 'none' ? null : attachAgent(server, sessions, { announce: false, limits });

const cpuMicros = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

const PROFILE_DIR = process.env.BENCH_CPU_PROF ?? process.env.BENCH_HEAP_PROF;
/** BENCH_HEAP_PROF=dir: a sampling allocation profile of the window instead (bytes allocated per function). */
const HEAP = process.env.BENCH_HEAP_PROF !== undefined && process.env.BENCH_CPU_PROF === undefined;
let profiler: InspectorSession | null = null;
let servedAtStart = 0;

/** Profiles the measured window: started at the first 'cpu', written at the second. */
async function profileWindow(): Promise<void> {
  if (!PROFILE_DIR) return;
  if (!profiler) {
    profiler = new InspectorSession();
    profiler.connect();
    if (HEAP)
      await profiler.post('HeapProfiler.startSampling', {
        samplingInterval: 1024,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      });
    else {
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.start');
    }
    servedAtStart = served;
    return;
  }
  const requests = served - servedAtStart;
  if (HEAP) {
    const { profile } = await profiler.post('HeapProfiler.stopSampling');
    writeFileSync(
      join(PROFILE_DIR, `${mode}-${requests}req-${process.pid}.heapprofile`),
      JSON.stringify(profile),
    );
  } else {
    const { profile } = await profiler.post('Profiler.stop');
    writeFileSync(
      join(PROFILE_DIR, `${mode}-${requests}req-${process.pid}.cpuprofile`),
      JSON.stringify(profile),
    );
  }
  profiler.disconnect();
}

process.on('message', async (message) => {
  if (message === 'cpu') {
    process.send?.({ cpu: cpuMicros() });
    await profileWindow();
  }
  if (message === 'stop') {
    await agent?.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await sessions.close();
    rmSync(dir, { recursive: true, force: true });
    // Exit normally (not process.exit) so `--cpu-prof` writes its profile.
    process.disconnect?.();
  }
});
process.send?.({ url, wsUrl: agent?.wsUrl ?? '', token: agent?.token ?? '' } satisfies ServerReady);

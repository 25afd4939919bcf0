/**
 * Child process for the compare-and-swap tests and bench (issue 14 item 2): several writers on
 * one session in this process, racing writers in other processes. Each writer loads the session,
 * waits a little (so loads and saves of other writers interleave), sets its own key and saves.
 * Prints "ready", waits for "go" on stdin, prints one JSON line of results.
 */
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { SaveConflict } from '../../server-agent/sessions/errors.js';
import { createSessionManager, type SessionManagerOptions } from '../../server-agent/sessions/manager.js';

export interface WriterConfig {
  settings: SessionManagerOptions;
  key: string;
  writers: number[];
  /** Listen for events (the replace strategy's compare-and-swap runs only then). */
  watch: boolean;
  /** Upper bound of the random pause between load and save (ms). */
  jitterMs: number;
}

export interface WriterResult {
  pid: number;
  conflictKeys: string[];
  gaveUp: number;
  saveMs: number[];
  cpuMicros: number;
}

const config = JSON.parse(process.env.CAS_CONFIG as string) as WriterConfig;
const sessions = createSessionManager(config.settings);
const conflictKeys = new Set<string>();
let gaveUp = 0;
if (config.watch) {
  sessions.events.on('session.conflict', (event) => {
    if (event.detectedBy === 'store') for (const key of event.overwrittenKeys) conflictKeys.add(key);
  });
}

async function writer(id: number, saveMs: number[]): Promise<void> {
  const session = sessions.open(config.key);
  await session.get('base');
  await sleep(Math.random() * config.jitterMs);
  await session.set(`w${id}`, id);
  const started = performance.now();
  try {
    await session.save();
  } catch (error) {
    if (!(error instanceof SaveConflict)) throw error;
    gaveUp++;
  }
  saveMs.push(performance.now() - started);
}

process.stdout.write('ready\n');
const lines = createInterface({ input: process.stdin });
for await (const line of lines) if (line.trim() === 'go') break;
const saveMs: number[] = [];
const cpu = process.cpuUsage();
await Promise.all(config.writers.map((id) => writer(id, saveMs)));
const used = process.cpuUsage(cpu);
const result: WriterResult = {
  pid: process.pid,
  conflictKeys: [...conflictKeys],
  gaveUp,
  saveMs,
  cpuMicros: used.user + used.system,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
await sessions.close();
process.exit(0);

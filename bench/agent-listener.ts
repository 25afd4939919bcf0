/**
 * The agent's own work per request, alone: the six events one request of bench/agent.ts emits
 * (start, loaded, modified, saved, cookie.set, end; built fresh per request, as the session code
 * does) dispatched to the hub's listener, with one client that reads nothing (a socket stub). No
 * HTTP, no store, no session code: what is left is the router, the lost-update tracker, the event
 * stream and serialization, the part of the agent's cost this package's agent/ code decides.
 * Modes, interleaved: bare (a listener that does nothing: building the events), summary (the
 * client follows another session), full (it watches everything). 10 requests per event-loop turn,
 * 100 sessions. `npx tsx bench/agent-listener.ts` (BENCH_ROUNDS, BENCH_REQUESTS per block,
 * BENCH_MODES). BENCH_BASE=dir also loads the agent from another checkout (e.g. `git archive` of an
 * older commit, with node_modules linked) into this same process and interleaves its blocks with
 * this tree's: an A/B within one run, which a shared machine's drift cannot favour.
 */
import { join, resolve } from 'node:path';
import type { AgentHub as Hub } from '../server-agent/agent/hub.js';
import type { SessionEvent } from '../server-agent/sessions/events.js';
import { setLogSink } from '../server-agent/sessions/log.js';

setLogSink(() => {});
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 20_000);
type Mode = 'bare' | 'summary' | 'full';
const MODES = (process.env.BENCH_MODES?.split(',') as Mode[] | undefined) ?? ['bare', 'summary', 'full'];

/** One agent (this tree's or BENCH_BASE's) with one client that reads nothing. */
async function rig(root: string) {
  const at = (file: string) => join(root, file);
  const { AgentHub } = (await import(at('server-agent/agent/hub.ts'))) as { AgentHub: typeof Hub };
  const { DEFAULT_LIMITS } = await import(at('server-agent/agent/hub-options.ts'));
  const { newClient } = await import(at('server-agent/agent/hub-client.ts'));
  const { createRedactor } = await import(at('server-agent/agent/redact.ts'));
  const { createSessions } = await import(at('server-agent/create.ts'));
  (await import(at('server-agent/sessions/log.ts'))).setLogSink(() => {});
  const sessions = createSessions({ SECRET_KEY: 'bench-secret-key-0123456789abcdefghijklmnop' });
  const hub = new AgentHub(sessions, {
    readOnly: false,
    redact: createRedactor(undefined),
    limits: DEFAULT_LIMITS,
    handshakeTimeoutMs: 5000,
    agentVersion: 'bench',
  });
  const ws = {
    bufferedAmount: 0,
    readyState: 1,
    OPEN: 1,
    sent: 0,
    // As ws does: the text becomes one buffer (which flattens a string built by concatenation).
    send(text: string) {
      ws.sent += Buffer.byteLength(text);
    },
  };
  const client = newClient(ws as never);
  client.greeted = true;
  client.subscribed = true;
  hub.clients.add(client);
  const internals = hub as unknown as {
    stream: { rewatch(): void };
    updateListening(): void;
    stopListening: (() => void) | null;
  };
  const handles = Array.from({ length: 100 }, (_, i) =>
    sessions.handles.handleFor(`k${String(i).padStart(31, '0')}`),
  );
  let stopBare = (): void => {};
  return {
    sessions,
    ws,
    handles,
    enter(mode: Mode): void {
      stopBare();
      stopBare = () => {};
      internals.stopListening?.();
      internals.stopListening = null;
      if (mode === 'bare') {
        stopBare = sessions.events.onAny(
          () => {},
          () => false,
        );
        return;
      }
      client.watchAll = mode === 'full';
      client.watching = new Set(mode === 'full' ? [] : ['elsewhere']);
      internals.stream.rewatch();
      internals.updateListening();
    },
    async close(): Promise<void> {
      stopBare();
      internals.stopListening?.();
      await sessions.close();
    },
  };
}
type Rig = Awaited<ReturnType<typeof rig>>;

let requestCounter = 0;
function request(agent: Rig, i: number): void {
  const { events } = agent.sessions;
  const requestId = `rbench${(++requestCounter).toString(36)}`;
  const session = agent.handles[i % agent.handles.length];
  const at = Date.now();
  const header = `sessionid=‹${session}›; expires=Wed, 16 Dec 2026 00:00:00 GMT; HttpOnly; Max-Age=1209600; Path=/; SameSite=Lax`;
  const cookie = {
    name: 'sessionid',
    value: `‹${session}›`,
    maxAge: 1209600,
    expires: 'Wed, 16 Dec 2026 00:00:00 GMT',
    path: '/',
    httpOnly: true,
    sameSite: 'Lax',
    size: 42,
  };
  const list: SessionEvent[] = [
    { type: 'request.start', at, requestId, method: 'GET', path: '/', cookiePresent: true },
    { type: 'session.loaded', at, requestId, session, outcome: 'hit', keys: 1, ms: 0.05 },
    { type: 'session.modified', at, requestId, session, key: 'count', op: 'set', before: 1, after: 2 },
    {
      type: 'session.saved',
      at,
      requestId,
      session,
      ms: 0.04,
      bytes: 90,
      mustCreate: false,
      keys: ['count'],
      expiresAt: at + 1_209_600_000,
    },
    { type: 'cookie.set', at, requestId, session, cookie, header },
    {
      type: 'request.end',
      at,
      requestId,
      method: 'GET',
      path: '/',
      status: 200,
      ms: 0.3 + (i % 7) / 10,
      accessed: true,
      modified: true,
      saved: true,
      notSavedReason: undefined,
    },
  ];
  for (const event of list) {
    if (event.type === 'session.modified') events.detail(requestId);
    events.dispatch(event);
  }
}

async function block(agent: Rig, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    request(agent, i);
    if (i % 10 === 9) await new Promise((resolve) => setImmediate(resolve));
  }
  // Let the last summaries leave (their 50 ms window), outside the timed part.
}

const agents: [string, Rig][] = [['', await rig(resolve(import.meta.dirname, '..'))]];
if (process.env.BENCH_BASE) agents.push(['@base', await rig(resolve(process.env.BENCH_BASE))]);
const cells = MODES.flatMap((mode) => agents.map(([tag, agent]) => ({ name: `${mode}${tag}`, mode, agent })));
const cpu = new Map<string, number[]>(cells.map((cell) => [cell.name, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const cell of [...cells.slice(round % cells.length), ...cells.slice(0, round % cells.length)]) {
    cell.agent.enter(cell.mode);
    await block(cell.agent, 2000);
    await new Promise((resolve) => setTimeout(resolve, 60));
    const before = process.cpuUsage();
    await block(cell.agent, REQUESTS);
    const used = process.cpuUsage(before);
    cpu.get(cell.name)?.push(((used.user + used.system) * 1000) / REQUESTS);
    await new Promise((resolve) => setTimeout(resolve, 60));
  }
}
const sorted = (v: number[]) => [...v].sort((a, b) => a - b);
const median = (v: number[]) => sorted(v)[Math.floor(v.length / 2)] ?? 0;
const low = (v: number[]) => sorted(v)[Math.floor(v.length / 10)] ?? 0;
for (const [tag, agent] of agents) {
  const base = median(cpu.get(`bare${tag}`) ?? []);
  for (const mode of MODES) {
    const values = cpu.get(`${mode}${tag}`) ?? [];
    const m = median(values);
    process.stdout.write(
      `${mode}${tag}: median ${(m / 1000).toFixed(2)} µs/request (agent ${((m - base) / 1000).toFixed(2)} µs), p10 ${(low(values) / 1000).toFixed(2)} µs\n`,
    );
  }
  process.stdout.write(`bytes sent${tag} ${agent.ws.sent}\n`);
  await agent.close();
}

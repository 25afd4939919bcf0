/** bench/agent.ts's streaming clients: each a `ws` client in a process of its own, as the browser is. */
import { type ChildProcess, spawn } from 'node:child_process';
import { SUBPROTOCOL, TOKEN_PROTOCOL_PREFIX } from '../../server-agent/agent/protocol.js';

/**
 * The streaming client runs in its own process, as the browser does, so its parsing does not share
 * the app's event loop. It prints how many events it received when told to stop.
 */
const CLIENT_SOURCE = `
const WebSocket = require('ws');
const [url, token, watch] = process.argv.slice(1);
let received = 0;
let frames = 0;
let skipped = 0;
const ws = new WebSocket(url, ['${SUBPROTOCOL}', '${TOKEN_PROTOCOL_PREFIX}' + token]);
ws.on('open', () => {
  ws.send(JSON.stringify({ v: 1, type: 'hello', client: 'cli', clientVersion: 'bench', protocol: { min: 3, max: 3 } }));
  ws.send(JSON.stringify({ v: 1, type: 'subscribe', watch: JSON.parse(watch) }));
});
ws.on('message', (data) => {
  const message = JSON.parse(String(data));
  if (message.type === 'snapshot') process.stdout.write('ready\\n');
  if (message.type === 'events') {
    received += message.events.length;
    frames++;
    for (const item of message.events) if (item.event.type === 'requests.skipped') skipped += item.event.count;
  }
});
process.on('SIGTERM', () => {
  const { user, system } = process.cpuUsage();
  process.stdout.write('received ' + received + ' frames ' + frames + ' cpu ' + (user + system) + ' skipped ' + skipped + ' ', () => process.exit(0));
});
`;

export async function streamingClient(
  agent: { wsUrl: string; token: string },
  watch: { all: boolean; sessions: string[] },
): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['-e', CLIENT_SOURCE, agent.wsUrl, agent.token, JSON.stringify(watch)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (String(chunk).includes('ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`streaming client exited with ${code}`)));
  });
  return child;
}

export async function stopClient(
  child: ChildProcess,
): Promise<{ received: number; frames: number; cpu: number; skipped: number }> {
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += String(chunk);
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  const [, received, frames, cpu, skipped] =
    /received (\d+) frames (\d+) cpu (\d+) skipped (\d+)/.exec(output) ?? [];
  return {
    received: Number(received ?? 0),
    frames: Number(frames ?? 0),
    cpu: Number(cpu ?? 0),
    skipped: Number(skipped ?? 0),
  };
}

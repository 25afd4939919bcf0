/**
 * Real services for tests. Under CI=true a missing service is a failure, never a skip; locally a
 * test may skip with the reason printed.
 */
import net from 'node:net';

export const IN_CI = process.env.CI === 'true' || process.env.CI === '1';

export function portOpen(port: number, host = '127.0.0.1', timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** True when the service answers; throws under CI so the run fails loudly instead of skipping. */
export async function requireService(name: string, port: number): Promise<boolean> {
  const up = await portOpen(port);
  if (!up && IN_CI) throw new Error(`${name} is not answering on 127.0.0.1:${port}; .ci/run must start it.`);
  return up;
}

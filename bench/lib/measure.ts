/** One benchmark cell: autocannon against a local URL, with the cookies a first visit set. */
import type { Server } from 'node:http';
import autocannon from 'autocannon';

export interface Cell {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  errors: number;
  non2xx: number;
}

export const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
export const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 1);
/** BENCH_WORKERS=1 moves load generation to a worker thread (off by default; ratios came out the same). */
export const WORKERS = Number(process.env.BENCH_WORKERS ?? 0);
export const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);

export async function listenOn(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return `http://127.0.0.1:${address.port}`;
}

/** Visits `url` once and returns the cookies it set as a Cookie header (every library's names). */
export async function cookiesFrom(url: string): Promise<string> {
  const response = await fetch(url, { redirect: 'manual' });
  await response.text();
  const pairs = response.headers.getSetCookie().map((line) => line.split(';', 1)[0] ?? '');
  if (pairs.length === 0) throw new Error(`${url} set no cookie; the write route must create a session`);
  return pairs.join('; ');
}

export async function measure(url: string, cookie?: string, seconds = SECONDS): Promise<Cell> {
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    ...(WORKERS > 0 ? { workers: WORKERS } : {}),
    headers: cookie ? { cookie } : {},
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}
